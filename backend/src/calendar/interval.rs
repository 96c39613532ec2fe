//! Half-open UTC time intervals `[start, end)` and the merge that every busy computation ends with.
//!
//! Invariant: a merged list is sorted by start, disjoint, and has no two intervals that touch.

use chrono::{DateTime, Utc};

/// A half-open span of time `[start, end)` in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    /// `None` when `end <= start`: an empty interval blocks nothing.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self> {
        (end > start).then_some(Self { start, end })
    }

    /// True when the two share at least one instant (touching does not count).
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `at` lies in `[start, end)`.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// The part of `self` inside `window`, if any.
    pub fn clip(&self, window: &Interval) -> Option<Interval> {
        Interval::new(self.start.max(window.start), self.end.min(window.end))
    }
}

/// Sorts and merges intervals in place: overlapping or touching intervals become one.
pub fn merge_intervals(intervals: &mut Vec<Interval>) {
    if intervals.len() < 2 {
        return;
    }
    intervals.sort_unstable();
    let mut out = 0;
    for i in 1..intervals.len() {
        let next = intervals[i];
        if next.start <= intervals[out].end {
            if next.end > intervals[out].end {
                intervals[out].end = next.end;
            }
        } else {
            out += 1;
            intervals[out] = next;
        }
    }
    intervals.truncate(out + 1);
}

/// True when `at`..`at+len` overlaps any interval of a merged (sorted, disjoint) list.
pub fn overlaps_any(merged: &[Interval], probe: &Interval) -> bool {
    // First interval whose end is after the probe's start; it is the only candidate.
    let idx = merged.partition_point(|i| i.end <= probe.start);
    merged.get(idx).is_some_and(|i| i.start < probe.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn iv(a: i64, b: i64) -> Interval {
        Interval {
            start: Utc.timestamp_opt(a, 0).unwrap(),
            end: Utc.timestamp_opt(b, 0).unwrap(),
        }
    }

    fn check(input: &[(i64, i64)], expected: &[(i64, i64)]) {
        let mut v: Vec<Interval> = input.iter().map(|&(a, b)| iv(a, b)).collect();
        merge_intervals(&mut v);
        let got: Vec<(i64, i64)> = v
            .iter()
            .map(|i| (i.start.timestamp(), i.end.timestamp()))
            .collect();
        assert_eq!(got, expected, "merging {input:?}");
    }

    #[test]
    fn merges() {
        check(&[], &[]);
        check(&[(1, 2)], &[(1, 2)]);
        check(&[(3, 4), (1, 2)], &[(1, 2), (3, 4)]);
        check(&[(1, 2), (2, 3)], &[(1, 3)]);
        check(&[(1, 5), (2, 3)], &[(1, 5)]);
        check(&[(1, 3), (2, 6), (7, 8), (8, 9)], &[(1, 6), (7, 9)]);
    }

    #[test]
    fn overlap_lookup() {
        let merged = vec![iv(10, 20), iv(30, 40)];
        assert!(overlaps_any(&merged, &iv(15, 16)));
        assert!(overlaps_any(&merged, &iv(5, 11)));
        assert!(!overlaps_any(&merged, &iv(20, 30)));
        assert!(!overlaps_any(&merged, &iv(0, 10)));
        assert!(overlaps_any(&merged, &iv(39, 50)));
        assert!(!overlaps_any(&merged, &iv(40, 50)));
    }
}

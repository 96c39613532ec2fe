//! What the owner sees of a source: when it last synced, the last error in plain words, how
//! much it holds, and whether it is fresh enough to trust (the freshness policy).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Whether a source's data may be trusted now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// Synced within its `max_age_minutes`.
    Fresh,
    /// Synced once, but longer ago than its limit.
    Stale,
    /// Never synced (no snapshot).
    Never,
}

impl Freshness {
    /// The policy: data older than `max_age` is stale.
    pub fn of(last_success: Option<DateTime<Utc>>, now: DateTime<Utc>, max_age: Duration) -> Self {
        match last_success {
            None => Freshness::Never,
            Some(t) if now - t <= max_age => Freshness::Fresh,
            Some(_) => Freshness::Stale,
        }
    }
}

/// One source, as the status page, `openslot sync` and `openslot sources` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    pub id: String,
    pub kind: &'static str,
    pub name: Option<String>,
    pub writable: bool,
    pub fail_open: bool,
    /// `busy` or `availability` (its events open bookable time instead of blocking it).
    pub role: &'static str,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// The last attempt's error, in plain words; `None` when it succeeded.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// The first failure of the current run of failures; None while it works.
    pub failing_since: Option<DateTime<Utc>>,
    /// Google or Microsoft refused the stored sign-in (`invalid_grant`): connect again.
    pub reconnect_needed: bool,
    /// Events held (iCalendar events + occurrences expanded by the service).
    pub event_count: usize,
    /// Seconds since the last success.
    pub age_seconds: Option<i64>,
    pub freshness: Freshness,
}

impl SourceStatus {
    /// Healthy: the last attempt worked and the data is fresh.
    pub fn healthy(&self) -> bool {
        self.last_error.is_none() && self.freshness == Freshness::Fresh
    }

    /// Stale (or never synced) and failing closed: its time counts as busy and bookings are
    /// refused until it syncs again.
    pub fn blocks_booking(&self) -> bool {
        self.freshness != Freshness::Fresh && !self.fail_open
    }

    /// A short human description of the state, for tables and messages.
    pub fn summary(&self) -> String {
        let age = self.age_seconds.map(age_text).unwrap_or_default();
        match (self.freshness, &self.last_error) {
            (Freshness::Fresh, None) => format!("ok, synced {age} ago"),
            (Freshness::Fresh, Some(e)) => format!("failing, serving the copy from {age} ago: {e}"),
            (Freshness::Stale, e) => format!(
                "OUT OF DATE (last synced {age} ago){}",
                e.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
            ),
            (Freshness::Never, Some(e)) => format!("NEVER SYNCED: {e}"),
            (Freshness::Never, None) => "not synced yet".to_owned(),
        }
    }
}

/// "45 s", "12 min", "3 h", "2 days".
pub fn age_text(seconds: i64) -> String {
    match seconds {
        s if s < 90 => format!("{s} s"),
        s if s < 90 * 60 => format!("{} min", s / 60),
        s if s < 48 * 3600 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn freshness_follows_the_limit() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let limit = Duration::minutes(60);
        assert_eq!(Freshness::of(None, now, limit), Freshness::Never);
        assert_eq!(
            Freshness::of(Some(now - limit), now, limit),
            Freshness::Fresh
        );
        assert_eq!(
            Freshness::of(Some(now - limit - Duration::seconds(1)), now, limit),
            Freshness::Stale
        );
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age_text(5), "5 s");
        assert_eq!(age_text(600), "10 min");
        assert_eq!(age_text(3 * 3600), "3 h");
        assert_eq!(age_text(3 * 86_400), "3 days");
    }
}

//! Events -> instances in a window: recurrence (RRULE, RDATE, EXDATE), overrides
//! (RECURRENCE-ID: moved, cancelled, orphaned), all-day and floating values in the owner's zone.
//!
//! Rules followed (../shared/corpus/README.md): DTSTART is always the first instance and counts
//! toward COUNT; EXDATE and RECURRENCE-ID match instances by instant, whatever zone they are
//! written in; an override replaces its instance wherever it moves, and still counts when the rule
//! no longer produces that instance; a series given in UTC recurs in X-WR-TIMEZONE when the
//! calendar names one (Google's exports).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::attendee::OwnerAddresses;
use super::interval::Interval;
use super::model::{Anchor, CalTime, Calendar, Dur, EndSpec, Event, Status};
use super::recur;
use super::tz::{Zone, iana_offset_at, local_to_utc_with};
use super::warning::Warning;

/// At most this many instances of one series in one window; the rest are dropped with a warning.
/// Bounds the cost of rules like FREQ=SECONDLY without an end.
pub const MAX_INSTANCES_PER_SERIES: usize = 100_000;

/// Which kinds of instances count as busy (per source; the defaults follow the reference).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusyPolicy {
    pub tentative: bool,
    pub all_day: bool,
    pub transparent: bool,
    /// The owner's addresses: an event whose attendee entry for one of them is
    /// `PARTSTAT=DECLINED` is free (unless the owner organizes it). Empty: nobody's is read.
    pub owner: OwnerAddresses,
}

impl Default for BusyPolicy {
    fn default() -> Self {
        BusyPolicy {
            tentative: true,
            all_day: true,
            transparent: false,
            owner: OwnerAddresses::default(),
        }
    }
}

/// One occurrence of an event. Times are Unix seconds (UTC): expansion makes many instances and
/// most are only compared and merged, so the conversion to `DateTime` is left to `start()`/`end()`.
#[derive(Clone, Copy, Debug)]
pub struct Instance<'c> {
    pub event: &'c Event,
    pub start_secs: i64,
    pub end_secs: i64,
    pub all_day: bool,
}

impl Instance<'_> {
    pub fn start(&self) -> DateTime<Utc> {
        utc(self.start_secs)
    }

    pub fn end(&self) -> DateTime<Utc> {
        utc(self.end_secs)
    }

    /// Whether this instance blocks time under `policy`. Cancelled never does, nor a meeting
    /// the owner declined.
    pub fn is_busy(&self, policy: &BusyPolicy) -> bool {
        policy.blocks(self.event.status, self.event.transparent, self.all_day)
            && self.end_secs > self.start_secs
            && !self.event.declined_by(&policy.owner)
    }
}

impl BusyPolicy {
    /// Whether an occurrence with these marks blocks time. Cancelled never does. Also used for
    /// occurrences a calendar service expanded itself (Google, Microsoft Graph).
    pub fn blocks(&self, status: Status, transparent: bool, all_day: bool) -> bool {
        match status {
            Status::Cancelled => false,
            Status::Tentative if !self.tentative => false,
            _ => (!transparent || self.transparent) && (!all_day || self.all_day),
        }
    }
}

/// The wall clock a series is evaluated in.
#[derive(Clone, Copy)]
enum Clock<'c> {
    Utc,
    Owner,
    Zone(&'c Zone),
    Iana(Tz),
}

struct Ctx<'c> {
    cal: &'c Calendar,
    owner: Tz,
    /// Offsets of IANA zones around the window, so each conversion is a tiny lookup instead of a
    /// tzdata search (the hot path of expansion).
    offsets: RefCell<Vec<OffsetTable>>,
    /// The UTC range the tables cover.
    near: (i64, i64),
}

/// The offsets of one zone over `Ctx::near`: (from instant, offset) spans, sorted.
struct OffsetTable {
    tz: Tz,
    spans: Vec<(i64, i32)>,
}

impl OffsetTable {
    fn build(tz: Tz, lo: i64, hi: i64) -> OffsetTable {
        let off = |u: i64| iana_offset_at(tz, u);
        let mut prev = off(lo);
        let mut spans = vec![(lo, prev)];
        let mut t = lo;
        while t < hi {
            let next = (t + 86_400).min(hi);
            let o = off(next);
            if o != prev {
                // Zones change at most once a day: find the change by bisection.
                let (mut a, mut b) = (t, next);
                while b - a > 1 {
                    let m = a + (b - a) / 2;
                    if off(m) == prev { a = m } else { b = m }
                }
                spans.push((b, o));
                prev = o;
            }
            t = next;
        }
        OffsetTable { tz, spans }
    }

    fn offset(&self, u: i64) -> i32 {
        let i = self.spans.partition_point(|&(from, _)| from <= u);
        self.spans[i.saturating_sub(1)].1
    }
}

fn ts(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp()
}

fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default()
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(chrono::NaiveTime::MIN)
}

impl<'c> Ctx<'c> {
    fn new(cal: &'c Calendar, owner: Tz, window: Interval) -> Self {
        let margin = 8 * 86_400;
        Ctx {
            cal,
            owner,
            offsets: RefCell::new(Vec::new()),
            near: (
                window.start.timestamp() - margin,
                window.end.timestamp() + margin,
            ),
        }
    }

    /// `iana_offset_at`, through the table of the zone when `u` is near the window.
    fn tz_offset(&self, tz: Tz, u: i64) -> i32 {
        let (lo, hi) = self.near;
        if u < lo || u >= hi {
            return iana_offset_at(tz, u);
        }
        let mut tables = self.offsets.borrow_mut();
        // Most calls in a row are for the same zone: it is kept first.
        if let Some(t) = tables.first()
            && t.tz == tz
        {
            return t.offset(u);
        }
        if let Some(i) = tables.iter().position(|t| t.tz == tz) {
            tables.swap(0, i);
            return tables[0].offset(u);
        }
        let table = OffsetTable::build(tz, lo, hi);
        let o = table.offset(u);
        tables.insert(0, table);
        o
    }

    fn zone_offset(&self, zone: &Zone, u: i64) -> i32 {
        match zone {
            Zone::Iana(tz) => self.tz_offset(*tz, u),
            Zone::Floating => self.tz_offset(self.owner, u),
            Zone::Custom(_) => zone.offset_at(u, self.owner),
        }
    }

    fn clock_of(&self, t: &CalTime, x_wr: Option<Tz>) -> Clock<'c> {
        match t {
            CalTime::Date(_) | CalTime::DateTime(_, Anchor::Floating) => Clock::Owner,
            CalTime::DateTime(_, Anchor::Utc) => match x_wr {
                Some(tz) => Clock::Iana(tz),
                None => Clock::Utc,
            },
            CalTime::DateTime(_, Anchor::Zoned(id)) => match self.cal.zones.get(*id as usize) {
                Some(z) => Clock::Zone(z),
                None => Clock::Owner,
            },
        }
    }

    /// The one offset of an IANA zone over the whole window, when it has no transition there.
    fn constant_offset(&self, tz: Tz) -> Option<i32> {
        let _ = self.tz_offset(tz, self.near.0); // builds the table
        let tables = self.offsets.borrow();
        let t = tables.first().filter(|t| t.tz == tz)?;
        (t.spans.len() == 1).then(|| t.spans[0].1)
    }

    fn to_utc(&self, clock: Clock<'_>, local: NaiveDateTime) -> i64 {
        let l = ts(local);
        let iana = match clock {
            Clock::Owner | Clock::Zone(Zone::Floating) => Some(self.owner),
            Clock::Iana(tz) => Some(tz),
            Clock::Zone(Zone::Iana(tz)) => Some(*tz),
            _ => None,
        };
        // Away from the window's edges, a zone without a transition in it has one offset.
        if let Some(tz) = iana
            && l > self.near.0 + 86_400
            && l < self.near.1 - 86_400
            && let Some(off) = self.constant_offset(tz)
        {
            return l - i64::from(off);
        }
        match clock {
            Clock::Utc => ts(local),
            Clock::Owner => local_to_utc_with(local, |u| self.tz_offset(self.owner, u)),
            Clock::Iana(tz) => local_to_utc_with(local, |u| self.tz_offset(tz, u)),
            Clock::Zone(z) => local_to_utc_with(local, |u| self.zone_offset(z, u)),
        }
    }

    fn to_local(&self, clock: Clock<'_>, secs: i64) -> NaiveDateTime {
        let off = match clock {
            Clock::Utc => 0,
            Clock::Owner => self.tz_offset(self.owner, secs),
            Clock::Iana(tz) => self.tz_offset(tz, secs),
            Clock::Zone(z) => self.zone_offset(z, secs),
        };
        DateTime::<Utc>::from_timestamp(secs + i64::from(off), 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    /// The instant a value stands for.
    fn instant(&self, t: &CalTime) -> i64 {
        let clock = self.clock_of(t, None);
        self.to_utc(clock, local_of(t))
    }

    /// A value expressed as wall-clock time of `clock`.
    fn local_in(&self, clock: Clock<'_>, t: &CalTime) -> NaiveDateTime {
        let own = self.clock_of(t, None);
        if same_clock(own, clock) {
            local_of(t)
        } else {
            self.to_local(clock, self.instant(t))
        }
    }
}

fn same_clock(a: Clock<'_>, b: Clock<'_>) -> bool {
    match (a, b) {
        (Clock::Utc, Clock::Utc) | (Clock::Owner, Clock::Owner) => true,
        (Clock::Iana(x), Clock::Iana(y)) => x == y,
        (Clock::Zone(x), Clock::Zone(y)) => std::ptr::eq(x, y) || x == y,
        _ => false,
    }
}

fn local_of(t: &CalTime) -> NaiveDateTime {
    match t {
        CalTime::Date(d) => midnight(*d),
        CalTime::DateTime(l, _) => *l,
    }
}

/// How to get an instance's end from its start.
#[derive(Clone, Copy)]
enum Length {
    /// A wall-clock length in the series' clock (same-zone DTEND, all-day, the days and weeks of
    /// a DURATION), then exact seconds (the hours, minutes and seconds of a DURATION, which
    /// RFC 5545 3.3.6 makes exact across DST changes).
    Wall(Duration, i64),
    /// Exact length (DTEND in another zone than DTSTART).
    Exact(i64),
}

impl Length {
    fn of_duration(d: Dur) -> Length {
        Length::Wall(Duration::days(d.days), d.seconds)
    }

    /// The length in seconds, ignoring DST changes.
    fn approx_seconds(self) -> i64 {
        match self {
            Length::Wall(d, exact) => d.num_seconds() + exact,
            Length::Exact(s) => s,
        }
    }
}

/// Calls `emit` for every instance of the calendar's events that overlaps `window`, and pushes a
/// warning for each series cut short by [`MAX_INSTANCES_PER_SERIES`].
pub fn for_each_instance<'c>(
    cal: &'c Calendar,
    window: Interval,
    owner: Tz,
    warnings: &mut Vec<Warning>,
    mut emit: impl FnMut(Instance<'c>),
) {
    let ctx = Ctx::new(cal, owner, window);
    let (near_lo, near_hi) = (
        window.start.naive_utc() - Duration::days(2),
        window.end.naive_utc() + Duration::days(2),
    );
    let (w_start, w_end) = (window.start.timestamp(), window.end.timestamp());
    let mut emit_utc = |event: &'c Event, s: i64, e: i64| {
        if s < w_end && (e > w_start || (e == s && s >= w_start)) {
            emit(Instance {
                event,
                start_secs: s,
                end_secs: e.max(s),
                all_day: event.start.is_date(),
            });
        }
    };
    // EXDATEs of masters, built once however many overrides a master has.
    let mut master_exdates: HashMap<u32, Exdates> = HashMap::default();
    for event in &cal.events {
        if event.superseded {
            continue; // an earlier version of an edited series
        }
        let is_series = !event.rrules.is_empty() || !event.rdates.is_empty();
        if (event.recurrence_id.is_some() || !is_series) && single_far_from(event, near_lo, near_hi)
        {
            continue;
        }
        let master = event.master.and_then(|m| cal.events.get(m as usize));
        let x_wr = event.x_wr_timezone;
        let clock = ctx.clock_of(&event.start, x_wr);
        let start_local = ctx.local_in(clock, &event.start);
        let length = length_of(&ctx, event, clock, start_local);
        let end_of = |s_local: NaiveDateTime, s: i64, len: Length| match len {
            Length::Wall(d, exact) => ctx.to_utc(clock, s_local + d) + exact,
            Length::Exact(secs) => s + secs,
        };
        if let Some(rid) = &event.recurrence_id {
            // An override whose instance the master excludes is a deleted modification.
            let deleted = event.master.zip(master).is_some_and(|(mi, m)| {
                master_exdates
                    .entry(mi)
                    .or_insert_with(|| Exdates::new(&ctx, m))
                    .excludes_instant(ctx.instant(rid))
            });
            if !deleted {
                let s = ctx.to_utc(clock, start_local);
                emit_utc(event, s, end_of(start_local, s, length));
            }
            continue;
        }
        if !is_series {
            let s = ctx.to_utc(clock, start_local);
            emit_utc(event, s, end_of(start_local, s, length));
            continue;
        }
        // THISANDFUTURE changes of this series: (instant of RECURRENCE-ID, override), sorted.
        let mut future: Vec<(i64, &Event)> = event
            .overrides
            .iter()
            .filter_map(|&o| cal.events.get(o as usize))
            .filter(|o| o.this_and_future)
            .filter_map(|o| o.recurrence_id.map(|rid| (ctx.instant(&rid), o)))
            .collect();
        future.sort_by_key(|(at, _)| *at);
        // How far such a change moves instances later (`back`) or earlier (`ahead`).
        let (mut back, mut ahead) = (0i64, 0i64);
        for (at, o) in &future {
            let moved = ctx.instant(&o.start) - at;
            let len = length_of(&ctx, o, ctx.clock_of(&o.start, None), local_of(&o.start));
            back = back.max(moved + len.approx_seconds().max(0));
            ahead = ahead.max(-moved);
        }
        let future = (!future.is_empty()).then_some(future);
        // Local range to expand: instances starting before the window may still reach into it.
        let reach = length.approx_seconds().max(0).max(back);
        let slack = 2 * 86_400;
        let lo_local = ctx.to_local(clock, w_start.saturating_sub(reach + slack));
        let hi_local = ctx.to_local(clock, w_end.saturating_add(slack + ahead));

        if event.rdates.is_empty() && start_local >= hi_local {
            continue; // the series begins after the window
        }
        // (local start, UTC start, UTC end) of each candidate, converted once.
        let at = |t: NaiveDateTime, len: Length| {
            let s = ctx.to_utc(clock, t);
            (t, s, end_of(t, s, len))
        };
        let mut starts: Vec<(NaiveDateTime, i64, i64)> = Vec::new();
        if (start_local >= lo_local && start_local < hi_local) || future.is_some() {
            starts.push(at(start_local, length));
        }
        let mut truncated = false;
        // Rule instances kept so far. Instances that end before the window are neither kept nor
        // counted (unless a THISANDFUTURE change may move them), so the slack above cannot use
        // up the cap of a dense rule such as FREQ=SECONDLY.
        let mut kept = 0usize;
        for rule in &event.rrules {
            let until = rule.until.map(|u| match u {
                // A DATE UNTIL is the start of that day (as the reference reads it).
                CalTime::Date(d) => midnight(d),
                // UNTIL of a zoned or UTC series is UTC (RFC 5545 3.3.10), even without a 'Z'.
                CalTime::DateTime(l, Anchor::Utc) => ctx.to_local(clock, ts(l)),
                CalTime::DateTime(l, _) if !matches!(clock, Clock::Owner) => {
                    ctx.to_local(clock, ts(l))
                }
                CalTime::DateTime(l, _) => l,
            });
            let count = rule.count;
            let iter = match recur::occurrences(rule, start_local, until, count, Some(lo_local)) {
                Ok(it) => it,
                Err(msg) => {
                    warnings.push(event_warning(
                        cal,
                        event,
                        format!("{msg}; only DTSTART counts"),
                    ));
                    continue;
                }
            };
            let mut iter = iter.peekable();
            // A DTSTART that the rule does not produce still counts as the first of COUNT.
            let mut budget = count.map(|c| c as usize);
            if count.is_some() && iter.peek() != Some(&start_local) {
                budget = budget.map(|b| b.saturating_sub(1));
            }
            for (taken, t) in iter.enumerate() {
                if budget.is_some_and(|b| taken >= b) || t >= hi_local {
                    break;
                }
                if t < lo_local || t == start_local {
                    continue;
                }
                let candidate = at(t, length);
                let (_, s, e) = candidate;
                if future.is_none() && !(e > w_start || (e == s && s >= w_start)) {
                    continue;
                }
                if kept >= MAX_INSTANCES_PER_SERIES {
                    truncated = true;
                    break;
                }
                kept += 1;
                starts.push(candidate);
            }
        }
        for rd in &event.rdates {
            let t = ctx.local_in(clock, &rd.start);
            let len = match rd.end {
                Some(EndSpec::End(e)) => Length::Exact(ctx.instant(&e) - ctx.instant(&rd.start)),
                Some(EndSpec::Duration(d)) => Length::of_duration(d),
                _ => length,
            };
            starts.push(at(t, len));
        }
        if truncated {
            warnings.push(event_warning(
                cal,
                event,
                format!("more than {MAX_INSTANCES_PER_SERIES} occurrences in the window; the rest ignored"),
            ));
        }
        if starts.is_empty() {
            continue;
        }
        if !starts.is_sorted_by_key(|c| c.0) {
            starts.sort_unstable_by_key(|c| c.0);
        }
        starts.dedup_by_key(|c| c.0);
        // Only now, with instances near the window, are EXDATEs and overrides worth converting.
        let exdates = Exdates::new(&ctx, event);
        let replaced: Vec<i64> = event
            .overrides
            .iter()
            .filter_map(|&o| cal.events.get(o as usize)?.recurrence_id)
            .map(|rid| ctx.instant(&rid))
            .collect();
        for (s_local, s, e) in starts {
            if exdates.excludes(s, s_local) || replaced.contains(&s) {
                continue;
            }
            // The latest THISANDFUTURE change at or before this instance moves and resizes it.
            let change = future.as_ref().and_then(|list| {
                let n = list.partition_point(|(at, _)| *at <= s);
                n.checked_sub(1).map(|k| list[k])
            });
            match change {
                Some((at, ovr)) => {
                    let o_start = ctx.instant(&ovr.start);
                    let o_len = length_of(
                        &ctx,
                        ovr,
                        ctx.clock_of(&ovr.start, None),
                        local_of(&ovr.start),
                    )
                    .approx_seconds();
                    let moved = s + (o_start - at);
                    emit_utc(ovr, moved, moved + o_len);
                }
                None => emit_utc(event, s, e),
            }
        }
    }
}

/// A single occurrence that certainly misses the window: its written (local) times lie more than
/// two days outside it, more than any UTC offset. Saves the zone conversions of old events.
fn single_far_from(event: &Event, near_lo: NaiveDateTime, near_hi: NaiveDateTime) -> bool {
    let start = local_of(&event.start);
    if start > near_hi {
        return true;
    }
    let end = match event.end {
        EndSpec::End(e) => local_of(&e).max(start),
        EndSpec::Duration(d) => start
            .checked_add_signed(Duration::days(d.days.max(0)) + Duration::seconds(d.seconds.max(0)))
            .unwrap_or(start),
        EndSpec::Missing => start + Duration::days(1),
    };
    end < near_lo
}

fn event_warning(cal: &Calendar, event: &Event, message: String) -> Warning {
    Warning {
        source: cal.source.clone(),
        line: event.line,
        uid: event.uid.as_deref().map(str::to_owned),
        message,
    }
}

fn length_of(ctx: &Ctx<'_>, event: &Event, clock: Clock<'_>, start_local: NaiveDateTime) -> Length {
    match event.end {
        EndSpec::Missing => {
            if event.start.is_date() {
                Length::Wall(Duration::days(1), 0)
            } else {
                Length::Wall(Duration::zero(), 0)
            }
        }
        EndSpec::Duration(d) => Length::of_duration(d),
        EndSpec::End(end) => {
            let same = same_clock(ctx.clock_of(&end, None), ctx.clock_of(&event.start, None));
            if same || end.is_date() {
                let d = ctx.local_in(clock, &end) - start_local;
                Length::Wall(d.max(Duration::zero()), 0)
            } else {
                Length::Exact((ctx.instant(&end) - ctx.instant(&event.start)).max(0))
            }
        }
    }
}

/// EXDATEs of one series: instants, plus dates for DATE values on a DATE-TIME series.
struct Exdates {
    instants: HashSet<i64>,
    dates: HashSet<NaiveDate>,
}

impl Exdates {
    fn new(ctx: &Ctx<'_>, event: &Event) -> Exdates {
        let mut instants =
            HashSet::with_capacity_and_hasher(event.exdates.len(), Default::default());
        let mut dates = HashSet::default();
        for ex in &event.exdates {
            match ex {
                CalTime::Date(d) if !event.start.is_date() => {
                    dates.insert(*d);
                }
                _ => {
                    instants.insert(ctx.instant(ex));
                }
            }
        }
        Exdates { instants, dates }
    }

    fn excludes(&self, instant: i64, local: NaiveDateTime) -> bool {
        self.excludes_instant(instant)
            || (!self.dates.is_empty() && self.dates.contains(&local.date()))
    }

    fn excludes_instant(&self, instant: i64) -> bool {
        !self.instants.is_empty() && self.instants.contains(&instant)
    }
}

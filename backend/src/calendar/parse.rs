//! iCalendar text -> [`Calendar`]: VEVENTs, VFREEBUSY periods and VTIMEZONE definitions.
//!
//! Lenient by design: bare VEVENTs without VCALENDAR, several VCALENDARs in one stream, unknown
//! components and properties are all fine. A malformed event is skipped with a warning naming
//! the source, its line and its UID; everything else in the text still counts. Never panics.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use chrono_tz::Tz;

use super::attendee::{PartStat, line_addresses};
use super::lexer::{ContentLine, Lexer};
use super::model::{
    Anchor, CalTime, Calendar, EndSpec, Event, FreeBusyPeriod, RDate, Status, ZoneId,
};
use super::recur::parse_rrule;
use super::tz::{Observance, VTimezone, Zone, resolve_tzid};
use super::values::{parse_date, parse_date_time, parse_duration, parse_utc_offset};
use super::warning::Warning;

/// At most this many RDATE values per event; more are dropped with a warning.
const MAX_DATES_PER_EVENT: usize = 100_000;

/// Parses a whole iCalendar text. `source` names it in warnings.
pub fn parse_calendar(text: &str, source: &str) -> Calendar {
    let mut p = Parser::new(source);
    // About one event per 250 bytes in real calendars: avoids regrowing a large vector.
    p.cal.events.reserve(text.len() / 250);
    p.run(Lexer::new(text));
    p.finish()
}

/// Bytes read at a time by [`parse_reader`].
const CHUNK: usize = 64 * 1024;

/// Parses iCalendar text from a reader, a chunk at a time: memory stays near one chunk plus the
/// parsed events, whatever the size of the text. Invalid UTF-8 is replaced, not rejected.
/// The result equals `parse_calendar` on the whole text.
pub fn parse_reader(mut reader: impl std::io::Read, source: &str) -> std::io::Result<Calendar> {
    let mut p = Parser::new(source);
    let mut buf: Vec<u8> = vec![0; CHUNK];
    let mut filled = 0;
    let mut first_line = 1;
    let mut first = true;
    loop {
        if filled == buf.len() {
            // One content line longer than the buffer: make room.
            buf.resize(buf.len() * 2, 0);
        }
        let n = loop {
            match reader.read(&mut buf[filled..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        filled += n;
        let eof = n == 0;
        // Cut after a line end that no folded continuation follows: a content line never
        // spans two chunks, and '\n' is never inside a UTF-8 sequence.
        let cut = if eof {
            filled
        } else {
            last_line_boundary(&buf[..filled])
        };
        if cut > 0 {
            let text = String::from_utf8_lossy(&buf[..cut]);
            let lexer = if first {
                Lexer::new(&text)
            } else {
                Lexer::continuing(&text, first_line)
            };
            first = false;
            first_line += memchr::memchr_iter(b'\n', &buf[..cut]).count() as u32;
            p.run(lexer);
            buf.copy_within(cut..filled, 0);
            filled -= cut;
        }
        if eof {
            break;
        }
    }
    Ok(p.finish())
}

/// The end of the last complete content line of `buf`: just after a '\n' whose next byte is
/// known and is not a folding space or tab. 0 when there is none yet.
fn last_line_boundary(buf: &[u8]) -> usize {
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr(b'\n', &buf[..end]) {
        match buf.get(i + 1) {
            Some(b' ') | Some(b'\t') | None => end = i,
            Some(_) => return i + 1,
        }
    }
    0
}

struct Parser<'s> {
    source: &'s str,
    cal: Calendar,
    /// Components open at the current line (kept across the chunks of a reader).
    stack: Vec<Frame>,
    /// X-WR-TIMEZONE of the VCALENDAR being read.
    x_wr: Option<Tz>,
    /// TZIDs seen so far; a calendar uses a handful, so a list beats hashing.
    tzid_names: Vec<String>,
    vtimezones: HashMap<String, VTimezone>,
}

/// An event being read: its properties as they come, checked at END:VEVENT.
#[derive(Default)]
struct EventDraft {
    line: u32,
    uid: Option<String>,
    start: Option<CalTime>,
    end: Option<CalTime>,
    duration: Option<super::model::Dur>,
    rrules: Vec<super::model::RecurRule>,
    rdates: Vec<RDate>,
    exdates: Vec<CalTime>,
    recurrence_id: Option<CalTime>,
    this_and_future: bool,
    status: Status,
    transparent: bool,
    summary: Option<String>,
    organizer: Vec<Box<str>>,
    declined: Vec<Box<str>>,
    /// (line, problem) found while reading; reported with the UID once it is known.
    problems: Vec<(u32, String)>,
    /// A problem that makes the event unusable.
    fatal: bool,
}

#[derive(Default)]
struct ObservanceDraft {
    start: Option<chrono::NaiveDateTime>,
    offset_from: Option<i32>,
    offset_to: Option<i32>,
    rrule: Option<super::model::RecurRule>,
    rdates: Vec<chrono::NaiveDateTime>,
}

enum Frame {
    Calendar,
    Event(Box<EventDraft>),
    FreeBusy,
    Timezone(Box<VTimezone>),
    Observance(Box<ObservanceDraft>),
    /// Any other component (VALARM, VTODO, X-...): its properties are ignored.
    Other,
}

impl<'s> Parser<'s> {
    fn new(source: &'s str) -> Self {
        Parser {
            source,
            cal: Calendar {
                source: source.to_owned(),
                ..Calendar::default()
            },
            stack: Vec::new(),
            x_wr: None,
            tzid_names: Vec::new(),
            vtimezones: HashMap::new(),
        }
    }

    fn warn(&mut self, line: u32, uid: Option<&str>, message: impl Into<String>) {
        self.cal.warnings.push(Warning {
            source: self.source.to_owned(),
            line,
            uid: uid.map(str::to_owned),
            message: message.into(),
        });
    }

    fn run(&mut self, lines: Lexer<'_>) {
        let mut stack = std::mem::take(&mut self.stack);
        let mut x_wr = self.x_wr;
        for cl in lines {
            if !cl.well_formed {
                let uid = current_uid(&stack);
                self.warn(
                    cl.line,
                    uid.as_deref(),
                    format!("line without ':' ignored: \"{}\"", clip(&cl.name)),
                );
                continue;
            }
            if cl.is("BEGIN") {
                let comp = cl.value.trim_ascii();
                let frame = if comp.eq_ignore_ascii_case("VCALENDAR") {
                    x_wr = None;
                    Frame::Calendar
                } else if comp.eq_ignore_ascii_case("VEVENT") && !in_event(&stack) {
                    Frame::Event(Box::new(EventDraft {
                        line: cl.line,
                        ..EventDraft::default()
                    }))
                } else if comp.eq_ignore_ascii_case("VFREEBUSY") {
                    Frame::FreeBusy
                } else if comp.eq_ignore_ascii_case("VTIMEZONE") {
                    Frame::Timezone(Box::default())
                } else if (comp.eq_ignore_ascii_case("STANDARD")
                    || comp.eq_ignore_ascii_case("DAYLIGHT"))
                    && matches!(stack.last(), Some(Frame::Timezone(_)))
                {
                    Frame::Observance(Box::default())
                } else {
                    Frame::Other
                };
                stack.push(frame);
                continue;
            }
            if cl.is("END") {
                match stack.pop() {
                    Some(frame) => self.close(frame, &mut stack, x_wr),
                    None => self.warn(
                        cl.line,
                        None,
                        format!("END:{} without BEGIN ignored", clip(&cl.value)),
                    ),
                }
                continue;
            }
            match stack.last_mut() {
                Some(Frame::Calendar) => {
                    if cl.is("X-WR-TIMEZONE") {
                        x_wr = std::str::FromStr::from_str(cl.value.trim_ascii()).ok();
                    }
                }
                Some(Frame::Event(draft)) => {
                    let draft: &mut EventDraft = draft;
                    self.event_property(draft, &cl);
                }
                Some(Frame::FreeBusy) => self.freebusy_property(&cl),
                Some(Frame::Timezone(vtz)) => {
                    if cl.is("TZID") {
                        vtz.tzid = cl.value.trim_ascii().to_owned();
                    }
                }
                Some(Frame::Observance(ob)) => observance_property(ob, &cl),
                Some(Frame::Other) | None => {}
            }
        }
        self.stack = stack;
        self.x_wr = x_wr;
    }

    fn close(&mut self, frame: Frame, stack: &mut [Frame], x_wr: Option<Tz>) {
        match frame {
            Frame::Event(draft) => self.finish_event(*draft, x_wr),
            Frame::Timezone(vtz) => {
                if !vtz.tzid.is_empty() {
                    self.vtimezones.insert(vtz.tzid.clone(), *vtz);
                }
            }
            Frame::Observance(ob) => {
                if let Some(Frame::Timezone(vtz)) = stack.last_mut()
                    && let (Some(start), Some(from), Some(to)) =
                        (ob.start, ob.offset_from, ob.offset_to)
                {
                    vtz.observances.push(Observance {
                        start,
                        offset_from: from,
                        offset_to: to,
                        rrule: ob.rrule,
                        rdates: ob.rdates,
                    });
                }
            }
            Frame::Calendar | Frame::FreeBusy | Frame::Other => {}
        }
    }

    fn zone_id(&mut self, tzid: &str) -> ZoneId {
        if let Some(id) = self.tzid_names.iter().position(|t| t == tzid) {
            return id as ZoneId;
        }
        self.tzid_names.push(tzid.to_owned());
        (self.tzid_names.len() - 1) as ZoneId
    }

    /// One DATE or DATE-TIME value with the property's TZID and VALUE parameters.
    fn time_value(&mut self, value: &str, cl: &ContentLine<'_>) -> Option<CalTime> {
        let value = value.trim_ascii();
        let is_date = cl
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || value.len() == 8;
        if is_date {
            // Some producers write a DATE with a time or a 'Z'; read the date part.
            return parse_date(value.get(..8)?)
                .filter(|_| value.len() == 8 || value.len() == 9)
                .map(CalTime::Date);
        }
        let (local, utc) = parse_date_time(value)?;
        // A TZID wins over a stray 'Z' (as the reference reads it).
        let anchor = if let Some(tzid) = cl.param("TZID") {
            Anchor::Zoned(self.zone_id(tzid))
        } else if utc {
            Anchor::Utc
        } else {
            Anchor::Floating
        };
        Some(CalTime::DateTime(local, anchor))
    }

    fn event_property(&mut self, d: &mut EventDraft, cl: &ContentLine<'_>) {
        let name = &*cl.name;
        // Most lines (SUMMARY, DESCRIPTION, DTSTAMP, ...) are not read: skip them by length first.
        if !matches!(name.len(), 3 | 5 | 6 | 7 | 8 | 9 | 13) {
            return;
        }
        let upper = |s: &str| s.eq_ignore_ascii_case(name);
        if upper("UID") {
            d.uid = Some(cl.value.trim_ascii().to_owned());
        } else if upper("DTSTART") {
            d.start = self.time_value(&cl.value, cl);
            if d.start.is_none() {
                d.problems
                    .push((cl.line, format!("bad DTSTART \"{}\"", clip(&cl.value))));
                d.fatal = true;
            }
        } else if upper("DTEND") {
            d.end = self.time_value(&cl.value, cl);
            if d.end.is_none() {
                d.problems.push((
                    cl.line,
                    format!("bad DTEND \"{}\"; ignored", clip(&cl.value)),
                ));
            }
        } else if upper("DURATION") {
            match parse_duration(&cl.value) {
                Some(dur) if !dur.is_negative() => d.duration = Some(dur),
                _ => d.problems.push((
                    cl.line,
                    format!("bad DURATION \"{}\"; ignored", clip(&cl.value)),
                )),
            }
        } else if upper("RRULE") {
            match parse_rrule(&cl.value) {
                Ok(rule) => d.rrules.push(rule),
                Err(e) => d
                    .problems
                    .push((cl.line, format!("{e}; only the first occurrence counts"))),
            }
        } else if upper("EXDATE") {
            // No cap: an EXDATE only removes time, and the values are bounded by the text.
            for v in cl.value.split(',') {
                match self.time_value(v, cl) {
                    Some(t) => d.exdates.push(t),
                    None => d
                        .problems
                        .push((cl.line, format!("bad EXDATE \"{}\"; ignored", clip(v)))),
                }
            }
        } else if upper("RDATE") {
            let period = cl
                .param("VALUE")
                .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
            for v in cl.value.split(',') {
                if d.rdates.len() >= MAX_DATES_PER_EVENT {
                    d.problems
                        .push((cl.line, "too many RDATE values; the rest ignored".into()));
                    break;
                }
                let rdate = if period || v.contains('/') {
                    self.period(v, cl).map(|(start, end)| RDate {
                        start,
                        end: Some(end),
                    })
                } else {
                    self.time_value(v, cl)
                        .map(|start| RDate { start, end: None })
                };
                match rdate {
                    Some(r) => d.rdates.push(r),
                    None => d
                        .problems
                        .push((cl.line, format!("bad RDATE \"{}\"; ignored", clip(v)))),
                }
            }
        } else if upper("RECURRENCE-ID") {
            d.recurrence_id = self.time_value(&cl.value, cl);
            d.this_and_future = cl
                .param("RANGE")
                .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
            if d.recurrence_id.is_none() {
                d.problems.push((
                    cl.line,
                    format!("bad RECURRENCE-ID \"{}\"", clip(&cl.value)),
                ));
                d.fatal = true;
            }
        } else if upper("STATUS") {
            let v = cl.value.trim_ascii();
            d.status = if v.eq_ignore_ascii_case("CANCELLED") {
                Status::Cancelled
            } else if v.eq_ignore_ascii_case("TENTATIVE") {
                Status::Tentative
            } else {
                Status::Confirmed
            };
        } else if upper("TRANSP") {
            d.transparent = cl.value.trim_ascii().eq_ignore_ascii_case("TRANSPARENT");
        } else if upper("SUMMARY") {
            d.summary = Some(unescape_text(&cl.value));
        } else if upper("ATTENDEE") {
            if PartStat::parse(cl.param("PARTSTAT")) == PartStat::Declined {
                d.declined.extend(
                    line_addresses(&cl.value, cl.param("EMAIL")).map(String::into_boxed_str),
                );
            }
        } else if upper("ORGANIZER") {
            d.organizer = line_addresses(&cl.value, cl.param("EMAIL"))
                .map(String::into_boxed_str)
                .collect();
        }
    }

    /// `start/end` or `start/duration`.
    fn period(&mut self, v: &str, cl: &ContentLine<'_>) -> Option<(CalTime, EndSpec)> {
        let (a, b) = v.split_once('/')?;
        let start = self.time_value(a, cl)?;
        let b = b.trim_ascii();
        let end = if b.starts_with(['P', 'p', '+', '-']) {
            let dur = parse_duration(b).filter(|d| !d.is_negative())?;
            EndSpec::Duration(dur)
        } else {
            EndSpec::End(self.time_value(b, cl)?)
        };
        Some((start, end))
    }

    fn freebusy_property(&mut self, cl: &ContentLine<'_>) {
        if !cl.is("FREEBUSY") {
            return;
        }
        let free = cl
            .param("FBTYPE")
            .is_some_and(|t| t.eq_ignore_ascii_case("FREE"));
        for v in cl.value.split(',') {
            match self.period(v, cl) {
                Some((start, end)) => self.cal.freebusy.push(FreeBusyPeriod { start, end, free }),
                None => self.warn(
                    cl.line,
                    None,
                    format!("bad FREEBUSY period \"{}\"; ignored", clip(v)),
                ),
            }
        }
    }

    fn finish_event(&mut self, d: EventDraft, x_wr: Option<Tz>) {
        let uid = d.uid.clone();
        for (line, msg) in &d.problems {
            let msg = if d.fatal {
                format!("{msg}; event skipped")
            } else {
                msg.clone()
            };
            self.warn(*line, uid.as_deref(), msg);
        }
        if d.fatal {
            return;
        }
        let Some(mut start) = d.start else {
            self.warn(d.line, uid.as_deref(), "event without DTSTART skipped");
            return;
        };
        let mut d = d;
        if let Some(end) = &mut d.end {
            mend_start_end(&mut start, end);
        }
        let end = match (d.end, d.duration) {
            (Some(end), _) => EndSpec::End(end),
            (None, Some(dur)) => EndSpec::Duration(dur),
            (None, None) => EndSpec::Missing,
        };
        self.cal.events.push(Event {
            uid: d.uid.map(String::into_boxed_str),
            line: d.line,
            start,
            end,
            rrules: d.rrules,
            rdates: d.rdates,
            exdates: d.exdates,
            recurrence_id: d.recurrence_id,
            this_and_future: d.this_and_future,
            superseded: false,
            master: None,
            overrides: Vec::new(),
            status: d.status,
            transparent: d.transparent,
            x_wr_timezone: x_wr,
            summary: d.summary.map(String::into_boxed_str),
            organizer: d.organizer,
            declined: d.declined,
        });
    }

    fn finish(mut self) -> Calendar {
        // A truncated text: close what is still open, so its events count.
        let mut stack = std::mem::take(&mut self.stack);
        if !stack.is_empty() {
            let open = stack.len();
            while let Some(frame) = stack.pop() {
                self.close(frame, &mut stack, self.x_wr);
            }
            self.warn(
                0,
                None,
                format!("text ends inside {open} open component(s)"),
            );
        }
        let names = std::mem::take(&mut self.tzid_names);
        let mut zones = Vec::with_capacity(names.len());
        for name in &names {
            match resolve_tzid(name, self.vtimezones.get(name)) {
                Ok(zone) => zones.push(zone),
                Err(msg) => {
                    self.warn(0, None, msg);
                    zones.push(Zone::Floating);
                }
            }
        }
        self.cal.zones = zones;
        link_series(&mut self.cal.events);
        self.cal
    }
}

/// Links each override to its master and marks masters superseded by a later one with the same
/// UID (an edited series written twice: the last one counts, as the reference reads it).
fn link_series(events: &mut [Event]) {
    let mut last_master: FxHashMap<&str, u32> = FxHashMap::default();
    for (i, e) in events.iter().enumerate() {
        if let (None, Some(uid)) = (&e.recurrence_id, e.uid.as_deref()) {
            last_master.insert(uid, i as u32);
        }
    }
    let links: Vec<(bool, Option<u32>)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let m = e.uid.as_deref().and_then(|u| last_master.get(u).copied());
            match e.recurrence_id {
                Some(_) => (false, m),
                None => (m.is_some_and(|m| m as usize != i), None),
            }
        })
        .collect();
    for (i, (superseded, master)) in links.into_iter().enumerate() {
        events[i].superseded = superseded;
        events[i].master = master;
        if let Some(m) = master {
            events[m as usize].overrides.push(i as u32);
        }
    }
}

/// Repairs what the reference repairs: a floating start or end takes the zone of the other one,
/// and an end before the start is swapped with it.
fn mend_start_end(start: &mut CalTime, end: &mut CalTime) {
    if let (CalTime::DateTime(_, sa), CalTime::DateTime(_, ea)) = (&mut *start, &mut *end) {
        match (*sa, *ea) {
            (Anchor::Floating, Anchor::Zoned(z)) => *sa = Anchor::Zoned(z),
            (Anchor::Zoned(z), Anchor::Floating) => *ea = Anchor::Zoned(z),
            _ => {}
        }
    }
    let comparable = match (&*start, &*end) {
        (CalTime::Date(_), CalTime::Date(_)) => true,
        (CalTime::DateTime(_, a), CalTime::DateTime(_, b)) => a == b,
        _ => false,
    };
    let before = match (&*start, &*end) {
        (CalTime::Date(a), CalTime::Date(b)) => b < a,
        (CalTime::DateTime(a, _), CalTime::DateTime(b, _)) => b < a,
        _ => false,
    };
    if comparable && before {
        std::mem::swap(start, end);
    }
}

fn observance_property(ob: &mut ObservanceDraft, cl: &ContentLine<'_>) {
    if cl.is("DTSTART") {
        ob.start = parse_date_time(&cl.value).map(|(t, _)| t);
    } else if cl.is("TZOFFSETFROM") {
        ob.offset_from = parse_utc_offset(&cl.value);
    } else if cl.is("TZOFFSETTO") {
        ob.offset_to = parse_utc_offset(&cl.value);
    } else if cl.is("RRULE") {
        ob.rrule = parse_rrule(&cl.value).ok();
    } else if cl.is("RDATE") {
        ob.rdates.extend(
            cl.value
                .split(',')
                .filter_map(|v| parse_date_time(v).map(|(t, _)| t)),
        );
    }
}

fn in_event(stack: &[Frame]) -> bool {
    stack.iter().any(|f| matches!(f, Frame::Event(_)))
}

fn current_uid(stack: &[Frame]) -> Option<String> {
    stack.iter().rev().find_map(|f| match f {
        Frame::Event(d) => d.uid.clone(),
        _ => None,
    })
}

/// A TEXT value (RFC 5545 3.3.11) without its escapes: `\n`/`\N` are new lines, `\,`,
/// `\;` and `\\` stand for themselves.
fn unescape_text(v: &str) -> String {
    if !v.contains('\\') {
        return v.to_owned();
    }
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Input quoted in a warning is cut short: warnings must stay readable and small.
fn clip(s: &str) -> String {
    const MAX: usize = 60;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

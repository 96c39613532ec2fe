//! iCalendar text for an event OpenSlot creates (a booking written into the owner's calendars).
//!
//! Invariant: every value a visitor typed is escaped as RFC 5545 TEXT (3.3.11) and control
//! characters are dropped, so no visitor input can start a property or a component; lines are
//! folded at 75 octets without splitting a UTF-8 character (3.1).

use chrono::{DateTime, Utc};

use super::interval::Interval;

/// A person on the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// An event OpenSlot writes. The `uid` is deterministic (derived from the booking), so writing
/// it twice names the same event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingEvent {
    pub uid: String,
    /// Incremented on every change of the same booking (reschedule).
    pub sequence: u32,
    /// When the text was made (DTSTAMP).
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub organizer: Option<Person>,
    pub attendees: Vec<Person>,
}

/// The VCALENDAR text of one event (CRLF line ends, folded).
/// The UID domain of the events OpenSlot writes for its bookings (`{id}@openslot`; events
/// written before one UID per booking carry `{id}-{sequence}@openslot`).
pub const BOOKING_UID_DOMAIN: &str = "@openslot";

/// The one UID of a booking (of one session of a series) for its whole life: the event written
/// into every calendar, every mail about it and the bookings feed carry it; a reschedule
/// updates it in place with a higher SEQUENCE, so calendars and clients see one event.
pub fn booking_uid(booking_id: &str) -> String {
    format!("{booking_id}{BOOKING_UID_DOMAIN}")
}

/// Whether an event is one OpenSlot wrote for a booking. Its time is the booking's, which the
/// booking store holds with its live status, so a calendar's copy is not busy time of its own:
/// a cancelled or moved booking frees its slot at once, not when the calendar's delete is read
/// back (one OpenSlot per calendar; two instances writing one calendar would not see each other's
/// bookings).
pub fn is_booking_event(uid: &str) -> bool {
    uid.ends_with(BOOKING_UID_DOMAIN)
}

/// An iTIP method (RFC 5546) of a scheduling message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItipMethod {
    /// An invitation or an update of it (same UID, higher SEQUENCE).
    Request,
    /// The event is off.
    Cancel,
}

/// The VCALENDAR of an iTIP message about one event (RFC 5546): `METHOD`, the organizer,
/// attendees asked to reply (REQUEST) and, for CANCEL, `STATUS:CANCELLED`.
pub fn itip_ics(event: &BookingEvent, method: ItipMethod) -> String {
    let mut out = String::with_capacity(1024);
    header(&mut out, None);
    fold_into(
        &mut out,
        match method {
            ItipMethod::Request => "METHOD:REQUEST",
            ItipMethod::Cancel => "METHOD:CANCEL",
        },
    );
    vevent_as(&mut out, event, Some(method));
    fold_into(&mut out, "END:VCALENDAR");
    out
}

pub fn booking_ics(event: &BookingEvent) -> String {
    events_ics(std::slice::from_ref(event), None)
}

/// One VCALENDAR with these events; `name` becomes X-WR-CALNAME (a feed's title).
pub fn events_ics(events: &[BookingEvent], name: Option<&str>) -> String {
    let mut out = String::with_capacity(512 * events.len().max(1));
    header(&mut out, name);
    for event in events {
        vevent(&mut out, event);
    }
    fold_into(&mut out, "END:VCALENDAR");
    out
}

/// Busy time as one VFREEBUSY (no titles, nothing but the intervals).
pub fn freebusy_ics(
    busy: &[Interval],
    window: Interval,
    stamp: DateTime<Utc>,
    uid: &str,
) -> String {
    let mut out = String::with_capacity(128 + 40 * busy.len());
    header(&mut out, None);
    let mut line = |text: &str| fold_into(&mut out, text);
    line("BEGIN:VFREEBUSY");
    line(&format!("UID:{}", text_value(uid)));
    line(&format!("DTSTAMP:{}", utc_value(stamp)));
    line(&format!("DTSTART:{}", utc_value(window.start)));
    line(&format!("DTEND:{}", utc_value(window.end)));
    for i in busy {
        line(&format!(
            "FREEBUSY;FBTYPE=BUSY:{}/{}",
            utc_value(i.start),
            utc_value(i.end)
        ));
    }
    line("END:VFREEBUSY");
    fold_into(&mut out, "END:VCALENDAR");
    out
}

fn header(out: &mut String, name: Option<&str>) {
    fold_into(out, "BEGIN:VCALENDAR");
    fold_into(out, "VERSION:2.0");
    fold_into(out, "PRODID:-//OpenSlot//OpenSlot//EN");
    fold_into(out, "CALSCALE:GREGORIAN");
    if let Some(n) = name {
        fold_into(out, &format!("X-WR-CALNAME:{}", text_value(n)));
    }
}

fn vevent(out: &mut String, event: &BookingEvent) {
    vevent_as(out, event, None);
}

/// A VEVENT as written into a calendar (`None`) or sent as an iTIP message.
fn vevent_as(out: &mut String, event: &BookingEvent, method: Option<ItipMethod>) {
    let mut line = |text: &str| fold_into(out, text);
    line("BEGIN:VEVENT");
    line(&format!("UID:{}", text_value(&event.uid)));
    line(&format!("DTSTAMP:{}", utc_value(event.stamp)));
    line(&format!("DTSTART:{}", utc_value(event.start)));
    line(&format!("DTEND:{}", utc_value(event.end)));
    line(&format!("SEQUENCE:{}", event.sequence));
    line(&format!("SUMMARY:{}", text_value(&event.summary)));
    if !event.description.is_empty() {
        line(&format!("DESCRIPTION:{}", text_value(&event.description)));
    }
    if let Some(location) = &event.location {
        line(&format!("LOCATION:{}", text_value(location)));
    }
    // A calendar's copy tells a scheduling server (RFC 6638: Cyrus/Fastmail, Nextcloud, SOGo,
    // iCloud) that the client does the scheduling, so it sends no invitation or cancellation
    // of its own: OpenSlot's mail (the iTIP message, without the parameter) is the only one.
    let agent = match method {
        None => "SCHEDULE-AGENT=CLIENT;",
        Some(_) => "",
    };
    if let Some(p) = &event.organizer {
        line(&format!("ORGANIZER;{agent}{}", person_value(p)));
    }
    let partstat = match method {
        None => "PARTSTAT=ACCEPTED",
        // The visitor chose the time: nothing to answer.
        Some(_) => "PARTSTAT=ACCEPTED;RSVP=FALSE",
    };
    for p in &event.attendees {
        line(&format!(
            "ATTENDEE;{agent}ROLE=REQ-PARTICIPANT;{partstat};{}",
            person_value(p)
        ));
    }
    line(match method {
        Some(ItipMethod::Cancel) => "STATUS:CANCELLED",
        _ => "STATUS:CONFIRMED",
    });
    line("TRANSP:OPAQUE");
    line("END:VEVENT");
}

fn utc_value(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `CN="name":mailto:email`, with the name as a quoted parameter value (no DQUOTE allowed in
/// it) and the address stripped of anything that could end the property.
fn person_value(p: &Person) -> String {
    let name: String = clean(&p.name)
        .filter(|c| !matches!(c, '"' | '\n'))
        .collect();
    let email: String = clean(&p.email)
        .filter(|c| !matches!(c, ';' | ':' | ',' | '"' | ' ' | '\n'))
        .collect();
    format!("CN=\"{name}\":mailto:{email}")
}

/// Characters that may appear in a value: no controls except the newline (escaped later).
fn clean(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| *c == '\n' || !c.is_control())
}

/// RFC 5545 TEXT escaping: backslash, semicolon, comma and newline.
pub fn text_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(&text.replace("\r\n", "\n")) {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Appends `text` as one content line folded at 75 octets, then CRLF.
fn fold_into(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_calendar;
    use chrono::TimeZone;

    fn event(summary: &str, description: &str) -> BookingEvent {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap();
        BookingEvent {
            uid: "booking-42@openslot".into(),
            sequence: 0,
            stamp: at(8),
            start: at(10),
            end: at(11),
            summary: summary.into(),
            description: description.into(),
            location: None,
            organizer: Some(Person {
                name: "Owner".into(),
                email: "owner@example.org".into(),
            }),
            attendees: vec![Person {
                name: "Eve \"x\";\r\nATTENDEE:mailto:evil@x".into(),
                email: "eve@example.org\r\nX:1".into(),
            }],
        }
    }

    #[test]
    fn hostile_text_stays_inside_its_value() {
        let hostile = "hi\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20261201T000000Z;,\\";
        let ics = booking_ics(&event(hostile, hostile));
        let cal = parse_calendar(&ics, "t");
        assert_eq!(cal.events.len(), 1, "{ics}");
        assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
        // Every line is a known property or a fold; none was injected.
        for l in ics
            .split("\r\n")
            .filter(|l| !l.is_empty() && !l.starts_with(' '))
        {
            let name = l.split([':', ';']).next().unwrap();
            assert!(
                [
                    "BEGIN",
                    "END",
                    "VERSION",
                    "PRODID",
                    "CALSCALE",
                    "UID",
                    "DTSTAMP",
                    "DTSTART",
                    "DTEND",
                    "SEQUENCE",
                    "SUMMARY",
                    "DESCRIPTION",
                    "ORGANIZER",
                    "ATTENDEE",
                    "STATUS",
                    "TRANSP"
                ]
                .contains(&name),
                "injected line {l:?}"
            );
        }
        assert_eq!(ics.matches("\r\nATTENDEE").count(), 1);
        assert_eq!(cal.events[0].uid.as_deref(), Some("booking-42@openslot"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let ics = booking_ics(&event(&"é".repeat(100), ""));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        let cal = parse_calendar(&ics, "t");
        assert_eq!(cal.events.len(), 1);
    }

    #[test]
    fn the_event_parses_back_to_its_time() {
        let e = event("Call", "");
        let cal = parse_calendar(&booking_ics(&e), "t");
        let window = crate::calendar::Interval {
            start: e.start - chrono::Duration::days(1),
            end: e.end + chrono::Duration::days(1),
        };
        let busy = crate::calendar::busy_intervals(
            &cal,
            window,
            chrono_tz::UTC,
            &Default::default(),
            &mut Vec::new(),
        );
        assert_eq!(
            busy,
            vec![crate::calendar::Interval {
                start: e.start,
                end: e.end
            }]
        );
    }

    #[test]
    fn a_freebusy_feed_parses_back_to_its_intervals() {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap();
        let window = Interval {
            start: at(0),
            end: at(23),
        };
        let busy = vec![
            Interval {
                start: at(9),
                end: at(10),
            },
            Interval {
                start: at(14),
                end: at(16),
            },
        ];
        let ics = freebusy_ics(&busy, window, at(0), "fb@openslot");
        let cal = parse_calendar(&ics, "t");
        let got = crate::calendar::busy_intervals(
            &cal,
            window,
            chrono_tz::UTC,
            &Default::default(),
            &mut Vec::new(),
        );
        assert_eq!(got, busy);
    }

    /// Content lines of `ics`, unfolded.
    fn unfolded(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_calendar_copy_tells_a_scheduling_server_not_to_schedule() {
        let mut e = event("Call", "");
        e.attendees[0] = Person {
            name: "Eve".into(),
            email: "eve@example.org".into(),
        };
        let l = unfolded(&booking_ics(&e));
        assert!(
            l.contains(
                &"ORGANIZER;SCHEDULE-AGENT=CLIENT;CN=\"Owner\":mailto:owner@example.org".to_owned()
            ),
            "{l:?}"
        );
        assert!(
            l.contains(
                &"ATTENDEE;SCHEDULE-AGENT=CLIENT;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;\
                  CN=\"Eve\":mailto:eve@example.org"
                    .to_owned()
            ),
            "{l:?}"
        );
        // Every person on the calendar copy carries it (the feed's copies too).
        let people = |ics: &str| {
            unfolded(ics)
                .into_iter()
                .filter(|x| x.starts_with("ORGANIZER") || x.starts_with("ATTENDEE"))
                .collect::<Vec<_>>()
        };
        for ics in [booking_ics(&e), events_ics(&[e.clone(), e.clone()], None)] {
            let p = people(&ics);
            assert_eq!(p.len(), 2 * ics.matches("BEGIN:VEVENT").count(), "{ics}");
            assert!(
                p.iter().all(|x| x.contains(";SCHEDULE-AGENT=CLIENT;")),
                "{p:?}"
            );
        }
        // The mail's iTIP message is the invitation: no SCHEDULE-AGENT there.
        for method in [ItipMethod::Request, ItipMethod::Cancel] {
            let itip = itip_ics(&e, method);
            assert_eq!(people(&itip).len(), 2, "{itip}");
            assert!(!itip.contains("SCHEDULE-AGENT"), "{itip}");
        }
        // Our own parser reads the parameter as any other: the event and its time stay.
        let cal = parse_calendar(&booking_ics(&e), "t");
        assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
        assert_eq!(cal.events.len(), 1);
    }

    #[test]
    fn text_escaping_follows_rfc_5545() {
        assert_eq!(
            text_value("a,b;c\\d\ne\r\nf\u{7}"),
            "a\\,b\\;c\\\\d\\ne\\nf"
        );
    }
}

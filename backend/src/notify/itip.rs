//! The calendar part of a booking mail (RFC 5546 iTIP over RFC 6047 iMIP): the booking's
//! event as `booking::outbox::booking_event` makes it, under one UID for the booking's whole
//! life, so a calendar client updates or removes the event it added instead of adding another.
//!
//! Invariants: the UID is the booking's (`calendar::booking_uid`, `{booking id}@openslot`), the
//! same as the event written into the owner's calendars and the bookings feed, so importing the
//! mail updates that event instead of adding a second (and it ends with the booking UID domain,
//! so a calendar that syncs the accepted invitation back is not read as busy time); REQUEST carries
//! the booking's sequence (0, then +1 per reschedule); CANCEL carries sequence + 1, which is
//! above every REQUEST ever sent for the booking. Pure: no I/O, `now` comes in with the event.

use crate::calendar::{BookingEvent, ItipMethod, itip_ics};

use super::Event;

/// The iTIP method of a notice; `None`: no calendar part (a reminder).
pub fn method(event: Event) -> Option<ItipMethod> {
    match event {
        Event::Created | Event::Rescheduled => Some(ItipMethod::Request),
        Event::Cancelled => Some(ItipMethod::Cancel),
        Event::Reminder
        | Event::ConfirmRequest
        | Event::Requested
        | Event::Declined
        | Event::Withdrawn => None,
    }
}

/// The VCALENDAR of a notice about `event` (made with the booking's UID), or `None`.
pub fn invitation(mut event: BookingEvent, notice: Event) -> Option<(ItipMethod, String)> {
    let method = method(notice)?;
    if method == ItipMethod::Cancel {
        event.sequence += 1;
    }
    Some((method, itip_ics(&event, method)))
}

/// `method=` of the text/calendar part.
pub fn method_name(method: ItipMethod) -> &'static str {
    match method {
        ItipMethod::Request => "REQUEST",
        ItipMethod::Cancel => "CANCEL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Person, booking_uid, parse_calendar};
    use chrono::{TimeZone, Utc};

    fn event(sequence: u32) -> BookingEvent {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap();
        BookingEvent {
            uid: booking_uid("b42"),
            sequence,
            stamp: at(8),
            start: at(10),
            end: at(11),
            summary: "Intro call: Eve".into(),
            description: "Notes:\r\nBEGIN:VEVENT\r\nUID:evil\r\nEND:VEVENT".into(),
            location: None,
            organizer: Some(Person {
                name: "Ada".into(),
                email: "ada@example.org".into(),
            }),
            attendees: vec![Person {
                name: "Eve \"the\" Visitor".into(),
                email: "eve@example.com".into(),
            }],
        }
    }

    fn lines(ics: &str) -> Vec<&str> {
        ics.split("\r\n").collect()
    }

    #[test]
    fn request_has_method_organizer_attendee_and_the_sequence() {
        let (m, ics) = invitation(event(2), Event::Rescheduled).unwrap();
        assert_eq!(m, ItipMethod::Request);
        let l = lines(&ics);
        assert!(l.contains(&"METHOD:REQUEST"), "{ics}");
        assert!(l.contains(&"UID:b42@openslot"));
        assert!(l.contains(&"SEQUENCE:2"));
        assert!(l.contains(&"STATUS:CONFIRMED"));
        assert!(l.contains(&"ORGANIZER;CN=\"Ada\":mailto:ada@example.org"));
        assert!(
            l.iter()
                .any(|x| x.starts_with("ATTENDEE;") && x.contains("RSVP=FALSE"))
        );
        // METHOD belongs to the VCALENDAR, before the component.
        let method_at = l.iter().position(|x| *x == "METHOD:REQUEST").unwrap();
        let event_at = l.iter().position(|x| *x == "BEGIN:VEVENT").unwrap();
        assert!(method_at < event_at);
    }

    #[test]
    fn cancel_is_above_every_request() {
        let (m, ics) = invitation(event(3), Event::Cancelled).unwrap();
        assert_eq!(m, ItipMethod::Cancel);
        let l = lines(&ics);
        assert!(l.contains(&"METHOD:CANCEL"));
        assert!(l.contains(&"SEQUENCE:4"));
        assert!(l.contains(&"STATUS:CANCELLED"));
        assert!(l.contains(&"UID:b42@openslot"));
    }

    #[test]
    fn reminders_carry_no_calendar_part() {
        assert_eq!(invitation(event(0), Event::Reminder), None);
    }

    #[test]
    fn visitor_text_cannot_start_a_component_and_our_parser_reads_one_event() {
        let (_, ics) = invitation(event(0), Event::Created).unwrap();
        let begins = lines(&ics).iter().filter(|l| **l == "BEGIN:VEVENT").count();
        assert_eq!(begins, 1, "{ics}");
        assert!(!ics.contains("\r\nUID:evil"));
        let cal = parse_calendar(&ics, "mail");
        assert_eq!(cal.events.len(), 1);
        assert_eq!(cal.events[0].uid.as_deref(), Some("b42@openslot"));
    }
}

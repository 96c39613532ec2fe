//! The words of a booking mail: subject, plain text and HTML, for one reader (the visitor in
//! the booking's zone with the manage link, or the owner in the owner's zone).
//!
//! Invariants: every value that came from a visitor is HTML-escaped in the HTML body; the
//! subject (a header) never holds a line break or a control character; times are shown in
//! the reader's zone with the zone's name. Pure: no I/O, no clock.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Event, Snapshot};

/// Who reads the mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Visitor,
    Owner,
}

/// What a mail says, around its facts.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub notice: Event,
    pub booking: &'a Snapshot,
    /// The event type's title.
    pub title: &'a str,
    /// The owner's shown name.
    pub owner_name: &'a str,
    pub reader: Reader,
    /// The reader's zone.
    pub zone: Tz,
    /// The visitor's manage link (visitor mails only; never in the owner's).
    pub manage_url: Option<&'a str>,
    /// Where the meeting is (the event type's location for this booking).
    pub location: Option<&'a str>,
}

/// A composed mail, before addresses and the calendar part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn compose(f: &Facts<'_>) -> Composed {
    let b = f.booking;
    let when = when(b.start, b.end, f.zone);
    // Names are one line already (visitor_text); kept so whatever the store holds.
    let name = one_line(&b.name);
    let (headline, subject) = match (f.notice, f.reader) {
        (Event::Created, Reader::Visitor) => (
            format!("Your booking with {} is confirmed.", f.owner_name),
            format!("Confirmed: {} with {}", f.title, f.owner_name),
        ),
        (Event::Created, Reader::Owner) => (
            format!("{} booked {}.", name, f.title),
            format!("New booking: {} with {}", f.title, name),
        ),
        (Event::Rescheduled, Reader::Visitor) => (
            format!("Your booking with {} has a new time.", f.owner_name),
            format!("Moved: {} with {}", f.title, f.owner_name),
        ),
        (Event::Rescheduled, Reader::Owner) => (
            format!("{} moved {}.", name, f.title),
            format!("Moved: {} with {}", f.title, name),
        ),
        (Event::Cancelled, Reader::Visitor) => (
            format!("Your booking with {} is cancelled.", f.owner_name),
            format!("Cancelled: {} with {}", f.title, f.owner_name),
        ),
        (Event::Cancelled, Reader::Owner) => (
            format!("The booking of {} by {} is cancelled.", f.title, name),
            format!("Cancelled: {} with {}", f.title, name),
        ),
        (Event::Reminder, Reader::Visitor) => (
            format!("A reminder of your booking with {}.", f.owner_name),
            format!("Reminder: {} with {}", f.title, f.owner_name),
        ),
        (Event::ConfirmRequest, _) => (
            format!(
                "Please confirm your booking with {}: the time is held for you until you do.",
                f.owner_name
            ),
            format!("Please confirm: {} with {}", f.title, f.owner_name),
        ),
        (Event::Requested, Reader::Visitor) => (
            format!(
                "Your request was sent to {}: the time is held for you while they decide. \
                 You will get a mail when they confirm or decline it.",
                f.owner_name
            ),
            format!("Request sent: {} with {}", f.title, f.owner_name),
        ),
        (Event::Requested, Reader::Owner) => (
            format!(
                "{} asks to book {}. Approve or decline the request in the dashboard's \
                 bookings; the time is held until then.",
                name, f.title
            ),
            format!("Booking request: {} with {}", f.title, name),
        ),
        (Event::Declined, _) if b.status == "expired" => (
            format!(
                "{} could not confirm your request in time; the time is free again.",
                f.owner_name
            ),
            format!("Not confirmed: {} with {}", f.title, f.owner_name),
        ),
        (Event::Withdrawn, _) => (
            format!(
                "{} withdrew the request for {}; the time is free again.",
                name, f.title
            ),
            format!("Withdrawn: {} with {}", f.title, name),
        ),
        (Event::Declined, _) => (
            format!("{} declined your request.", f.owner_name),
            format!("Declined: {} with {}", f.title, f.owner_name),
        ),
        (Event::Reminder, Reader::Owner) => (
            format!("A reminder of the booking by {}.", name),
            format!("Reminder: {} with {}", f.title, name),
        ),
    };
    let mut rows: Vec<(String, String)> =
        vec![("What".into(), f.title.to_owned()), ("When".into(), when)];
    if let Some(session) = b.session {
        rows.push(("Series".into(), format!("session {session}")));
    }
    if let Some(place) = f.location {
        rows.push(("Where".into(), place.to_owned()));
    }
    rows.push(("Who".into(), format!("{} <{}>", name, b.email)));
    for a in &b.answers {
        rows.push((one_line(&a.label), a.value.clone()));
    }
    if let Some(reason) = b.decline_reason.as_deref().filter(|r| !r.is_empty()) {
        rows.push(("Reason".into(), one_line(reason)));
    }
    if !b.notes.is_empty() {
        rows.push((
            "Notes".into(),
            b.notes.replace("\r\n", "\n").replace('\r', "\n"),
        ));
    }
    let mut text = format!("{headline}\n\n");
    for (label, value) in &rows {
        text.push_str(&format!("{label}: {value}\n"));
    }
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>{}</p><table>",
        escape_html(&headline)
    );
    for (label, value) in &rows {
        html.push_str(&format!(
            "<tr><th style=\"text-align:left;vertical-align:top\">{}</th><td>{}</td></tr>",
            escape_html(label),
            escape_html(value).replace('\n', "<br>")
        ));
    }
    html.push_str("</table>");
    if let (Some(url), Event::ConfirmRequest) = (f.manage_url, f.notice) {
        text.push_str(&format!("\nTo confirm the booking: {url}\n"));
        html.push_str(&format!(
            "<p><a href=\"{0}\">Confirm the booking</a></p>",
            escape_html(url)
        ));
    } else if let (Some(url), false) = (
        f.manage_url,
        matches!(
            f.notice,
            Event::Cancelled | Event::Declined | Event::Withdrawn
        ),
    ) {
        text.push_str(&format!("\nTo see, move or cancel the booking: {url}\n"));
        html.push_str(&format!(
            "<p><a href=\"{0}\">See, move or cancel the booking</a></p>",
            escape_html(url)
        ));
    }
    html.push_str("</body></html>\n");
    Composed {
        subject: one_line(&subject),
        text,
        html,
    }
}

/// "Tuesday, 1 December 2026, 10:00–10:30 (Europe/Berlin)", in `zone`.
pub fn when(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
    let (s, e) = (start.with_timezone(&zone), end.with_timezone(&zone));
    let end = if s.date_naive() == e.date_naive() {
        e.format("%H:%M").to_string()
    } else {
        e.format("%A, %-d %B %Y, %H:%M").to_string()
    };
    format!(
        "{}–{end} ({})",
        s.format("%A, %-d %B %Y, %H:%M"),
        zone.name()
    )
}

/// Text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One header-safe line: line breaks and other controls become spaces.
pub fn one_line(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| {
            if c.is_control() || crate::domain::visitor_text::is_line_break(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    line.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn snapshot(name: &str, notes: &str) -> Snapshot {
        Snapshot {
            id: "b1".into(),
            event_type: "intro".into(),
            start: Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 12, 1, 15, 30, 0).unwrap(),
            status: "confirmed".into(),
            sequence: 0,
            timezone: "America/New_York".into(),
            name: name.into(),
            email: "eve@example.com".into(),
            notes: notes.into(),
            answers: Vec::new(),
            series_id: None,
            session: None,
            visit_ref: None,
            decline_reason: None,
        }
    }

    fn facts<'a>(b: &'a Snapshot, reader: Reader, notice: Event) -> Facts<'a> {
        Facts {
            notice,
            booking: b,
            title: "Intro call",
            owner_name: "Ada",
            reader,
            zone: match reader {
                Reader::Visitor => chrono_tz::America::New_York,
                Reader::Owner => chrono_tz::Europe::Berlin,
            },
            manage_url: (reader == Reader::Visitor)
                .then_some("https://book.example.org/manage/b1?token=t&x=\"y\""),
            location: None,
        }
    }

    #[test]
    fn where_answers_and_the_session_are_told_and_escaped() {
        let mut b = snapshot("Eve", "");
        b.session = Some(2);
        b.answers = vec![crate::domain::details::Answer {
            id: "company".into(),
            label: "Company <b>".into(),
            value: "ACME <script>".into(),
        }];
        let mut f = facts(&b, Reader::Visitor, Event::Created);
        f.location = Some("https://meet.example.org/openslot-b1");
        let m = compose(&f);
        assert!(
            m.text
                .contains("Where: https://meet.example.org/openslot-b1"),
            "{}",
            m.text
        );
        assert!(m.text.contains("Company <b>: ACME <script>"), "{}", m.text);
        assert!(m.text.contains("Series: session 2"), "{}", m.text);
        assert!(
            m.html
                .contains("Company &lt;b&gt;</th><td>ACME &lt;script&gt;"),
            "{}",
            m.html
        );
        assert!(!m.html.contains("<script>"));
    }

    #[test]
    fn each_reader_sees_their_own_zone() {
        let b = snapshot("Eve", "");
        let v = compose(&facts(&b, Reader::Visitor, Event::Created));
        assert!(
            v.text
                .contains("Tuesday, 1 December 2026, 10:00–10:30 (America/New_York)"),
            "{}",
            v.text
        );
        let o = compose(&facts(&b, Reader::Owner, Event::Created));
        assert!(
            o.text
                .contains("Tuesday, 1 December 2026, 16:00–16:30 (Europe/Berlin)"),
            "{}",
            o.text
        );
    }

    #[test]
    fn only_the_visitor_gets_the_manage_link_and_not_after_a_cancel() {
        let b = snapshot("Eve", "");
        let v = compose(&facts(&b, Reader::Visitor, Event::Created));
        assert!(
            v.text
                .contains("https://book.example.org/manage/b1?token=t")
        );
        assert!(
            v.html.contains(
                "href=\"https://book.example.org/manage/b1?token=t&amp;x=&quot;y&quot;\""
            )
        );
        let o = compose(&facts(&b, Reader::Owner, Event::Created));
        assert!(!o.text.contains("/manage/"));
        let c = compose(&facts(&b, Reader::Visitor, Event::Cancelled));
        assert!(!c.text.contains("/manage/"));
    }

    #[test]
    fn visitor_text_is_escaped_in_html_and_subjects_are_one_line() {
        let b = snapshot(
            "<b>Eve</b>\r\nBcc: victim@example.com",
            "<script>alert(1)</script>\r\nBEGIN:VEVENT",
        );
        let o = compose(&facts(&b, Reader::Owner, Event::Created));
        assert!(!o.html.contains("<script>"), "{}", o.html);
        assert!(!o.html.contains("<b>Eve"));
        assert!(
            o.html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>BEGIN:VEVENT")
        );
        assert!(!o.subject.contains('\n') && !o.subject.contains('\r'));
        assert_eq!(
            o.subject,
            "New booking: Intro call with <b>Eve</b>  Bcc: victim@example.com"
        );
        assert!(!o.text.contains('\r'));
    }

    #[test]
    fn times_across_midnight_name_both_days() {
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 22, 30, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        assert_eq!(
            when(start, end, chrono_tz::Europe::Berlin),
            "Tuesday, 1 December 2026, 23:30–Wednesday, 2 December 2026, 00:30 (Europe/Berlin)"
        );
    }

    #[test]
    fn html_escape_covers_the_five() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn requests_and_declines_say_what_waits_and_why() {
        let b = snapshot("Eve", "");
        let asked = compose(&facts(&b, Reader::Visitor, Event::Requested));
        assert!(asked.subject.starts_with("Request sent"), "{asked:?}");
        assert!(asked.text.contains("while they decide"), "{asked:?}");
        assert!(asked.text.contains("To see, move or cancel"), "{asked:?}");
        let owner = compose(&facts(&b, Reader::Owner, Event::Requested));
        assert!(owner.subject.starts_with("Booking request"), "{owner:?}");
        assert!(owner.text.contains("Approve or decline"), "{owner:?}");

        let mut declined = snapshot("Eve", "");
        declined.status = "declined".into();
        declined.decline_reason = Some("Away <b>\r\nthat week".into());
        let told = compose(&facts(&declined, Reader::Visitor, Event::Declined));
        assert!(told.subject.starts_with("Declined"), "{told:?}");
        assert!(
            told.text.contains("Reason: Away <b>  that week"),
            "{told:?}"
        );
        assert!(told.html.contains("Away &lt;b&gt;"), "{told:?}");
        assert!(
            !told.text.contains("To see, move"),
            "nothing to manage: {told:?}"
        );

        declined.status = "expired".into();
        declined.decline_reason = None;
        let told = compose(&facts(&declined, Reader::Visitor, Event::Declined));
        assert!(told.subject.starts_with("Not confirmed"), "{told:?}");
        assert!(!told.text.contains("Reason:"), "{told:?}");
    }
}

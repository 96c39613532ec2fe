//! The confirmation: what and when (the visitor's zone and the owner's), "add to calendar"
//! (an .ics file made here, links for Google and Outlook on the web), and the manage link.

use leptos::prelude::*;
use openslot_wire::public::LocationKind;

use super::{BookingJson, BookingStatus, EventTypeJson, PageJson, announcer, focus_on_mount};
use crate::api::encode;
use crate::strings::public as t;
use crate::time;
use openslot_wire::public::ConfirmBy;
#[component]
pub fn Confirmation(
    booking: BookingJson,
    event: EventTypeJson,
    page: PageJson,
    on_again: Callback<()>,
) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_on_mount(heading);
    let what = t::with_whom(&event.title, &page.owner_name);
    if let Some(until) = booking.hold_until.clone() {
        // Pending (`confirm = "email"` or `"owner"`): nothing to add to a calendar or manage yet.
        let until = time::moment(&until, &booking.timezone);
        let (title, told) = if booking.confirm_by == Some(ConfirmBy::Owner) {
            (t::waiting_owner(), t::owner_decides().to_owned())
        } else {
            (t::check_mail(), t::held_until(&booking.email, &until))
        };
        announcer().say(format!("{title}. {told}"));
        return view! {
            <section aria-labelledby="step-title" class="confirmation pending">
                <h1 id="step-title" tabindex="-1" node_ref=heading>{title}</h1>
                <p class="held">{told}</p>
                <BookingFacts booking=booking.clone() event=event.clone() page=page.clone()/>
            </section>
        }
        .into_any();
    }
    announcer().say(format!("{}. {what}.", t::booked()));
    view! {
        <section aria-labelledby="step-title" class="confirmation">
            <h1 id="step-title" tabindex="-1" node_ref=heading>{t::booked()}</h1>
            <BookingFacts booking=booking.clone() event=event.clone() page=page.clone()/>
            <h2>{t::add_to_calendar()}</h2>
            <CalendarLinks booking=booking.clone() title=what.clone()/>
            <p class="manage">
                <a href=manage_path(&booking)>{t::manage_link()}</a>
                <br/><span class="hint">{t::manage_hint()}</span>
                <br/><code class="manage-url">{booking.manage_url.clone()}</code>
            </p>
            {(!page.mails_visitors).then(|| view! { <p class="notice no-mail">{t::no_mail()}</p> })}
            <CopyButton text=booking.manage_url.clone()/>
            <button type="button" class="secondary" on:click=move |_| on_again.run(())>{t::book_another()}</button>
        </section>
    }
    .into_any()
}

/// `/confirm/{id}?token=...`, the link mailed for `confirm = "email"`: confirms the booking,
/// then shows it on its manage page.
#[component]
pub fn ConfirmLink(
    id: String,
    token: String,
    route: RwSignal<crate::route::Route>,
) -> impl IntoView {
    let path = format!(
        "/api/v1/bookings/{}/confirm?token={}",
        encode(&id),
        encode(&token)
    );
    let answer = LocalResource::new(move || {
        crate::api::Call::send("POST", path.clone(), &()).json::<BookingJson>()
    });
    // Confirmed: the manage page shows the booking (and its manage link, now in the address).
    Effect::new(move |_| {
        if let Some(Ok(b)) = answer.get() {
            crate::route::navigate(route, &manage_path(&b));
        }
    });
    move || match answer.get() {
        None | Some(Ok(_)) => {
            view! { <main class="card"><p role="status">{t::confirming()}</p></main> }.into_any()
        }
        Some(Err(e)) => {
            let why = match e.status() {
                Some(410) => t::confirm_ended(),
                Some(404) => t::confirm_unknown(),
                _ => t::confirm_failed(),
            };
            view! {
                <main class="card">
                    <h1>{t::confirm_failed()}</h1>
                    <p role="alert">{why}</p>
                    <p><a href="/">{t::book_again()}</a></p>
                </main>
            }
            .into_any()
        }
    }
}

/// Copies `text` (the manage link) to the clipboard, and says so.
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let say = announcer();
    let copy = move |_| {
        let Some(w) = web_sys::window() else {
            return;
        };
        let promise = w.navigator().clipboard().write_text(&text);
        // Refused (no permission): the link stays on screen to copy by hand.
        leptos::task::spawn_local(async move {
            if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                copied.set(true);
                say.say(t::link_copied());
            }
        });
    };
    view! {
        <p class="copy">
            <button type="button" class="secondary copy-link" on:click=copy>{t::copy_link()}</button>
            " "<span class="hint">{move || copied.get().then(t::link_copied)}</span>
        </p>
    }
}

/// When and what, in the visitor's zone and (when it differs) the owner's.
#[component]
pub fn BookingFacts(booking: BookingJson, event: EventTypeJson, page: PageJson) -> impl IntoView {
    let visitor_zone = booking.timezone.clone();
    let owner_differs = visitor_zone != page.timezone;
    let stands = matches!(
        booking.status,
        BookingStatus::Confirmed | BookingStatus::Pending
    );
    view! {
        <dl class="facts">
            <dt>{event.title.clone()}</dt>
            <dd>{t::minutes(event.duration)}", "{page.owner_name.clone()}</dd>
            <dt>{t::when_yours()}</dt>
            <dd class="when-visitor">{time::moment(&booking.start, &visitor_zone)}" ("{visitor_zone.clone()}")"</dd>
            {owner_differs.then(|| view! {
                <dt>{t::when_owners(&page.owner_name)}</dt>
                <dd class="when-owner">{time::moment(&booking.start, &page.timezone)}" ("{page.timezone.clone()}")"</dd>
            })}
            {booking.series.clone().map(|series| view! {
                <dt>{t::your_sessions()}</dt>
                <dd>
                    <p class="meta">{t::frequency(series.frequency)}</p>
                    <ol class="sessions">
                        {series.sessions.into_iter().map(|s| {
                            let cancelled = s.status == BookingStatus::Cancelled;
                            let current = s.id == booking.id;
                            view! {
                                <li class:cancelled=cancelled aria-current=current.then_some("true")>
                                    {time::moment(&s.start, &visitor_zone)}
                                    {cancelled.then(|| format!(" ({})", t::session_cancelled()))}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </dd>
            })}
            // An ended booking (cancelled, declined, expired) has no place to go to or link to join.
            {stands.then(|| booking.location.clone()).flatten().and_then(|l| where_link(&l)).map(|place| view! {
                <dt>{t::where_label()}</dt>
                <dd class="where">{place}</dd>
            })}
            {booking.answers.iter().map(|a| view! {
                <dt>{a.label.clone()}</dt>
                <dd class="answer">{a.value.clone()}</dd>
            }).collect_view()}
            <dt>{t::name()}</dt>
            <dd>{booking.name.clone()}</dd>
            <dt>{t::email()}</dt>
            <dd>{booking.email.clone()}</dd>
        </dl>
    }
}

/// Where the meeting is, as something to click where it can be: the video link (only an
/// http(s) link is ever made a link), the number to call, or the address as text.
fn where_link(l: &super::LocationJson) -> Option<AnyView> {
    let value = l.value.clone()?;
    Some(match l.kind {
        LocationKind::Video if value.starts_with("https://") || value.starts_with("http://") => {
            view! {
                <a href=value.clone() rel="noopener noreferrer" target="_blank">{t::join_video()}</a>
                <br/><span class="manage-url">{value}</span>
            }
            .into_any()
        }
        LocationKind::Phone => {
            let tel: String = value
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            view! { <a href=format!("tel:{tel}")>{t::call_number(&value)}</a> }.into_any()
        }
        _ => view! { <span>{value}</span> }.into_any(),
    })
}

/// The manage page of a booking, on this site (the API's `manage_url` names the public URL).
pub fn manage_path(b: &BookingJson) -> String {
    format!(
        "/manage/{}?token={}",
        encode(&b.id),
        encode(&b.manage_token)
    )
}

/// "Add to your calendar": the .ics file and the Google and Outlook on the web links, each with
/// the place (the video link, address or number) and the manage link.
#[component]
pub fn CalendarLinks(booking: BookingJson, title: String) -> impl IntoView {
    let (start, end) = (
        time::utc_stamp(&booking.start),
        time::utc_stamp(&booking.end),
    );
    let place = place_of(&booking);
    let details = event_details(place, &booking.manage_url);
    let google = format!(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text={}&dates={start}/{end}&details={}&location={}",
        encode(&title),
        encode(&details),
        encode(place)
    );
    let outlook = format!(
        "https://outlook.live.com/calendar/0/deeplink/compose?path=/calendar/action/compose&rru=addevent&subject={}&startdt={}&enddt={}&body={}&location={}",
        encode(&title),
        encode(&booking.start),
        encode(&booking.end),
        encode(&details),
        encode(place)
    );
    let ics = ics_file(&booking, &title);
    let href = blob_url(&ics);
    view! {
        <ul class="calendar-links">
            <li><a href=href download="booking.ics">{t::download_ics()}</a></li>
            <li><a href=google rel="noopener noreferrer" target="_blank">{t::google()}</a></li>
            <li><a href=outlook rel="noopener noreferrer" target="_blank">{t::outlook()}</a></li>
        </ul>
    }
}

/// A calendar file (RFC 5545) with the booking, or every confirmed session of its series; times
/// in UTC, text escaped.
pub fn ics_file(b: &BookingJson, title: &str) -> String {
    let single = [(
        b.id.as_str(),
        b.start.as_str(),
        b.end.as_str(),
        b.manage_url.as_str(),
    )];
    let events: Vec<(&str, &str, &str, &str)> = match &b.series {
        Some(series) => series
            .sessions
            .iter()
            .filter(|s| s.status != BookingStatus::Cancelled)
            .map(|s| {
                (
                    s.id.as_str(),
                    s.start.as_str(),
                    s.end.as_str(),
                    s.manage_url.as_str(),
                )
            })
            .collect(),
        None => single.to_vec(),
    };
    let stamp = time::utc_stamp(&b.start);
    let place = place_of(b);
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//OpenSlot//Booking page//EN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
    ];
    for (id, start, end, manage) in events {
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}@openslot", ics_text(id)),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART:{}", time::utc_stamp(start)),
            format!("DTEND:{}", time::utc_stamp(end)),
        ]);
        lines.extend(what_and_where(title, place, manage));
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

/// An event's SUMMARY, LOCATION (when there is a place), DESCRIPTION (the place, then the
/// manage link) and URL (the manage link) lines.
fn what_and_where(title: &str, place: &str, manage: &str) -> Vec<String> {
    let mut lines = vec![format!("SUMMARY:{}", ics_text(title))];
    if !place.is_empty() {
        lines.push(format!("LOCATION:{}", ics_text(place)));
    }
    lines.push(format!(
        "DESCRIPTION:{}",
        ics_text(&event_details(place, manage))
    ));
    if !manage.is_empty() {
        lines.push(format!("URL:{}", ics_text(manage)));
    }
    lines
}

/// Where the meeting is (the video link, address or number), or "".
fn place_of(b: &BookingJson) -> &str {
    b.location
        .as_ref()
        .and_then(|l| l.value.as_deref())
        .unwrap_or_default()
}

/// A calendar entry's text: the place (a video link stays clickable in every calendar), then
/// the manage link with its hint.
fn event_details(place: &str, manage: &str) -> String {
    let hint = t::manage_hint();
    if place.is_empty() {
        format!("{hint}\n{manage}")
    } else {
        format!("{place}\n\n{hint}\n{manage}")
    }
}

/// Folds a content line to at most 75 octets per physical line (RFC 5545 3.1).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

/// TEXT value escaping (RFC 5545 3.3.11).
fn ics_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn blob_url(text: &str) -> String {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/calendar");
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .ok()
        .and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_entries_keep_the_video_link_and_the_manage_link() {
        let manage = "https://book.example.org/manage/b1?token=t";
        let lines = what_and_where("Intro; call", "https://meet.example.org/x", manage);
        let hint = ics_text(crate::strings::public::manage_hint());
        assert_eq!(
            lines,
            [
                "SUMMARY:Intro\\; call".to_owned(),
                "LOCATION:https://meet.example.org/x".to_owned(),
                format!("DESCRIPTION:https://meet.example.org/x\\n\\n{hint}\\n{manage}"),
                format!("URL:{manage}"),
            ]
        );
        let plain = what_and_where("Intro", "", manage);
        assert_eq!(plain.len(), 3, "no LOCATION without a place: {plain:?}");
        assert_eq!(plain[1], format!("DESCRIPTION:{hint}\\n{manage}"));
    }

    #[test]
    fn ics_text_is_escaped() {
        assert_eq!(ics_text("a;b,c\\d\ne\r\u{7}"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_on_character_boundaries() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&line);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(folded.replace("\r\n ", ""), line);
    }
}

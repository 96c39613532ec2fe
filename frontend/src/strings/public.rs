//! The booking page and the manage page, in English; the other languages translate the same
//! keys (`frontend/i18n/<code>.json`, fetched only for visitors who get them: `lang.rs`). A
//! key's English text is below; a text with `{name}` places is filled in by the function of
//! the same purpose. A unit test holds every translation to exactly these keys and places.

use openslot_wire::ErrorCode;
use openslot_wire::public::{ConflictReason, Frequency, LocationKind};

macro_rules! texts {
    (plain { $($p:ident = $pe:expr,)* } templates { $($k:ident = $ke:expr,)* }) => {
        /// A text's key (its index in [`ENGLISH`]).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        enum K { $($p,)* $($k,)* }
        /// Every key, in the order of [`ENGLISH`]: the names in the translations' JSON, in this
        /// order (the page reads the texts by place; the names are for translators and tests).
        #[cfg(test)]
        pub const KEYS: &[&str] = &[$(stringify!($p),)* $(stringify!($k),)*];
        /// Every text in English, by key.
        pub const ENGLISH: &[&str] = &[$($pe,)* $($ke,)*];
        $(pub fn $p() -> &'static str { tr(K::$p) })*
    };
}

/// The text of `key` in the page's language (English when the language lacks it).
fn tr(key: K) -> &'static str {
    let i = key as usize;
    super::lang::text(i).unwrap_or_else(|| ENGLISH.get(i).copied().unwrap_or_default())
}

/// The text of `key` with each `{name}` replaced by its value.
fn fill(key: K, values: &[(&str, &str)]) -> String {
    let mut text = tr(key).to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

texts! {
plain {
    // The page around everything.
    page_title = "Book a time",
    loading_page = "Loading the booking page…",
    page_failed = "The booking page could not be loaded.",
    retry = "Try again",
    logo_alt = "Logo",
    language = "Language",
    clock_label = "Time format",
    clock_24 = "24-hour",
    clock_12 = "12-hour",
    // Choosing what to book.
    choose_type = "What would you like to book?",
    change_type = "Choose another meeting",
    one_hour = "1 hour",
    // The time zone.
    change_zone = "Change time zone",
    zone_label = "Time zone",
    zone_hint = "Type a city or country, e.g. Tokyo or Japan, then pick it from the list",
    zone_options = "Matching time zones",
    zone_apply = "Use this time zone",
    zone_cancel = "Keep the current one",
    zone_unknown = "That is not a time zone this browser knows. Pick one from the list.",
    // The month and the day.
    pick_day = "Pick a day",
    previous_month = "Previous month",
    next_month = "Next month",
    loading_slots = "Loading free times…",
    slots_failed = "Free times could not be loaded.",
    no_free_times = "no free times",
    one_free_time = "1 free time",
    try_next_month = "Look in the next month",
    calendars_unavailable = "Times cannot be shown right now: the owner's calendar cannot be read at the moment. Please try again in a little while.",
    no_slots_at_all = "There are no free times to book at the moment. Please check back later.",
    // The form.
    your_details = "Your details",
    back_to_times = "Back to the times",
    name = "Name",
    email = "Email",
    notes = "Anything to share before the meeting? (optional)",
    book = "Book this time",
    booking = "Booking…",
    fix_fields = "Please fix the fields marked below.",
    solving = "Checking that you are a person (this takes a moment, no puzzle to solve)…",
    captcha_failed = "The check that you are a person did not work. Please try again.",
    captcha_unsupported = "This browser cannot run the check that you are a person (it needs web workers).",
    unreachable = "The booking service is not answering right now; try again in a minute.",
    offline = "You seem to be offline. Nothing was booked; your details are kept. Try again when you are back online.",
    rate_limited_minute = "Too many attempts from your network. Please wait a minute, then try again.",
    stale = "The calendar could not be checked just now, so this time cannot be confirmed. Nothing was booked. Please try again in a few minutes.",
    server_error = "Something went wrong on our side. Nothing was booked. Please try again.",
    // What the server refused, by its error code.
    not_found = "This was not found: the link may be incomplete, or what it pointed to no longer exists.",
    invalid = "Some of what was sent was not accepted. Please check your entries and try again.",
    too_large = "What you entered is too long. Please shorten it and try again.",
    refused = "This request was refused. Please reload the page and try again.",
    series_refused = "Not every session of the series is possible. Choose fewer sessions or another time.",
    // The time was taken.
    just_taken = "Sorry, someone booked that time a moment ago.",
    next_free = "The next free times:",
    pick_another = "Please pick another time.",
    // The confirmation.
    booked = "You are booked",
    check_mail = "Check your mail to confirm",
    waiting_owner = "Waiting for the owner's confirmation",
    owner_decides = "The time is held for you until the owner decides. You will get a mail then.",
    withdraw = "Withdraw the request",
    withdrawn = "Your request is withdrawn; the time is free again.",
    declined = "The owner declined this request; the time is free again.",
    confirming = "Confirming your booking…",
    confirm_failed = "The booking could not be confirmed.",
    confirm_ended = "This booking was not confirmed in time, so the time is free again. Please book again.",
    confirm_unknown = "This confirmation link is not valid.",
    book_again = "Go to the booking page",
    when_yours = "Your time",
    add_to_calendar = "Add to your calendar",
    download_ics = "Download .ics",
    google = "Google Calendar",
    outlook = "Outlook.com",
    manage_hint = "Keep this link: it lets you see, move or cancel the booking.",
    manage_link = "Manage this booking",
    copy_link = "Copy the link",
    link_copied = "The link is copied.",
    no_mail = "No e-mail will be sent about this booking: this page is the only place the link is shown. Copy it, or add the booking to your calendar (the link is in the event).",
    book_another = "Book another time",
    // The manage page.
    your_booking = "Your booking",
    loading_booking = "Loading your booking…",
    bad_link = "This link is not valid, or the booking no longer exists. Check that you copied the whole link.",
    cancelled = "This booking is cancelled.",
    cancel = "Cancel the booking",
    cancel_confirm = "Cancel this booking? This cannot be undone.",
    cancel_yes = "Yes, cancel it",
    cancel_no = "No, keep it",
    cancel_done = "The booking is cancelled. The time is free again.",
    reschedule = "Move to another time",
    reschedule_pick = "Pick the new time",
    reschedule_yes = "Yes, move it",
    keep_time = "Keep the current time",
    // Series (event types that repeat).
    repeat_legend = "How often",
    repeat_once = "Just once",
    every_week = "Every week",
    every_two_weeks = "Every 2 weeks",
    sessions = "Number of sessions",
    your_sessions = "Your sessions",
    session_cancelled = "cancelled",
    conflict_busy = "that time is already taken",
    conflict_unavailable = "the owner is not available then",
    conflict_beyond_horizon = "it is further ahead than bookings are taken",
    conflict_day_full = "that day is fully booked",
    cancel_session = "Cancel only this session",
    cancel_following = "Cancel this and all later sessions",
    cancel_following_confirm = "Cancel this session and every later one of the series? This cannot be undone.",
    cancel_following_done = "This session and the later ones are cancelled.",
    // Where the meeting is; the owner's questions.
    video_call = "Video call (the link comes with your booking)",
    phone_call = "Phone call (the number comes with your booking)",
    where_label = "Where",
    join_video = "Join the video call",
    choose = "Choose…",
    optional = "(optional)",
    required_answer = "is required",
    // Why a typed value is refused (the rules of `visitor_text`, in the wire crate).
    must_not_be_empty = "must not be empty",
    needs_visible = "must contain at least one visible letter, digit or sign",
    no_encoded_word = "must not contain \"=?\" followed by \"?=\" (a mail encoding)",
    single_line = "must be a single line",
    no_control = "must not contain control characters",
    no_direction = "must not contain characters that change the text direction",
    email_spaces = "it must not contain spaces or line breaks",
    email_no_at = "it has no @",
    email_two_ats = "it has more than one @",
    email_nothing_before = "nothing before the @",
    email_local_long = "the part before the @ is longer than 64 characters",
    email_local_chars = "the part before the @ contains characters that are not allowed",
    email_local_dot = "the part before the @ has a misplaced dot",
    email_nothing_after = "nothing after the @",
    email_needs_dot = "the part after the @ needs a dot, like example.com",
    email_domain_dot = "the part after the @ has a misplaced dot",
    email_label_long = "a part of the domain is longer than 63 characters",
    email_domain_chars = "the part after the @ contains characters that are not allowed",
    email_hyphen = "a part of the domain starts or ends with a hyphen",
    email_numeric = "the domain must end in a name, not a number",
    not_valid = "is not valid",
}
templates {
    book_with = "Book a time with {owner}",
    hours = "{n} hours",
    minutes = "{n} min",
    times_in = "Times are shown in {zone}",
    zone_changed = "Times are now shown in {zone}.",
    free_times = "{n} free times",
    no_slots_in_month = "No free times in {month}.",
    slots_of = "Free times on {day}",
    slots_loaded = "{month}: {free}.",
    notes_count = "{n} of {max} characters",
    field_error = "{field} {reason}.",
    rate_limited = "Too many attempts from your network. Please wait {seconds} seconds, then try again.",
    held_until = "We sent a link to {email}. Follow it to confirm the booking: the time is held for you until {until}. Nothing is booked until then.",
    with_whom = "{title} with {owner}",
    when_owners = "{owner}'s time",
    reschedule_confirm = "Move the booking to {time}?",
    sessions_hint = "2 to {max}, at the same time each time. All of them are booked, or none.",
    series_conflict = "Nothing was booked: session {session} ({time}) is not possible, because {why}. Choose fewer sessions or another time.",
    in_person = "In person: {address}",
    call_number = "Call {number}",
    not_a_choice = "must be one of: {choices}",
    too_long = "must not be longer than {max} characters (it has {len})",
    not_an_address = "is not an email address ({why})",
    moved_to = "The booking is moved to {when}.",
}
}

pub fn book_with(owner: &str) -> String {
    fill(K::book_with, &[("owner", owner)])
}

/// "30 min", "1 hour", "2 hours".
pub fn minutes(n: u32) -> String {
    if n.is_multiple_of(60) && n >= 60 {
        match n / 60 {
            1 => one_hour().to_owned(),
            h => fill(K::hours, &[("n", &h.to_string())]),
        }
    } else {
        fill(K::minutes, &[("n", &n.to_string())])
    }
}

pub fn moved_to(when: &str) -> String {
    fill(K::moved_to, &[("when", when)])
}
pub fn times_in(zone: &str) -> String {
    fill(K::times_in, &[("zone", zone)])
}
pub fn zone_changed(zone: &str) -> String {
    fill(K::zone_changed, &[("zone", zone)])
}
pub fn free_times(n: usize) -> String {
    match n {
        0 => no_free_times().to_owned(),
        1 => one_free_time().to_owned(),
        n => fill(K::free_times, &[("n", &n.to_string())]),
    }
}
pub fn no_slots_in_month(month: &str) -> String {
    fill(K::no_slots_in_month, &[("month", month)])
}
pub fn slots_of(day: &str) -> String {
    fill(K::slots_of, &[("day", day)])
}
pub fn slots_loaded(month: &str, n: usize) -> String {
    fill(
        K::slots_loaded,
        &[("month", month), ("free", &free_times(n))],
    )
}
pub fn notes_count(n: usize, max: usize) -> String {
    fill(
        K::notes_count,
        &[("n", &n.to_string()), ("max", &max.to_string())],
    )
}
/// "Name must not be empty.": `reason` as the wire crate's rules word it, in the page's language.
pub fn field_error(field: &str, reason: &str) -> String {
    fill(
        K::field_error,
        &[("field", field), ("reason", &refusal(reason))],
    )
}
pub fn rate_limited(seconds: Option<u32>) -> String {
    match seconds {
        Some(s) => fill(K::rate_limited, &[("seconds", &s.to_string())]),
        None => rate_limited_minute().to_owned(),
    }
}
/// After booking an event type that asks for a confirmation by mail.
pub fn held_until(email: &str, until: &str) -> String {
    fill(K::held_until, &[("email", email), ("until", until)])
}
pub fn with_whom(title: &str, owner: &str) -> String {
    fill(K::with_whom, &[("title", title), ("owner", owner)])
}
pub fn when_owners(owner: &str) -> String {
    fill(K::when_owners, &[("owner", owner)])
}
pub fn reschedule_confirm(new: &str) -> String {
    fill(K::reschedule_confirm, &[("time", new)])
}
pub fn frequency(f: Frequency) -> &'static str {
    match f {
        Frequency::Weekly => every_week(),
        Frequency::EveryTwoWeeks => every_two_weeks(),
    }
}
pub fn sessions_hint(max: u32) -> String {
    fill(K::sessions_hint, &[("max", &max.to_string())])
}
pub fn series_conflict(session: u32, when: &str, reason: ConflictReason) -> String {
    let why = match reason {
        ConflictReason::Busy => conflict_busy(),
        ConflictReason::Unavailable => conflict_unavailable(),
        ConflictReason::BeyondHorizon => conflict_beyond_horizon(),
        ConflictReason::DayFull => conflict_day_full(),
    };
    fill(
        K::series_conflict,
        &[
            ("session", &session.to_string()),
            ("time", when),
            ("why", why),
        ],
    )
}
pub fn location_before(kind: LocationKind, value: Option<&str>) -> String {
    match (kind, value) {
        (LocationKind::Address, Some(address)) => fill(K::in_person, &[("address", address)]),
        (LocationKind::Address, None) => String::new(),
        (LocationKind::Video, _) => video_call().to_owned(),
        (LocationKind::Phone, _) => phone_call().to_owned(),
    }
}
pub fn call_number(number: &str) -> String {
    fill(K::call_number, &[("number", number)])
}
/// Why an answer is refused, worded as the API words it (shown through [`field_error`]).
pub fn not_a_choice(choices: &[String]) -> String {
    english(K::not_a_choice).replace("{choices}", &choices.join(", "))
}
/// Why an empty answer is refused, worded as the API words it.
pub fn answer_required() -> String {
    english(K::required_answer).to_owned()
}

/// The page's sentence for an error code of the API (never the server's English message).
pub fn error_code(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::NotFound => not_found(),
        ErrorCode::Invalid => invalid(),
        ErrorCode::Captcha => captcha_failed(),
        ErrorCode::NotFree => just_taken(),
        ErrorCode::SeriesConflict => series_refused(),
        ErrorCode::RateLimited => rate_limited_minute(),
        ErrorCode::CalendarsStale => stale(),
        ErrorCode::HoldEnded => confirm_ended(),
        ErrorCode::TooLarge => too_large(),
        ErrorCode::Internal => server_error(),
        _ => refused(),
    }
}

/// The fixed reasons of the wire crate's text rules (`visitor_text`), by their English words.
const REASONS: &[K] = &[
    K::must_not_be_empty,
    K::needs_visible,
    K::no_encoded_word,
    K::single_line,
    K::no_control,
    K::no_direction,
    K::email_spaces,
    K::email_no_at,
    K::email_two_ats,
    K::email_nothing_before,
    K::email_local_long,
    K::email_local_chars,
    K::email_local_dot,
    K::email_nothing_after,
    K::email_needs_dot,
    K::email_domain_dot,
    K::email_label_long,
    K::email_domain_chars,
    K::email_hyphen,
    K::email_numeric,
    K::required_answer,
];

fn english(key: K) -> &'static str {
    ENGLISH.get(key as usize).copied().unwrap_or_default()
}

/// Fills `key`'s English template back in: the values of its places in `text`, when `text` is
/// that template filled in (`"{a} x ({b})"` against `"1 x (2)"` gives `["1", "2"]`).
fn places_of(key: K, text: &str) -> Option<Vec<String>> {
    let template = english(key);
    let mut values = Vec::new();
    let mut rest = text;
    let mut parts = template.split('{').peekable();
    let literal = parts.next().unwrap_or_default();
    rest = rest.strip_prefix(literal)?;
    while let Some(part) = parts.next() {
        let (_, after) = part.split_once('}')?;
        let end = if after.is_empty() && parts.peek().is_none() {
            rest.len()
        } else {
            rest.find(after)?
        };
        values.push(rest.get(..end)?.to_owned());
        rest = rest.get(end + after.len()..)?;
    }
    rest.is_empty().then_some(values)
}

/// A reason from the wire crate's rules (English, as the API and `visitor_text` word it), in
/// the page's language; an unknown one (a newer server) is "is not valid".
pub fn refusal(reason: &str) -> String {
    if super::lang::current() == "en" {
        return reason.to_owned();
    }
    translate_refusal(reason).unwrap_or_else(|| not_valid().to_owned())
}

fn translate_refusal(reason: &str) -> Option<String> {
    if let Some(key) = REASONS.iter().find(|k| english(**k) == reason) {
        return Some(tr(*key).to_owned());
    }
    if let Some(v) = places_of(K::too_long, reason) {
        let (max, len) = (v.first()?, v.get(1)?);
        return Some(fill(K::too_long, &[("max", max), ("len", len)]));
    }
    if reason.starts_with("must be one of: ") {
        let choices = reason.strip_prefix("must be one of: ")?;
        return Some(fill(K::not_a_choice, &[("choices", choices)]));
    }
    let places = places_of(K::not_an_address, reason)?;
    let why = places.first()?;
    let why = REASONS.iter().find(|k| english(**k) == why)?;
    Some(fill(K::not_an_address, &[("why", tr(*why))]))
}

#[cfg(test)]
mod tests;

//! The booking page and the manage page.

use openslot_wire::public::{ConflictReason, Frequency, LocationKind};

// The page around everything.
pub const LOADING_PAGE: &str = "Loading the booking page…";
pub const PAGE_FAILED: &str = "The booking page could not be loaded.";
pub const RETRY: &str = "Try again";
pub const LOGO_ALT: &str = "Logo";
pub fn book_with(owner: &str) -> String {
    format!("Book a time with {owner}")
}

// Choosing what to book.
pub const CHOOSE_TYPE: &str = "What would you like to book?";
pub fn minutes(n: u32) -> String {
    if n.is_multiple_of(60) && n >= 60 {
        let h = n / 60;
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("{n} min")
    }
}
pub const CHANGE_TYPE: &str = "Choose another meeting";

// The time zone.
pub fn times_in(zone: &str) -> String {
    format!("Times are shown in {zone}")
}
pub const CHANGE_ZONE: &str = "Change time zone";
pub const ZONE_LABEL: &str = "Time zone";
pub const ZONE_HINT: &str =
    "Type a city or country, e.g. Tokyo or Japan, then pick it from the list";
pub const ZONE_OPTIONS: &str = "Matching time zones";
pub const ZONE_APPLY: &str = "Use this time zone";
pub const ZONE_CANCEL: &str = "Keep the current one";
pub const ZONE_UNKNOWN: &str =
    "That is not a time zone this browser knows. Pick one from the list.";
pub fn zone_changed(zone: &str) -> String {
    format!("Times are now shown in {zone}.")
}

// The month and the day.
pub const PICK_DAY: &str = "Pick a day";
pub const PREVIOUS_MONTH: &str = "Previous month";
pub const NEXT_MONTH: &str = "Next month";
pub const LOADING_SLOTS: &str = "Loading free times…";
pub const SLOTS_FAILED: &str = "Free times could not be loaded.";
pub fn free_times(n: usize) -> String {
    match n {
        0 => "no free times".to_owned(),
        1 => "1 free time".to_owned(),
        n => format!("{n} free times"),
    }
}
pub fn no_slots_in_month(month: &str) -> String {
    format!("No free times in {month}.")
}
pub const TRY_NEXT_MONTH: &str = "Look in the next month";
pub const CALENDARS_UNAVAILABLE: &str = "Times cannot be shown right now: the owner's calendar cannot be read at the moment. Please try again in a little while.";
pub const NO_SLOTS_AT_ALL: &str =
    "There are no free times to book at the moment. Please check back later.";
pub fn slots_of(day: &str) -> String {
    format!("Free times on {day}")
}
pub fn slots_loaded(month: &str, n: usize) -> String {
    format!("{month}: {}.", free_times(n))
}

// The form.
pub const YOUR_DETAILS: &str = "Your details";
pub const BACK_TO_TIMES: &str = "Back to the times";
pub const NAME: &str = "Name";
pub const EMAIL: &str = "Email";
pub const NOTES: &str = "Anything to share before the meeting? (optional)";
pub fn notes_count(n: usize, max: usize) -> String {
    format!("{n} of {max} characters")
}
pub const BOOK: &str = "Book this time";
pub const BOOKING: &str = "Booking…";
pub const FIX_FIELDS: &str = "Please fix the fields marked below.";
pub fn field_error(field: &str, reason: &str) -> String {
    format!("{field} {reason}.")
}
pub const SOLVING: &str =
    "Checking that you are a person (this takes a moment, no puzzle to solve)…";
pub const CAPTCHA_FAILED: &str = "The check that you are a person did not work. Please try again.";
pub const CAPTCHA_UNSUPPORTED: &str =
    "This browser cannot run the check that you are a person (it needs web workers).";
pub const UNREACHABLE: &str =
    "The booking service is not answering right now; try again in a minute.";
pub const OFFLINE: &str = "You seem to be offline. Nothing was booked; your details are kept. Try again when you are back online.";
pub fn rate_limited(seconds: Option<u32>) -> String {
    match seconds {
        Some(s) => {
            format!("Too many attempts from your network. Please wait {s} seconds, then try again.")
        }
        None => {
            "Too many attempts from your network. Please wait a minute, then try again.".to_owned()
        }
    }
}
pub const STALE: &str = "The calendar could not be checked just now, so this time cannot be confirmed. Nothing was booked. Please try again in a few minutes.";
pub const SERVER_ERROR: &str =
    "Something went wrong on our side. Nothing was booked. Please try again.";

// The time was taken.
pub const JUST_TAKEN: &str = "Sorry, someone booked that time a moment ago.";
pub const NEXT_FREE: &str = "The next free times:";
pub const PICK_ANOTHER: &str = "Please pick another time.";

// The confirmation.
pub const BOOKED: &str = "You are booked";
pub const CHECK_MAIL: &str = "Check your mail to confirm";
pub const WAITING_OWNER: &str = "Waiting for the owner's confirmation";
pub const OWNER_DECIDES: &str =
    "The time is held for you until the owner decides. You will get a mail then.";
pub const WITHDRAW: &str = "Withdraw the request";
pub const WITHDRAWN: &str = "Your request is withdrawn; the time is free again.";
pub const DECLINED: &str = "The owner declined this request; the time is free again.";
pub const CONFIRMING: &str = "Confirming your booking…";
pub const CONFIRM_FAILED: &str = "The booking could not be confirmed.";
pub const CONFIRM_ENDED: &str =
    "This booking was not confirmed in time, so the time is free again. Please book again.";
pub const CONFIRM_UNKNOWN: &str = "This confirmation link is not valid.";
pub const BOOK_AGAIN: &str = "Go to the booking page";

/// After booking an event type that asks for a confirmation by mail.
pub fn held_until(email: &str, until: &str) -> String {
    format!(
        "We sent a link to {email}. Follow it to confirm the booking: the time is held for you until {until}. Nothing is booked until then."
    )
}
pub fn with_whom(title: &str, owner: &str) -> String {
    format!("{title} with {owner}")
}
pub const WHEN_YOURS: &str = "Your time";
pub fn when_owners(owner: &str) -> String {
    format!("{owner}'s time")
}
pub const ADD_TO_CALENDAR: &str = "Add to your calendar";
pub const DOWNLOAD_ICS: &str = "Download .ics";
pub const GOOGLE: &str = "Google Calendar";
pub const OUTLOOK: &str = "Outlook.com";
pub const MANAGE_HINT: &str = "Keep this link: it lets you see, move or cancel the booking.";
pub const MANAGE_LINK: &str = "Manage this booking";
pub const BOOK_ANOTHER: &str = "Book another time";

// The manage page.
pub const YOUR_BOOKING: &str = "Your booking";
pub const LOADING_BOOKING: &str = "Loading your booking…";
pub const BAD_LINK: &str = "This link is not valid, or the booking no longer exists. Check that you copied the whole link.";
pub const CANCELLED: &str = "This booking is cancelled.";
pub const CANCEL: &str = "Cancel the booking";
pub const CANCEL_CONFIRM: &str = "Cancel this booking? This cannot be undone.";
pub const CANCEL_YES: &str = "Yes, cancel it";
pub const CANCEL_NO: &str = "No, keep it";
pub const CANCEL_DONE: &str = "The booking is cancelled. The time is free again.";
pub const RESCHEDULE: &str = "Move to another time";
pub const RESCHEDULE_PICK: &str = "Pick the new time";
pub fn reschedule_confirm(new: &str) -> String {
    format!("Move the booking to {new}?")
}
pub const RESCHEDULE_YES: &str = "Yes, move it";
pub const RESCHEDULE_DONE: &str = "The booking is moved.";
pub const KEEP_TIME: &str = "Keep the current time";

// Series (event types that repeat).
pub const REPEAT_LEGEND: &str = "How often";
pub const REPEAT_ONCE: &str = "Just once";
pub fn frequency(f: Frequency) -> &'static str {
    match f {
        Frequency::Weekly => "Every week",
        Frequency::EveryTwoWeeks => "Every 2 weeks",
    }
}
pub const SESSIONS: &str = "Number of sessions";
pub fn sessions_hint(max: u32) -> String {
    format!("2 to {max}, at the same time each time. All of them are booked, or none.")
}
pub const YOUR_SESSIONS: &str = "Your sessions";
pub const SESSION_CANCELLED: &str = "cancelled";
pub fn series_conflict(session: u32, when: &str, reason: ConflictReason) -> String {
    let why = match reason {
        ConflictReason::Busy => "that time is already taken",
        ConflictReason::Unavailable => "the owner is not available then",
        ConflictReason::BeyondHorizon => "it is further ahead than bookings are taken",
        ConflictReason::DayFull => "that day is fully booked",
    };
    format!(
        "Nothing was booked: session {session} ({when}) is not possible, because {why}. Choose fewer sessions or another time."
    )
}
pub const CANCEL_SESSION: &str = "Cancel only this session";
pub const CANCEL_FOLLOWING: &str = "Cancel this and all later sessions";
pub const CANCEL_FOLLOWING_CONFIRM: &str =
    "Cancel this session and every later one of the series? This cannot be undone.";
pub const CANCEL_FOLLOWING_DONE: &str = "This session and the later ones are cancelled.";

// Where the meeting is; the owner's questions.
pub fn location_before(kind: LocationKind, value: Option<&str>) -> String {
    match (kind, value) {
        (LocationKind::Address, Some(address)) => format!("In person: {address}"),
        (LocationKind::Address, None) => String::new(),
        (LocationKind::Video, _) => "Video call (the link comes with your booking)".to_owned(),
        (LocationKind::Phone, _) => "Phone call (the number comes with your booking)".to_owned(),
    }
}
pub const WHERE: &str = "Where";
pub const JOIN_VIDEO: &str = "Join the video call";
pub fn call_number(number: &str) -> String {
    format!("Call {number}")
}
pub const CHOOSE: &str = "Choose…";
pub const OPTIONAL: &str = "(optional)";
pub const REQUIRED_ANSWER: &str = "is required";
pub fn not_a_choice(choices: &[String]) -> String {
    format!("must be one of: {}", choices.join(", "))
}

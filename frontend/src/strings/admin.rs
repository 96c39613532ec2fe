//! The dashboard's text (see `admin/`), English. Functions build the sentences that hold a
//! value so that a translation can reorder them.

use openslot_wire::admin::{Channel, Service, WorkState};

pub const TITLE: &str = "OpenSlot dashboard";
pub const SKIP: &str = "Skip to the content";

// Login and session.
pub const LOGIN_TITLE: &str = "Log in";
pub const LOGIN_INTRO: &str = "The owner's password (set in the configuration file).";
pub const PASSWORD: &str = "Password";
pub const LOGIN: &str = "Log in";
pub const LOGGING_IN: &str = "Logging in…";
pub const LOGOUT: &str = "Log out";
pub const WRONG_PASSWORD: &str = "That password is not right.";
pub const NO_PASSWORD: &str = "No admin password is configured. Set [admin] password_hash (openslot hash-password makes one).";
pub const SESSION_ENDED: &str = "Your session ended. Please log in again.";
pub const LOGGED_OUT: &str = "You are logged out.";

// Failures anywhere.
pub const OFFLINE: &str = "The server cannot be reached. Check the connection and try again.";
pub const LOADING: &str = "Loading…";
pub const RETRY: &str = "Try again";
pub fn failed(detail: &str) -> String {
    format!("That did not work: {detail}")
}
pub fn rate_limited(seconds: u32) -> String {
    format!("Too many attempts. Wait {seconds} seconds and try again.")
}

// Sections.
pub const NAV_LABEL: &str = "Dashboard sections";
pub const BOOKINGS: &str = "Bookings";
pub const WEEK: &str = "Week";
pub const BLOCKS: &str = "Blocks";
pub const SOURCES: &str = "Calendars";
pub const RULES: &str = "Rules";
pub const EXPLAIN: &str = "Explain a time";
pub const STATS: &str = "Statistics";
pub const DELIVERIES: &str = "Deliveries";
pub const API_KEYS: &str = "API keys";

// API keys.
pub const API_KEYS_INTRO: &str = "Keys for other systems (a CRM, a website backend) that read free times or book through the API. A key books without the captcha, under its own limit. Revoke a key that leaks.";
pub const API_KEY_ADD: &str = "Make an API key";
pub const API_KEY_NAME: &str = "Who uses it";
pub const API_KEY_SCOPES: &str = "It may";
pub const SCOPE_SLOTS: &str = "read free times (slots:read)";
pub const SCOPE_BOOKINGS: &str = "book, cancel and move bookings (bookings:write)";
pub const SCOPE_WEBHOOKS: &str = "manage webhooks (webhooks:manage)";
pub const API_KEY_MAKE: &str = "Make the key";
pub const API_KEY_MADE: &str = "The key is made. Copy it now: it is shown only once.";
pub const API_KEY_ONCE: &str = "The new key, shown only this once";
pub const API_KEY_DONE: &str = "I have copied it";
pub const NO_API_KEYS: &str = "No API keys.";
pub const API_KEY_NEVER_USED: &str = "never used";
pub fn api_key_used(when: &str) -> String {
    format!("last used {when}")
}
pub fn api_key_revoked_at(when: &str) -> String {
    format!("revoked {when}")
}
pub const API_KEY_REVOKE: &str = "Revoke…";
pub fn revoke_api_key(name: &str) -> String {
    format!("Revoke the API key {name}")
}
pub const API_KEY_REVOKE_CONFIRM: &str = "Requests with this key are refused at once. Revoke it?";
pub const API_KEY_REVOKE_YES: &str = "Yes, revoke";
pub const API_KEY_KEEP: &str = "Keep it";
pub const API_KEY_REVOKED: &str = "The key is revoked.";

// Webhooks
pub const WEBHOOKS: &str = "Webhooks";
pub const WEBHOOKS_INTRO: &str = "Your systems get a signed POST for each booking event they listen to. Webhooks from the configuration file are shown read-only; change them there.";
pub const WEBHOOK_ADD: &str = "Add a webhook";
pub const WEBHOOK_URL: &str = "Address (https://…)";
pub const WEBHOOK_EVENTS: &str = "Send these events";
pub const WEBHOOK_MAKE: &str = "Add the webhook";
pub const WEBHOOK_MADE: &str = "The webhook is added. Copy its secret now: it is shown only once.";
pub const WEBHOOK_SECRET_ONCE: &str = "The signing secret, shown only this once";
pub const WEBHOOK_DONE: &str = "I have copied it";
pub const NO_WEBHOOKS: &str = "No webhooks.";
pub const WEBHOOK_FROM_FILE: &str = "from the configuration file (read-only)";
pub fn webhook_made_by(who: &str) -> String {
    if who == "dashboard" {
        "added here".to_owned()
    } else {
        format!("added by the API key {}", who.trim_start_matches("key:"))
    }
}
pub const WEBHOOK_TEST: &str = "Send a test";
pub fn webhook_tested(status: u16) -> String {
    format!("The test ping was answered with HTTP {status}.")
}
pub const WEBHOOK_DELETE: &str = "Delete…";
pub fn delete_webhook(url: &str) -> String {
    format!("Delete the webhook to {url}")
}
pub const WEBHOOK_DELETE_CONFIRM: &str =
    "Nothing more is sent to it; queued events are dropped. Delete it?";
pub const WEBHOOK_DELETE_YES: &str = "Yes, delete";
pub const WEBHOOK_KEEP: &str = "Keep it";
pub const WEBHOOK_DELETED: &str = "The webhook is deleted.";

// Bookings.
pub const UPCOMING: &str = "Upcoming";
pub const PAST: &str = "Past";
pub const WHICH_BOOKINGS: &str = "Which bookings";
pub const SEARCH_LABEL: &str = "Search by name or email";
pub const SEARCH: &str = "Search";
pub const NO_BOOKINGS: &str = "No bookings here.";
pub const WHEN: &str = "When";
pub const WHAT: &str = "Event type";
pub const WHO: &str = "Visitor";
pub const STATUS: &str = "Status";
pub const CALENDARS: &str = "Calendar writes";
pub const ACTIONS: &str = "Actions";
pub const CONFIRMED: &str = "confirmed";
pub const CANCELLED: &str = "cancelled";
pub const PENDING: &str = "waiting for the visitor's confirmation";
pub const EXPIRED: &str = "not confirmed in time";
pub const NO_WRITES: &str = "no writable calendar";
pub const CANCEL: &str = "Cancel…";
pub const CANCEL_NOTE: &str = "Note (kept in the log, not sent to the visitor)";
pub const CANCEL_CONFIRM: &str = "Cancel this booking";
pub const KEEP: &str = "Keep it";
pub const NOTES: &str = "Notes";
pub const CANCELLED_TAB: &str = "Cancelled";
pub const REQUESTS_TAB: &str = "Requests";
pub const REQUEST: &str = "request: approve or decline";
pub const DECLINED: &str = "declined";
pub const APPROVE: &str = "Approve";
pub const DECLINE: &str = "Decline…";
pub const DECLINE_REASON: &str = "Reason (optional, sent to the visitor)";
pub const DECLINE_CONFIRM: &str = "Decline this request";
pub const MOVE: &str = "Move…";
pub const PAGE: &str = "Booking page";
pub const PAGE_HINT: &str =
    "What visitors see above the times. Saved, it applies on the booking page at once.";
pub const PAGE_INTRO: &str = "Introduction";
pub const PAGE_OWNER: &str = "Your name";
pub const PAGE_ZONE: &str = "Your time zone";
pub const OWNER_NAME_FROM_FILE: &str =
    "Set in the configuration file ([owner] name); change it there.";
pub const PAGE_ZONE_HINT: &str = "An IANA zone such as Europe/Berlin: your working hours, days off and blocks are read in it. Saved, the free times follow at once.";
pub const PAGE_ZONE_BROWSER: &str = "Use";
pub const PAGE_DISPLAY_NAME: &str = "Name shown to visitors";
pub const PAGE_DISPLAY_NAME_HINT: &str = "Instead of your name, on the page, in mails and in calendar entries (for example \"Dr. Ada Example\"). Empty: your name.";
pub const LOGO: &str = "Logo";
pub const LOGO_HINT: &str =
    "A PNG, JPEG, WebP or SVG image of at most 512 KB, shown beside your name.";
pub const LOGO_NONE: &str = "No logo yet.";
pub const LOGO_CHOOSE: &str = "Upload a logo";
pub const LOGO_REMOVE: &str = "Remove the logo";
pub const LOGO_SAVED: &str = "The logo is on the booking page.";
pub const LOGO_REMOVED: &str = "The logo is removed.";
pub const LOGO_ALT: &str = "Your logo as visitors see it";
pub const LOGO_FROM_FILE: &str =
    "Set in the configuration file ([page] logo_file); replace that file to change it.";
pub const LOGO_TOO_BIG: &str = "That file is larger than 512 KB; choose a smaller one.";
pub const LOGO_UNREADABLE: &str = "That file cannot be read.";
pub const PAGE_INTRO_HINT: &str = "Plain text, at most 500 characters; shown under your name.";
pub const PAGE_ACCENT: &str = "Accent colour";
pub const PAGE_ACCENT_HINT: &str = "Like #0b6e4f. Any colour reads: the page picks black or white text on it and darker or lighter shades for links.";
pub const SET_IN_FILE: &str = "Set in the configuration file (read-only here); change it there.";
pub const PAGE_SAVE: &str = "Save";
pub const PAGE_SAVED: &str = "The booking page is updated.";
pub const WHERE: &str = "Where the meeting is";
pub const WHERE_KIND: &str = "Place";
pub const WHERE_NONE: &str = "Not said";
pub const WHERE_VIDEO: &str = "Video call";
pub const WHERE_ADDRESS: &str = "In person";
pub const WHERE_PHONE: &str = "Phone call";
pub const WHERE_VALUE: &str = "Link, address or number";
pub const WHERE_VIDEO_HINT: &str = "An https:// link; {booking_id} in it becomes each booking's own id. Visitors get it with their booking.";
pub const WHERE_ADDRESS_HINT: &str = "Shown on the booking page before booking.";
pub const WHERE_PHONE_HINT: &str = "The number to call; visitors get it with their booking.";
pub const QUESTIONS: &str = "Questions on the booking form";
pub const QUESTIONS_HINT: &str =
    "Asked after name and email, in this order. The answers come with each booking.";
pub const QUESTION_LABEL: &str = "Question";
pub const QUESTION_KIND: &str = "Answer";
pub const QUESTION_TEXT: &str = "Free text";
pub const QUESTION_CHOICE: &str = "One of a list";
pub const QUESTION_KEY: &str = "Key (optional)";
pub const QUESTION_REQUIRED: &str = "Required";
pub const QUESTION_CHOICES: &str = "Choices, one per line";
pub const ADD_QUESTION: &str = "Add a question";
pub const MOVE_UP: &str = "Move up";
pub fn question_n(n: usize) -> String {
    format!("Question {n}")
}
pub fn question_up(n: usize) -> String {
    format!("Move question {n} up")
}
pub fn question_remove(n: usize) -> String {
    format!("Remove question {n}")
}
pub const CONFIRM_LEGEND: &str = "Confirmation";
pub const CONFIRM_WHO: &str = "A booking stands";
pub const CONFIRM_NONE: &str = "At once";
pub const CONFIRM_EMAIL: &str = "When the visitor confirms by mail";
pub const CONFIRM_OWNER: &str = "When you approve it";
pub const CONFIRM_HOLD: &str = "Hold the time for (minutes)";
pub const CONFIRM_OWNER_HOURS: &str = "Wait for your decision (hours)";
pub const NEW_BOOKING: &str = "New booking…";
pub const NEW_BOOKING_TITLE: &str = "Book a time for someone";
pub const NEW_BOOKING_PICK: &str = "Pick one of the free times first.";
pub const DAY: &str = "Day";
pub const VISITOR_NAME: &str = "Their name";
pub const VISITOR_EMAIL: &str = "Their email";
pub const BOOK: &str = "Book";
pub fn booked_for(name: &str, when: &str) -> String {
    format!("Booked for {name} on {when}.")
}
pub const MOVE_DAY: &str = "New day";
pub const MOVE_SHOW: &str = "Show free times";
pub const MOVE_NONE: &str = "No free time of this event type that day.";
pub const MOVE_TIMES: &str = "Free times";
pub fn move_to(time: &str) -> String {
    format!("Move to {time}")
}
pub fn moved_booking(name: &str, when: &str) -> String {
    format!("The booking of {name} is moved to {when}; the visitor is told.")
}
pub fn decide_by(when: &str) -> String {
    format!("Decide by {when}; after that the request expires and the time is free again.")
}
pub fn approved_booking(name: &str) -> String {
    format!("The request of {name} is approved.")
}
pub fn declined_booking(name: &str) -> String {
    format!("The request of {name} is declined.")
}
pub fn declined_because(reason: &str) -> String {
    format!("Reason given: {reason}")
}
pub fn visitor_zone(zone: &str) -> String {
    format!("visitor's zone: {zone}")
}
pub fn cancelled_booking(name: &str) -> String {
    format!("The booking of {name} is cancelled.")
}
pub const NEW: &str = "new";
pub fn new_since_last_visit(n: usize) -> String {
    format!("{n} new since your last visit")
}
pub fn booking_count(n: usize) -> String {
    match n {
        1 => "1 booking".to_owned(),
        n => format!("{n} bookings"),
    }
}
pub fn write_state(source: &str, action: &str, state: &str) -> String {
    format!("{source}: {action} {state}")
}
pub fn times_in(zone: &str) -> String {
    format!("Times in {zone}.")
}

// Blocks.
pub const BLOCKS_INTRO: &str = "A manual block hides every slot that overlaps it.";
pub const ADD_BLOCK: &str = "Add a block";
pub const START: &str = "Start";
pub const END: &str = "End";
pub const LABEL: &str = "Label (optional)";
pub const ADD: &str = "Add";
pub const REMOVE: &str = "Remove";
pub const NO_BLOCKS: &str = "No manual blocks.";
pub const BLOCK_ADDED: &str = "The block is added.";
pub const BLOCK_REMOVED: &str = "The block is removed.";
pub const BAD_TIME: &str = "Enter a date and a time.";
pub fn remove_block(label: &str) -> String {
    format!("Remove the block {label}")
}

// Sources.
pub const SYNC_NOW: &str = "Sync now";
pub const SYNCING: &str = "Syncing…";
pub const SYNCED: &str = "Every calendar was synced.";
pub const NO_SOURCES: &str = "No calendars are configured: only the rules decide.";
pub const KIND: &str = "Kind";
pub const LAST_SYNC: &str = "Last sync";
pub const LAST_ERROR: &str = "Last error";
pub const FAILING_SINCE: &str = "Failing since";
pub const RECONNECT_NEEDED: &str = "Reconnect needed";
pub const RECONNECT_WHY: &str = "The calendar service no longer accepts OpenSlot's sign-in: access was revoked, the password changed, or (Google) the OAuth client is still in \"Testing\", whose sign-ins expire after 7 days (publish the app in Google Cloud's OAuth consent screen to avoid that). Connect this calendar again.";
pub const EVENTS: &str = "Events";
pub const WRITABLE: &str = "Bookings are written here";
pub const NEVER: &str = "never";
pub const HEALTHY: &str = "ok";
pub const UNHEALTHY: &str = "needs attention";
pub const BLOCKS_BOOKING: &str =
    "Visitors see no free times and bookings are refused until this calendar syncs again.";
pub const ADD_SOURCE: &str = "Add a calendar";
pub const RECONNECT: &str = "Reconnect";
pub const WRITE_BOOKINGS_ASK: &str =
    "Also write bookings into this calendar (asks for permission to change events)";
pub const CONNECT_TITLE: &str = "Connect an account";
pub const OPEN_CONSENT: &str = "Open the sign-in page";
pub const CONSENT_HINT: &str =
    "Allow OpenSlot to read the calendar; the sign-in page then sends you back here.";
pub const PASTE_HINT: &str = "If the page it sends you to does not load (for example, you reach this dashboard through an SSH tunnel or under another name), copy the whole address from the address bar, come back here and paste it, or just the code:";
pub const PASTE_LABEL: &str = "Address or code from the sign-in";
pub const PASTE_SUBMIT: &str = "Finish signing in";
pub const DEVICE_WAITING: &str = "Waiting for the sign-in…";
pub const USE_REDIRECT: &str = "Sign in with a redirect instead";
pub const CONNECTED: &str = "Signed in. Pick the calendar to read:";
pub const RECONNECTED_READY: &str = "Signed in again. Save to use the new sign-in.";
pub const SAVE_RECONNECT: &str = "Save the new sign-in";
pub const CONNECT_EXPIRED: &str = "The sign-in took too long (10 minutes). Start again.";
pub const SOURCE_RECONNECTED: &str = "The calendar is connected again.";
pub fn connect(service: Service) -> String {
    format!("Connect {}", service_name(service))
}
pub fn service_name(service: Service) -> &'static str {
    match service {
        Service::Google => "Google",
        Service::Microsoft => "Microsoft",
    }
}
pub fn device_steps(uri: &str, code: &str) -> String {
    format!(
        "Open {uri} on any device and enter the code {code}. This page goes on by itself once you have signed in."
    )
}
pub fn reconnect_source(label: &str) -> String {
    format!("Reconnect {label}")
}
pub const EDIT_SOURCE: &str = "Edit this calendar";
pub const EDIT: &str = "Edit";
pub const CLOSE: &str = "Close";
pub const SOURCE_ID: &str = "Id (letters a-z, digits, - and _)";
pub const SOURCE_NAME: &str = "Name";
pub const SOURCE_KIND: &str = "Kind";
pub const KIND_ICS: &str = "Calendar feed (ICS URL)";
pub const KIND_CALDAV: &str = "CalDAV server";
pub const SOURCE_URL: &str = "URL";
pub const USERNAME: &str = "Username";
pub const SOURCE_PASSWORD: &str = "Password";
pub const PASSWORD_KEPT: &str = "Leave empty to keep the saved password";
pub const FIND_CALENDARS: &str = "Find calendars";
pub const FINDING: &str = "Looking…";
pub const NO_CALENDARS: &str = "No calendars with events were found there.";
pub const CALENDAR: &str = "Calendar";
pub const WRITE_BOOKINGS: &str = "Write bookings into this calendar";
pub const SAVE_SOURCE: &str = "Check and save";
pub const CHECKING: &str = "Checking…";
pub const SOURCE_SAVED: &str = "The calendar is saved and synced.";
// The feeds.
pub const FEEDS_TITLE: &str = "Feeds for calendars OpenSlot cannot write to";
pub const FEEDS_INTRO: &str = "Subscribe to these secret addresses in any calendar app (Google, Outlook, Apple): the first shows every booking, the second only when you are busy, without titles. Anyone with an address can read that feed: keep them private, and make new ones if one leaks.";
pub const FEED_BOOKINGS: &str = "Bookings (bookings.ics)";
pub const FEED_FREEBUSY: &str = "Free/busy (freebusy.ics)";
pub const COPY: &str = "Copy";
pub fn copy_label(what: &str) -> String {
    format!("Copy the address: {what}")
}
pub const COPIED: &str = "Copied.";
pub const COPY_FAILED: &str =
    "The browser did not allow copying; select the address and copy it by hand.";
pub const FEEDS_ROTATE: &str = "Make new feed addresses…";
pub const FEEDS_ROTATE_CONFIRM: &str = "The current addresses stop working at once; every calendar subscribed to them must be given the new ones. Make new addresses?";
pub const FEEDS_ROTATE_YES: &str = "Yes, make new addresses";
pub const KEEP_THEM: &str = "Keep the current ones";
pub const FEEDS_ROTATED: &str = "New feed addresses are ready; the old ones no longer work.";
pub fn feeds_rotated_at(at: &str) -> String {
    format!("Last renewed: {at}")
}
pub const SOURCE_REMOVED: &str = "The calendar is removed; its busy time is free.";
pub const FROM_FILE: &str = "From the configuration file (read-only here)";
pub const FROM_DASHBOARD: &str = "Added here";
pub const SHADOWED: &str =
    "Not used: the configuration file has a calendar with the same id, and the file wins.";
pub fn remove_source(label: &str) -> String {
    format!("Remove the calendar {label}")
}
pub fn edit_source(label: &str) -> String {
    format!("Edit the calendar {label}")
}
pub fn found_calendars(n: usize) -> String {
    format!("{n} calendars found: pick one.")
}
pub fn age(seconds: i64) -> String {
    match seconds {
        s if s < 90 => format!("{s} s ago"),
        s if s < 90 * 60 => format!("{} min ago", s / 60),
        s if s < 48 * 3600 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

// Rules.
pub const RULES_FROM_FILE: &str = "These rules come from the configuration file.";
pub const RULES_FROM_DASHBOARD: &str =
    "These rules were edited here and override the configuration file.";
pub const WORKING_HOURS: &str = "Working hours";
pub const HOURS_HINT: &str = "Ranges like 09:00-12:00, 13:00-17:00; empty is a day off.";
pub const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub const OVERRIDES: &str = "Date overrides";
pub const OVERRIDES_HINT: &str =
    "One per line: 2026-12-24: 09:00-12:00 (nothing after the colon is a day off).";
pub const RECURRING: &str = "Recurring blocks";
pub const RECURRING_HINT: &str = "One per line: Lunch | mon,tue,wed,thu,fri | 12:00-13:00";
pub const LIMITS: &str = "Limits";
pub const MIN_NOTICE: &str = "Minimum notice (minutes)";
pub const HORIZON: &str = "Horizon (days)";
pub const BUFFER_BEFORE: &str = "Buffer before (minutes)";
pub const BUFFER_AFTER: &str = "Buffer after (minutes)";
pub const MAX_PER_DAY: &str = "Most bookings per day (empty: no limit)";
pub const EVENT_TYPES: &str = "Event types";
pub const SLUG: &str = "Slug (in links)";
pub const EVENT_TITLE: &str = "Title";
pub const DESCRIPTION: &str = "Description";
pub const DURATION: &str = "Duration (minutes)";
pub const STEP: &str = "Start every … minutes (empty: the duration)";
pub const ET_BUFFER_BEFORE: &str = "Buffer before (empty: the general one)";
pub const ET_BUFFER_AFTER: &str = "Buffer after (empty: the general one)";
pub const ET_MAX_PER_DAY: &str = "Most per day (empty: no limit)";
pub const ADD_EVENT_TYPE: &str = "Add an event type";
pub const REMOVE_EVENT_TYPE: &str = "Remove this event type";
pub const SAVE_RULES: &str = "Save and apply";
pub const SAVING: &str = "Saving…";
pub const RULES_SAVED: &str = "The rules are saved and apply now.";
pub const RESET_RULES: &str = "Reset to the configuration file";
pub const RESET_CONFIRM: &str = "Forget the edits here and use the configuration file's rules?";
pub const RULES_RESET: &str = "The configuration file's rules apply again.";
pub const RULES_INVALID: &str = "The rules were not saved. Fix these:";
pub fn new_event_type(n: usize) -> String {
    format!("Event type {n}")
}
pub fn bad_override(line: &str) -> String {
    format!("not a date override: {line}")
}
pub fn bad_recurring(line: &str) -> String {
    format!("not a recurring block: {line}")
}

// Explain.
pub const EXPLAIN_INTRO: &str = "Why is a time offered, or not? Pick a moment in your zone.";
pub const MOMENT: &str = "Date and time";
pub const ANY_EVENT_TYPE: &str = "Any (the bare instant)";
pub const EXPLAIN_GO: &str = "Explain";
pub const BOOKABLE: &str = "Bookable.";
pub const NOT_BOOKABLE: &str = "Not bookable.";

// Week.
pub const PREVIOUS_WEEK: &str = "Previous week";
pub const NEXT_WEEK: &str = "Next week";
pub const THIS_WEEK: &str = "This week";
pub const MERGED_BUSY: &str = "Busy (all calendars)";
pub const BOOKED: &str = "Bookings and blocks";
pub const FREE: &str = "Free slots";
pub const BUSY: &str = "busy";
pub const BOOKING: &str = "booking";
pub const BLOCK: &str = "block";
pub const FREE_SLOT: &str = "free";
pub const FREE_FOR: &str = "Free slots of";
pub const NOTHING: &str = "nothing";
pub fn span_label(what: &str, from: &str, to: &str) -> String {
    format!("{what} {from}–{to}")
}
pub fn week_of(first: &str) -> String {
    format!("Week from {first}")
}
pub const DRAG_TO_BLOCK: &str = "Drag up or down in a day to block that time; with the keyboard, use the form under Blocks. Click a booking for its details.";
pub const NOW: &str = "Now";
pub const LEGEND: &str = "Legend";
pub const BOOKINGS_KEY: &str = "Bookings";
pub const BLOCKS_KEY: &str = "Blocks";
pub const BOOKING_DETAILS: &str = "Booking";
pub const EVENT_TYPE: &str = "Event type";
pub const NAME: &str = "Name";
pub const EMAIL: &str = "E-mail";

// Statistics.
pub const PER_WEEK: &str = "Bookings per week";
pub const BY_EVENT_TYPE: &str = "By event type (12 weeks)";
pub const LEAD_TIME: &str = "Lead time (booking to meeting)";
pub const CANCELLATIONS: &str = "Cancellations per week";
pub const LEAD_BUCKETS: [&str; 5] = ["< 1 day", "1–3 days", "3–7 days", "1–2 weeks", "> 2 weeks"];
pub fn totals(booked: u32, cancelled: u32) -> String {
    format!("{booked} booked, {cancelled} cancelled in the last 12 weeks.")
}
pub fn average_lead(hours: f64) -> String {
    if hours < 48.0 {
        format!("On average booked {hours:.0} hours ahead.")
    } else {
        format!("On average booked {:.1} days ahead.", hours / 24.0)
    }
}
pub fn chart_value(label: &str, n: u32) -> String {
    format!("{label}: {n}")
}

// Event details, sources of visits, no-shows.
pub fn session_of_series(n: u32) -> String {
    format!("session {n} of a series")
}
pub fn came_from(visit_ref: &str) -> String {
    format!("came from “{visit_ref}”")
}
pub const NO_SHOW: &str = "No-show";
pub const MARK_NO_SHOW: &str = "Mark as no-show";
pub const UNMARK_NO_SHOW: &str = "They came after all";
pub fn no_show_marked(name: &str, no_show: bool) -> String {
    if no_show {
        format!("{name} is marked as a no-show")
    } else {
        format!("{name} is no longer marked as a no-show")
    }
}
pub const PER_DAY: &str = "Bookings per day (last 4 weeks)";
pub const BY_SOURCE: &str = "Bookings by source (?ref=)";
pub fn rates(cancellation: Option<f64>, no_show: Option<f64>) -> String {
    let pct = |r: Option<f64>| r.map_or_else(|| "–".to_owned(), |r| format!("{:.0} %", r * 100.0));
    format!(
        "Cancelled: {} of the bookings made. No-shows: {} of the meetings held.",
        pct(cancellation),
        pct(no_show)
    )
}

// Deliveries (mail and webhooks).
pub const REFRESH: &str = "Refresh";
pub const MAIL_TITLE: &str = "Mail";
pub const MAIL_OFF: &str = "Mail is off: visitors and you get no mail, and the booking page tells visitors to keep their link. Enter your mail server below (or set [mail] in the configuration file).";
pub const MAIL_EDIT_HINT: &str = "The configuration file has no [mail] section, so the mail server is set here. Saved settings apply at once.";
pub const MAIL_HOST: &str = "Mail server (host name)";
pub const MAIL_PORT: &str = "Port";
pub const MAIL_PORT_HINT: &str = "Empty: 587 for STARTTLS, 465 for TLS, 25 without encryption.";
pub const MAIL_TLS: &str = "Encryption";
pub const MAIL_TLS_STARTTLS: &str = "STARTTLS (usually port 587)";
pub const MAIL_TLS_TLS: &str = "TLS from the start (usually port 465)";
pub const MAIL_TLS_NONE: &str = "None (only for a server on this machine)";
pub const MAIL_USER_HINT: &str = "Empty when the server takes mail without signing in.";
pub const MAIL_PASSWORD: &str = "Password";
pub const MAIL_PASSWORD_SAVED: &str = "A password is saved. Leave this empty to keep it.";
pub const MAIL_PASSWORD_NONE: &str = "No password is saved.";
pub const MAIL_PASSWORD_REMOVE: &str = "Remove the saved password";
pub const MAIL_FROM_HINT: &str =
    "The sender visitors see, like book@example.org or Ada Example <book@example.org>.";
pub const MAIL_OWNER_COPY: &str = "Send me a copy of every booking mail";
pub const MAIL_REMINDERS_HINT: &str =
    "Hours before the start, separated by commas (like 24, 2). Empty: no reminders.";
pub const MAIL_REMINDERS_INVALID: &str =
    "Write whole numbers of hours separated by commas, like 24, 2.";
pub const MAIL_PER_ADDRESS: &str = "Mails a day to one visitor address, at most";
pub const MAIL_PER_DAY: &str = "Mails a day to all visitors, at most";
pub const MAIL_NUMBER_INVALID: &str = "Write a whole number.";
pub const MAIL_PORT_INVALID: &str = "A port is a whole number from 1 to 65535.";
pub const MAIL_SAVE: &str = "Save mail settings";
pub const MAIL_SAVED: &str = "The mail settings are saved and in use.";
pub const MAIL_FORGET: &str = "Forget mail settings…";
pub const MAIL_FORGET_CONFIRM: &str = "Forget them: send no mail";
pub const MAIL_FORGET_ASK: &str = "Forget the mail settings? Nothing will be mailed to visitors or to you until you enter them again.";
pub const MAIL_FORGOTTEN: &str = "The mail settings are forgotten: nothing is mailed.";
pub const MAIL_KEEP: &str = "Keep them";
pub const MAIL_FIX_FIELDS: &str = "Some values need a change: see the notes next to the fields.";
pub const MAIL_SERVER: &str = "Server";
pub const MAIL_USER: &str = "User";
pub const MAIL_FROM: &str = "Sender";
pub const MAIL_OWNER: &str = "Your address";
pub const OWNER_COPY: &str = " (gets a copy of every booking mail)";
pub const MAIL_REMINDERS: &str = "Reminders to visitors";
pub const MAIL_LIMITS: &str = "Limits";
pub const NONE: &str = "none";
pub const SEND_TEST_MAIL: &str = "Send a test mail";
pub const SECURITY_TITLE: &str = "Access";
pub const CAPTCHA: &str = "Proof of work on bookings";
pub const VISITOR_LIMIT: &str = "Booking attempts per visitor";
pub const KEY_LIMIT: &str = "Requests per API key";
pub const CORS_ORIGINS: &str = "Sites that may call the API (CORS)";
pub const EMBED_ORIGINS: &str = "Sites that may embed the booking page";
pub const TRUSTED_PROXIES: &str = "Trusted proxies";
pub const SECURITY_HINT: &str = "The check that a visitor is a person and how often one address or one API key may call. Saved, they apply at once.";
pub const CAPTCHA_HINT: &str = "Visitors' browsers solve a small puzzle before a booking goes through; API keys never need it.";
pub const VISITOR_LIMIT_HINT: &str =
    "Booking attempts from one address in a minute; 0 is no limit, empty is the default (10).";
pub const KEY_LIMIT_HINT: &str =
    "Requests from one API key in a minute; 0 is no limit, empty is the default (120).";
pub const SECURITY_SAVE: &str = "Save";
pub const SECURITY_SAVED: &str = "Access settings saved; they apply now.";
pub const FILE_ONLY: &str = "These are set in the configuration file only (read-only here):";
pub fn limit_wrong(label: &str, max: u32) -> String {
    format!("{label}: enter a whole number from 0 to {max}, or leave it empty for the default.")
}
pub fn test_mail_sent(to: &str) -> String {
    format!("A test mail was sent to {to}: the mail server took it.")
}
pub fn hours_before(hours: &[u32]) -> String {
    let list: Vec<String> = hours.iter().map(|h| format!("{h} h")).collect();
    format!("{} before the start", list.join(", "))
}
pub fn mail_limits(per_address: u32, per_day: u32) -> String {
    format!("{per_address} mails a day to one visitor address, {per_day} a day to all visitors")
}
pub const NO_DELIVERIES: &str = "Nothing sent yet. Mail needs the mail settings above (or a [mail] section in the configuration), webhooks a [[webhooks]] entry or a subscription.";
pub const DELIVERY_WHEN: &str = "Last change";
pub const DELIVERY_WHAT: &str = "What";
pub const DELIVERY_TO: &str = "To";
pub const DELIVERY_STATE: &str = "State";
pub const RETRY_QUEUED: &str = "Queued again: it is sent in a moment.";

/// "Mail: booking created", "Webhook: booking cancelled".
pub fn delivery_what(channel: Channel, event: &str) -> String {
    let channel = match channel {
        Channel::Mail => "Mail",
        Channel::Webhook => "Webhook",
    };
    let event = match event {
        "booking.created" => "booking made",
        "booking.rescheduled" => "booking moved",
        "booking.cancelled" => "booking cancelled",
        "booking.reminder" => "reminder",
        "source.failing" => "calendar failing",
        "source.recovered" => "calendar works again",
        other => other,
    };
    format!("{channel}: {event}")
}

/// "the visitor", "you", "webhook crm".
pub fn delivery_target(channel: Channel, target: &str) -> String {
    match (channel, target) {
        (Channel::Mail, "visitor") => "the visitor".to_owned(),
        (Channel::Mail, "owner") => "you".to_owned(),
        (Channel::Webhook, id) => format!("webhook {id}"),
        (Channel::Mail, other) => other.to_owned(),
    }
}

/// "sent (250)", "waiting, 3 attempts so far", "failed after 20 attempts (HTTP 500)", "skipped".
pub fn delivery_state(state: WorkState, attempts: u32, last_status: Option<u16>) -> String {
    let status = last_status.map(|s| format!(" ({s})")).unwrap_or_default();
    let tries = |n: u32| {
        if n == 1 {
            "1 attempt".to_owned()
        } else {
            format!("{n} attempts")
        }
    };
    match state {
        WorkState::Done => format!("sent{status}"),
        WorkState::Pending if attempts == 0 => "waiting".to_owned(),
        WorkState::Pending => format!("waiting, {} so far{status}", tries(attempts)),
        WorkState::Failed => format!("failed after {}{status}", tries(attempts)),
        WorkState::Skipped => "skipped (the booking changed)".to_owned(),
    }
}

// Series in the event type editor.
pub const SERIES: &str = "Series a visitor may book";
pub const SERIES_WEEKLY: &str = "Every week";
pub const SERIES_EVERY_2_WEEKS: &str = "Every 2 weeks";
pub const MAX_SESSIONS: &str = "Most sessions (2-52, empty: 6)";

// The working hours' time pickers (issue 18 item 12).
pub const HOURS_PICKER_HINT: &str =
    "Add the times you work on each day; a day without any is a day off.";
pub const ADD_HOURS: &str = "Add hours";
pub const HOURS_FROM: &str = "from";
pub const HOURS_TO: &str = "to";

pub fn add_hours_on(day: &str) -> String {
    format!("Add hours on {day}")
}

pub fn hours_from_on(day: &str, n: usize) -> String {
    format!("{day}, hours {n}: from")
}

pub fn hours_to_on(day: &str, n: usize) -> String {
    format!("{day}, hours {n}: to")
}

pub fn remove_hours_on(day: &str, n: usize) -> String {
    format!("Remove hours {n} on {day}")
}

pub fn hours_need_both(day: &str) -> String {
    format!("{day}: give both a start and an end time.")
}

pub fn hours_end_after_start(day: &str, start: &str, end: &str) -> String {
    format!("{day}: the end ({end}) must be after the start ({start}).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_words() {
        assert_eq!(
            delivery_what(Channel::Mail, "booking.created"),
            "Mail: booking made"
        );
        assert_eq!(
            delivery_what(Channel::Webhook, "booking.cancelled"),
            "Webhook: booking cancelled"
        );
        assert_eq!(
            delivery_what(Channel::Mail, "source.failing"),
            "Mail: calendar failing"
        );
        assert_eq!(delivery_target(Channel::Mail, "visitor"), "the visitor");
        assert_eq!(delivery_target(Channel::Mail, "owner"), "you");
        assert_eq!(delivery_target(Channel::Webhook, "crm"), "webhook crm");
        assert_eq!(delivery_state(WorkState::Done, 0, Some(250)), "sent (250)");
        assert_eq!(delivery_state(WorkState::Pending, 0, None), "waiting");
        assert_eq!(
            delivery_state(WorkState::Pending, 1, None),
            "waiting, 1 attempt so far"
        );
        assert_eq!(
            delivery_state(WorkState::Failed, 20, Some(500)),
            "failed after 20 attempts (500)"
        );
    }
}

//! The public API's bodies (`/api/v1`): what visitors and integrators send and get. The names
//! and fields are a contract (openapi.yaml).

mod bookings;
mod captcha;
mod page;
mod slots;
mod webhooks;

pub use bookings::{
    AnswerJson, BookingBody, BookingJson, BookingStatus, ConfirmBy, ConflictReason, RepeatBody,
    RescheduleBody, SeriesConflictJson, SeriesJson, SessionJson,
};
pub use captcha::Challenge;
pub use page::{
    EventTypeJson, Frequency, LocationJson, LocationKind, PageJson, QuestionJson, QuestionKind,
};
pub use slots::{NoticeCode, SlotJson, SlotsJson, SlotsNotice};
pub use webhooks::{NewSubscriptionJson, SubscriptionBody, SubscriptionJson};

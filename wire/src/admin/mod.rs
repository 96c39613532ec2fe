//! The admin API's bodies (`/admin/api`, on the admin listener), as the backend sends them and
//! the dashboard reads them. Times are RFC 3339; the owner's own data, so visitor details are
//! here on purpose (never in the public API's bodies).

mod api_keys;
mod bookings;
mod calendars;
mod mail;
mod oauth;
mod rules;
mod security;
mod sources;
mod stats;
mod webhooks;
mod week;

pub use api_keys::{ApiKeyBody, ApiKeyJson, NewApiKeyJson};
pub use bookings::{
    AdminAnswerJson, AdminBookingJson, BlockBody, BlockJson, Channel, DeliveryJson, ExplainJson,
    LoginBody, NoShowBody, SessionJson, WorkState, WriteAction, WriteJson,
};
pub use bookings::{DeclineBody, ManualBookingBody};
pub use calendars::{CalendarJson, CalendarsBody, FeedUrlsJson};
pub use mail::{LogoBody, MailBody, MailJson, PageSettingsJson, TestMailJson};
pub use oauth::{
    AccountCalendarJson, ConnectionJson, ConnectionStatus, Flow, PasteBody, Service, ServiceJson,
    StartBody,
};
pub use rules::{
    AvailabilityDocument, ConfirmMode, EventTypeDocument, LocationDocument, QuestionDocument,
    Ranges, RecurringBlockJson, RulesDocument, RulesEventTypeJson, RulesJson, WeekHours,
};
pub use security::{SecurityBody, SecurityJson};
pub use sources::{
    Freshness, Origin, SourceBody, SourceJson, SourceKind, SourceRole, SourceSettings,
};
pub use stats::{DayJson, LeadBucketJson, StatsJson, WeekJson};
pub use webhooks::{NewWebhookJson, WebhookBody, WebhookJson, WebhookTestJson};
pub use week::{FreeJson, SourceBusyJson, SpanJson, WeekBlockJson, WeekBookingJson, WeekViewJson};

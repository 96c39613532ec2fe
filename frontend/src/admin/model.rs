//! The wire types that the dashboard's bookings, week and statistics views read under their
//! old short names. Every other view uses `openslot_wire::admin` directly; these go when
//! those views are next edited (they are another change's files).

pub use openslot_wire::admin::{
    AdminBookingJson as Booking, DeliveryJson as Delivery, SessionJson, SpanJson as Span,
    StatsJson as Stats, WeekViewJson as Week, WorkState,
};
pub use openslot_wire::public::BookingStatus;

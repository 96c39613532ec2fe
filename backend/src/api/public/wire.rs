//! From the domain's types to the wire's (`openslot_wire`): the same values, but the wire's
//! enums are the contract and the domain's may grow data (a choice question carries its
//! choices), so each is mapped here once.

use openslot_wire::public as w;

use crate::booking::BookingStatus;
use crate::booking::details::{LocationKind, QuestionKind};
use crate::booking::series::{Conflict, Frequency};

pub(crate) fn status(s: BookingStatus) -> w::BookingStatus {
    match s {
        BookingStatus::Confirmed => w::BookingStatus::Confirmed,
        BookingStatus::Cancelled => w::BookingStatus::Cancelled,
    }
}

pub(crate) fn frequency(f: Frequency) -> w::Frequency {
    match f {
        Frequency::Weekly => w::Frequency::Weekly,
        Frequency::EveryTwoWeeks => w::Frequency::EveryTwoWeeks,
    }
}

/// A stored series' frequency (written from `Frequency::as_str`, so always one of them).
pub(crate) fn stored_frequency(text: &str) -> w::Frequency {
    Frequency::parse(text).map_or(w::Frequency::Weekly, frequency)
}

pub(crate) fn location_kind(k: LocationKind) -> w::LocationKind {
    match k {
        LocationKind::Video => w::LocationKind::Video,
        LocationKind::Address => w::LocationKind::Address,
        LocationKind::Phone => w::LocationKind::Phone,
    }
}

pub(crate) fn question_kind(k: &QuestionKind) -> w::QuestionKind {
    match k {
        QuestionKind::Text => w::QuestionKind::Text,
        QuestionKind::Choice(_) => w::QuestionKind::Choice,
    }
}

pub(crate) fn conflict(c: Conflict) -> w::ConflictReason {
    match c {
        Conflict::Busy => w::ConflictReason::Busy,
        Conflict::Unavailable => w::ConflictReason::Unavailable,
        Conflict::BeyondHorizon => w::ConflictReason::BeyondHorizon,
        Conflict::DayFull => w::ConflictReason::DayFull,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire's strings are the domain's: what the store keeps and the mails say.
    #[test]
    fn mapped_values_keep_their_names() {
        for f in Frequency::ALL {
            assert_eq!(frequency(f).as_str(), f.as_str());
            assert_eq!(stored_frequency(f.as_str()), frequency(f));
        }
        for k in LocationKind::ALL {
            let json = serde_json::to_value(location_kind(k)).ok();
            assert_eq!(json, Some(serde_json::json!(k.as_str())));
        }
        for s in [BookingStatus::Confirmed, BookingStatus::Cancelled] {
            let json = serde_json::to_value(status(s)).ok();
            assert_eq!(json, Some(serde_json::json!(s.as_str())));
        }
        for c in [
            Conflict::Busy,
            Conflict::Unavailable,
            Conflict::BeyondHorizon,
            Conflict::DayFull,
        ] {
            let json = serde_json::to_value(conflict(c)).ok();
            assert_eq!(json, Some(serde_json::json!(c.as_str())));
        }
        for k in [QuestionKind::Text, QuestionKind::Choice(vec!["a".into()])] {
            let json = serde_json::to_value(question_kind(&k)).ok();
            assert_eq!(json, Some(serde_json::json!(k.as_str())));
        }
    }
}

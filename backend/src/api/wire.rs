//! From the domain's types to the wire's (`openslot_wire`): the same values, but the wire's
//! enums are the contract and the domain's may grow data (a choice question carries its
//! choices), so each is mapped here once.

use openslot_wire::admin as a;
use openslot_wire::public as w;

use crate::booking::details::{LocationKind, QuestionKind};
use crate::booking::series::{Conflict, Frequency};
use crate::booking::{BookingStatus, Channel, ConfirmBy, OutboxAction, OutboxState};
use crate::sources::oauth::Service;
use crate::sync::connections::{Flow, Progress};

pub(crate) fn status(s: BookingStatus) -> w::BookingStatus {
    match s {
        BookingStatus::Pending => w::BookingStatus::Pending,
        BookingStatus::Confirmed => w::BookingStatus::Confirmed,
        BookingStatus::Cancelled => w::BookingStatus::Cancelled,
        BookingStatus::Expired => w::BookingStatus::Expired,
        BookingStatus::Declined => w::BookingStatus::Declined,
    }
}

pub(crate) fn confirm_by(c: ConfirmBy) -> w::ConfirmBy {
    match c {
        ConfirmBy::Visitor => w::ConfirmBy::Visitor,
        ConfirmBy::Owner => w::ConfirmBy::Owner,
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

pub(crate) fn work_state(s: OutboxState) -> a::WorkState {
    match s {
        OutboxState::Pending => a::WorkState::Pending,
        OutboxState::Done => a::WorkState::Done,
        OutboxState::Failed => a::WorkState::Failed,
        OutboxState::Skipped => a::WorkState::Skipped,
    }
}

pub(crate) fn write_action(x: OutboxAction) -> a::WriteAction {
    match x {
        OutboxAction::Create => a::WriteAction::Create,
        OutboxAction::Update => a::WriteAction::Update,
        OutboxAction::Delete => a::WriteAction::Delete,
    }
}

pub(crate) fn channel(c: Channel) -> a::Channel {
    match c {
        Channel::Mail => a::Channel::Mail,
        Channel::Webhook => a::Channel::Webhook,
    }
}

pub(crate) fn service(s: Service) -> a::Service {
    match s {
        Service::Google => a::Service::Google,
        Service::Microsoft => a::Service::Microsoft,
    }
}

pub(crate) fn flow(f: Flow) -> a::Flow {
    match f {
        Flow::Redirect => a::Flow::Redirect,
        Flow::Device => a::Flow::Device,
    }
}

pub(crate) fn progress(p: &Progress) -> a::ConnectionStatus {
    match p {
        Progress::Waiting => a::ConnectionStatus::Waiting,
        Progress::Authorized => a::ConnectionStatus::Authorized,
        Progress::Failed(_) => a::ConnectionStatus::Failed,
        Progress::Expired => a::ConnectionStatus::Expired,
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
        for s in [
            BookingStatus::Pending,
            BookingStatus::Confirmed,
            BookingStatus::Cancelled,
            BookingStatus::Expired,
        ] {
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
        let same = |wire: serde_json::Value, text: &str| assert_eq!(wire, serde_json::json!(text));
        for s in [
            OutboxState::Pending,
            OutboxState::Done,
            OutboxState::Failed,
            OutboxState::Skipped,
        ] {
            same(serde_json::json!(work_state(s)), s.as_str());
        }
        for x in [
            OutboxAction::Create,
            OutboxAction::Update,
            OutboxAction::Delete,
        ] {
            same(serde_json::json!(write_action(x)), x.as_str());
        }
        for c in [Channel::Mail, Channel::Webhook] {
            same(serde_json::json!(channel(c)), c.as_str());
        }
        for s in [Service::Google, Service::Microsoft] {
            same(serde_json::json!(service(s)), s.as_str());
        }
        for f in [Flow::Redirect, Flow::Device] {
            same(serde_json::json!(flow(f)), f.as_str());
        }
        for p in [
            Progress::Waiting,
            Progress::Authorized,
            Progress::Failed("x".into()),
            Progress::Expired,
        ] {
            same(serde_json::json!(progress(&p)), p.as_str());
        }
        for k in [QuestionKind::Text, QuestionKind::Choice(vec!["a".into()])] {
            let json = serde_json::to_value(question_kind(&k)).ok();
            assert_eq!(json, Some(serde_json::json!(k.as_str())));
        }
    }
}

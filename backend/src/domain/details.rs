//! What an event type tells and asks besides its time: where the meeting is (an address, a
//! phone number, a video-call link), and the owner's questions to the visitor.
//!
//! Invariants: answers are checked against the questions as they are when the booking is made
//! and stored with the question's label of that moment (a renamed question never changes what
//! an old booking says); a video link or phone number is given with a booking, never on the
//! public page before it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::visitor_text;

/// Where a meeting is. Names are a contract (config `location.kind`, API `location.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocationKind {
    /// `value` is a link; `{booking_id}` in it is replaced per booking (a room per meeting).
    Video,
    /// `value` is a postal address, shown on the public page.
    Address,
    /// `value` is the number to call.
    Phone,
}

impl LocationKind {
    pub const ALL: [LocationKind; 3] = [Self::Video, Self::Address, Self::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Address => "address",
            Self::Phone => "phone",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The placeholder a video link template may hold.
pub const BOOKING_ID_PLACEHOLDER: &str = "{booking_id}";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub kind: LocationKind,
    pub value: String,
}

impl Location {
    /// Where the meeting of `booking_id` is.
    pub fn for_booking(&self, booking_id: &str) -> String {
        self.value.replace(BOOKING_ID_PLACEHOLDER, booking_id)
    }

    /// What the public page may show before a booking: an address; a number or a link only
    /// comes with a booking.
    pub fn public_value(&self) -> Option<&str> {
        (self.kind == LocationKind::Address).then_some(self.value.as_str())
    }

    /// Why `value` does not fit `kind`, worded for the owner.
    pub fn problem(&self) -> Option<String> {
        let v = self.value.trim();
        match self.kind {
            _ if v.is_empty() => Some("must not be empty".into()),
            _ if v.chars().any(char::is_control) => {
                Some("must be one line without control characters".into())
            }
            _ if v.chars().count() > 500 => Some("must be at most 500 characters".into()),
            LocationKind::Video if !(v.starts_with("https://") || v.starts_with("http://")) => {
                Some("a video link must start with https:// (or http://)".into())
            }
            LocationKind::Phone
                if !v
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-()./".contains(c)) =>
            {
                Some("a phone number may only have digits, spaces and + - ( ) . /".into())
            }
            _ => None,
        }
    }
}

/// What kind of answer a question takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionKind {
    /// One line of text.
    Text,
    /// One of these.
    Choice(Vec<String>),
}

impl QuestionKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Choice(_) => "choice",
        }
    }
}

/// One of the owner's questions on the booking form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Url-safe, unique within the event type; the key of the answer in the API.
    pub id: String,
    pub label: String,
    pub required: bool,
    pub kind: QuestionKind,
}

/// At most this many questions per event type.
pub const MAX_QUESTIONS: usize = 10;
/// At most this many choices per question.
pub const MAX_CHOICES: usize = 20;

/// An answer as stored with the booking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub id: String,
    /// The question's label when the booking was made.
    pub label: String,
    pub value: String,
}

/// What is wrong with the answer to `question` (an id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerProblem {
    pub question: String,
    pub reason: String,
}

/// The visitor's answers checked against `questions`: every required one given, a choice one
/// of its choices, text one line; answers to unknown questions are refused (a typo in a third
/// party's integration must not vanish silently). Empty optional answers are left out.
pub fn check_answers(
    questions: &[Question],
    given: &BTreeMap<String, String>,
) -> Result<Vec<Answer>, Vec<AnswerProblem>> {
    let mut problems: Vec<AnswerProblem> = given
        .keys()
        .filter(|id| !questions.iter().any(|q| &q.id == *id))
        .map(|id| AnswerProblem {
            question: id.clone(),
            reason: "is not a question of this event type".into(),
        })
        .collect();
    let mut answers = Vec::new();
    for q in questions {
        let raw = given.get(&q.id).map(String::as_str).unwrap_or_default();
        let problem = |reason: String| AnswerProblem {
            question: q.id.clone(),
            reason,
        };
        let value = match visitor_text::answer(raw) {
            Ok(v) => v,
            Err(reason) => {
                problems.push(problem(reason));
                continue;
            }
        };
        if value.is_empty() {
            if q.required {
                problems.push(problem("is required".into()));
            }
            continue;
        }
        if let QuestionKind::Choice(choices) = &q.kind
            && !choices.contains(&value)
        {
            problems.push(problem(format!("must be one of: {}", choices.join(", "))));
            continue;
        }
        answers.push(Answer {
            id: q.id.clone(),
            label: q.label.clone(),
            value,
        });
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                id: "company".into(),
                label: "Company".into(),
                required: false,
                kind: QuestionKind::Text,
            },
            Question {
                id: "topic".into(),
                label: "Topic".into(),
                required: true,
                kind: QuestionKind::Choice(vec!["Sales".into(), "Support".into()]),
            },
        ]
    }

    fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn answers_keep_the_labels_and_leave_out_empty_optional_ones() {
        let answers = check_answers(&questions(), &given(&[("topic", " Support ")])).unwrap();
        assert_eq!(
            answers,
            [Answer {
                id: "topic".into(),
                label: "Topic".into(),
                value: "Support".into()
            }]
        );
    }

    #[test]
    fn every_problem_is_named() {
        let problems = check_answers(
            &questions(),
            &given(&[
                ("company", "A\r\nBcc: x@y"),
                ("topic", "Other"),
                ("nope", "x"),
            ]),
        )
        .unwrap_err();
        let named: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.question.as_str(), p.reason.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("nope", "is not a question of this event type"),
                ("company", "must be a single line"),
                ("topic", "must be one of: Sales, Support"),
            ]
        );
        let missing = check_answers(&questions(), &BTreeMap::new()).unwrap_err();
        assert_eq!(missing[0].reason, "is required");
    }

    #[test]
    fn locations_are_checked_and_only_an_address_is_public() {
        let video = Location {
            kind: LocationKind::Video,
            value: "https://meet.example.org/openslot-{booking_id}".into(),
        };
        assert_eq!(video.problem(), None);
        assert_eq!(
            video.for_booking("ab12"),
            "https://meet.example.org/openslot-ab12"
        );
        assert_eq!(video.public_value(), None);
        let bad = Location {
            kind: LocationKind::Video,
            value: "javascript:alert(1)".into(),
        };
        assert!(bad.problem().unwrap().contains("https://"));
        let phone = Location {
            kind: LocationKind::Phone,
            value: "+49 30 1234-56".into(),
        };
        assert_eq!((phone.problem(), phone.public_value()), (None, None));
        let letters = Location {
            kind: LocationKind::Phone,
            value: "call me".into(),
        };
        assert!(letters.problem().is_some());
        let address = Location {
            kind: LocationKind::Address,
            value: "Main St 1, Berlin".into(),
        };
        assert_eq!(address.public_value(), Some("Main St 1, Berlin"));
    }
}

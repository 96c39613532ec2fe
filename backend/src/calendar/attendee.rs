//! Whose meeting an event is: the owner's calendar addresses and the ATTENDEE/ORGANIZER lines
//! that decide whether the owner declined it.
//!
//! Invariant: a declined invitation is free only when the owner's own attendee entry says
//! DECLINED and the owner does not organize the event; anyone else declining changes nothing.
//! Addresses compare without case and with or without `mailto:`.

use std::sync::Arc;

/// An address as compared: trimmed, without a leading `mailto:` (any case), lower case.
pub fn normalize_address(raw: &str) -> String {
    let t = raw.trim_matches(|c: char| c.is_ascii_whitespace() || c == '"');
    let t = match t.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &t[7..],
        _ => t,
    };
    t.trim_ascii().to_lowercase()
}

/// The owner's addresses (`[owner] email` and `other_emails`), normalized once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnerAddresses(Arc<[Box<str>]>);

impl OwnerAddresses {
    pub fn new<'a>(addresses: impl IntoIterator<Item = &'a str>) -> Self {
        let mut list: Vec<Box<str>> = addresses
            .into_iter()
            .map(normalize_address)
            .filter(|a| !a.is_empty())
            .map(String::into_boxed_str)
            .collect();
        list.sort_unstable();
        list.dedup();
        OwnerAddresses(list.into())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `normalized` (from [`normalize_address`]) is one of the owner's.
    pub fn contains_normalized(&self, normalized: &str) -> bool {
        self.0.iter().any(|a| &**a == normalized)
    }

    /// Whether `raw` (`mailto:...` or bare, any case) is one of the owner's.
    pub fn contains(&self, raw: &str) -> bool {
        !self.is_empty() && self.contains_normalized(&normalize_address(raw))
    }
}

/// RFC 5545 3.2.12 participation status of an attendee (only DECLINED changes busy time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartStat {
    NeedsAction,
    Accepted,
    Declined,
    Tentative,
    Delegated,
    Other,
}

impl PartStat {
    /// The PARTSTAT parameter's value; absent means NEEDS-ACTION (RFC 5545 3.2.12).
    pub fn parse(param: Option<&str>) -> PartStat {
        let Some(v) = param.map(|v| v.trim_matches(|c: char| c == '"' || c.is_ascii_whitespace()))
        else {
            return PartStat::NeedsAction;
        };
        let is = |s: &str| v.eq_ignore_ascii_case(s);
        if is("DECLINED") {
            PartStat::Declined
        } else if is("ACCEPTED") {
            PartStat::Accepted
        } else if is("TENTATIVE") {
            PartStat::Tentative
        } else if is("NEEDS-ACTION") {
            PartStat::NeedsAction
        } else if is("DELEGATED") {
            PartStat::Delegated
        } else {
            PartStat::Other
        }
    }
}

/// The addresses an ATTENDEE or ORGANIZER line names: its value and its `EMAIL` parameter
/// (RFC 7986 5.1, for a value that is not a mailto: URI), normalized.
pub fn line_addresses<'a>(
    value: &'a str,
    email_param: Option<&'a str>,
) -> impl Iterator<Item = String> + 'a {
    [Some(value), email_param]
        .into_iter()
        .flatten()
        .map(normalize_address)
        .filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_compare_without_case_and_mailto() {
        let owner = OwnerAddresses::new(["Ada@Example.org", "mailto:ada@uni.example"]);
        let cases = [
            ("ada@example.org", true),
            ("ADA@EXAMPLE.ORG", true),
            ("mailto:ada@example.org", true),
            ("MAILTO:Ada@Example.Org", true),
            ("MailTo:ada@uni.example", true),
            ("  mailto:ada@uni.example ", true),
            ("\"mailto:ada@example.org\"", true),
            ("bob@example.org", false),
            ("mailto:", false),
            ("", false),
            ("ada@example.org.evil", false),
            ("mailto:ada@example", false),
        ];
        for (raw, expected) in cases {
            assert_eq!(owner.contains(raw), expected, "{raw:?}");
        }
        assert!(!OwnerAddresses::default().contains("ada@example.org"));
        assert!(!OwnerAddresses::new(["", "  "]).contains(""));
    }

    #[test]
    fn partstat_values() {
        let cases = [
            (None, PartStat::NeedsAction),
            (Some("DECLINED"), PartStat::Declined),
            (Some("declined"), PartStat::Declined),
            (Some("\"Declined\""), PartStat::Declined),
            (Some("ACCEPTED"), PartStat::Accepted),
            (Some("TENTATIVE"), PartStat::Tentative),
            (Some("NEEDS-ACTION"), PartStat::NeedsAction),
            (Some("DELEGATED"), PartStat::Delegated),
            (Some("X-MAYBE"), PartStat::Other),
        ];
        for (param, expected) in cases {
            assert_eq!(PartStat::parse(param), expected, "{param:?}");
        }
    }

    #[test]
    fn a_line_names_its_value_and_email_parameter() {
        let got: Vec<String> = line_addresses("urn:uuid:1234", Some("Ada@Example.org")).collect();
        assert_eq!(got, ["urn:uuid:1234", "ada@example.org"]);
        let got: Vec<String> = line_addresses("MAILTO:Ada@Example.org", None).collect();
        assert_eq!(got, ["ada@example.org"]);
    }
}

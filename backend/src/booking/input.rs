//! PLACEHOLDER (issue 4): minimal stand-in with the agreed signatures; replaced by the real
//! parser from the `guards` branch.

#[derive(Debug, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InputError {
    pub field: &'static str,
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct VisitorName(String);
#[derive(Clone, Debug)]
pub struct Email(String);
#[derive(Clone, Debug)]
pub struct Notes(String);
#[derive(Clone, Copy, Debug)]
pub struct Zone(chrono_tz::Tz);

impl VisitorName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl Notes {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl Zone {
    pub fn parse(text: &str) -> Result<Self, InputError> {
        text.parse().map(Zone).map_err(|_| InputError {
            field: "timezone",
            reason: "is not a time zone".into(),
        })
    }
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }
}

#[derive(Clone, Debug)]
pub struct BookingInput {
    pub name: VisitorName,
    pub email: Email,
    pub notes: Notes,
    pub timezone: Zone,
}

pub fn parse_booking(
    name: &str,
    email: &str,
    notes: Option<&str>,
    timezone: &str,
) -> Result<BookingInput, Vec<InputError>> {
    let timezone = Zone::parse(timezone).map_err(|e| vec![e])?;
    Ok(BookingInput {
        name: VisitorName(name.trim().to_owned()),
        email: Email(email.trim().to_owned()),
        notes: Notes(notes.unwrap_or_default().to_owned()),
        timezone,
    })
}

//! The booking page's texts the owner edits in the dashboard: the intro, the accent colour, the
//! name shown to visitors (`[owner] display_name`) and the owner's time zone. The configuration file stays
//! authoritative: a value it sets cannot be edited here (it is shown read-only); what it leaves
//! unset the dashboard may set, stored and applied at once (the display name and the zone reach
//! the rules, mails, calendar entries and the page through the configuration that applies,
//! [`overlay`]).

use std::collections::BTreeMap;

use chrono_tz::Tz;

use crate::config::{Config, PageConfig};
use crate::store::StoreError;

use super::BookingService;

/// The page's texts as they apply, and which come from the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageTexts {
    pub intro: Option<String>,
    pub accent_color: Option<String>,
    pub intro_from_file: bool,
    pub accent_from_file: bool,
    /// The name visitors see instead of `[owner] name`.
    pub display_name: Option<String>,
    pub display_name_from_file: bool,
    /// The owner's IANA zone: the file's, else the saved one, else UTC.
    pub timezone: Tz,
    pub timezone_from_file: bool,
}

/// Why an edit was not saved.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// A field and what is wrong with it, in the owner's words.
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The file's values over the saved ones.
pub fn merged(file: &Config, saved: &BTreeMap<String, String>) -> PageTexts {
    let (owner, file) = (&file.owner, &file.page);
    PageTexts {
        display_name: owner
            .display_name
            .clone()
            .or_else(|| saved.get("display_name").cloned()),
        display_name_from_file: owner.display_name.is_some(),
        timezone: if owner.timezone_from_file {
            owner.timezone
        } else {
            saved
                .get("timezone")
                .and_then(|z| z.parse().ok())
                .unwrap_or(owner.timezone)
        },
        timezone_from_file: owner.timezone_from_file,
        intro: file.intro.clone().or_else(|| saved.get("intro").cloned()),
        accent_color: file
            .accent_color
            .clone()
            .or_else(|| saved.get("accent_color").cloned()),
        intro_from_file: file.intro.is_some(),
        accent_from_file: file.accent_color.is_some(),
    }
}

/// `config` with the saved display name where the file leaves it unset (idempotent: a
/// forgotten name is taken away again).
pub fn overlay(config: &mut Config, file: &Config, saved: &BTreeMap<String, String>) {
    let merged = merged(file, saved);
    config.owner.display_name = merged.display_name;
    config.owner.timezone = merged.timezone;
}

/// A time zone as chosen: an IANA name (`Europe/Berlin`); empty is none (UTC).
pub fn check_timezone(text: Option<&str>) -> Result<Option<Tz>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.parse::<Tz>()
        .map(Some)
        .map_err(|_| format!("`{text}` is not an IANA time zone (such as \"Europe/Berlin\")"))
}

/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// A display name as typed: trimmed, empty is none; one line of at most 100 characters.
pub fn check_display_name(text: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(format!(
            "is longer than {MAX_DISPLAY_NAME_CHARS} characters"
        ));
    }
    if text.chars().any(char::is_control) {
        return Err("must be one line of plain text".to_owned());
    }
    Ok(Some(text.to_owned()))
}

/// An intro as typed: trimmed, empty is none; at most 500 characters of plain text (line
/// breaks allowed, no other control characters).
pub fn check_intro(text: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = text
        .map(|t| t.trim().replace("\r\n", "\n"))
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    if text.chars().count() > PageConfig::MAX_INTRO_CHARS {
        return Err(format!(
            "is longer than {} characters",
            PageConfig::MAX_INTRO_CHARS
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err("must be plain text (no control characters)".to_owned());
    }
    Ok(Some(text))
}

/// An accent colour as typed: `#rrggbb` (or `#rgb`), empty is none.
pub fn check_accent(text: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let hex = text.strip_prefix('#').unwrap_or_default();
    if matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(Some(text.to_ascii_lowercase()))
    } else {
        Err(format!("`{text}` is not a colour like #0b6e4f"))
    }
}

/// The saved texts at start-up (none, with a warning, when they cannot be read).
pub(super) fn saved(store: &crate::store::Store) -> BTreeMap<String, String> {
    store
        .call_now(|c| crate::store::page_settings::all(c))
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the page's edited texts; using the file's");
            BTreeMap::new()
        })
}

impl BookingService {
    fn saved_page(&self) -> BTreeMap<String, String> {
        self.inner
            .saved_page
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_saved_page(&self, saved: BTreeMap<String, String>) {
        *self
            .inner
            .saved_page
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = saved;
    }

    /// The page's texts as they apply now.
    pub fn page_texts(&self) -> PageTexts {
        let saved = self.saved_page();
        merged(self.file_config(), &saved)
    }

    /// Saves the intro, accent colour and display name (`None` clears one); a field the file
    /// sets must be left as it is. The display name applies at once wherever the owner is
    /// named (the configuration that applies is rebuilt).
    pub async fn save_page(&self, edit: PageEdit<'_>) -> Result<PageTexts, PageError> {
        let file = self.file_config();
        let intro = check_intro(edit.intro).map_err(|e| PageError::Invalid("intro", e))?;
        let accent =
            check_accent(edit.accent_color).map_err(|e| PageError::Invalid("accent_color", e))?;
        let name = check_display_name(edit.display_name)
            .map_err(|e| PageError::Invalid("display_name", e))?;
        let zone = check_timezone(edit.timezone).map_err(|e| PageError::Invalid("timezone", e))?;
        let set_in_file = "is set in the configuration file; change it there".to_owned();
        let fixed = |from_file: &Option<String>, sent: &Option<String>| {
            from_file.is_some() && sent.as_deref() != from_file.as_deref()
        };
        if fixed(&file.page.intro, &intro) {
            return Err(PageError::Invalid("intro", set_in_file));
        }
        if fixed(&file.page.accent_color, &accent) {
            return Err(PageError::Invalid("accent_color", set_in_file));
        }
        if fixed(&file.owner.display_name, &name) {
            return Err(PageError::Invalid("display_name", set_in_file));
        }
        if file.owner.timezone_from_file && zone.is_some_and(|z| z != file.owner.timezone) {
            return Err(PageError::Invalid("timezone", set_in_file));
        }
        let zone = zone.map(|z| z.name().to_owned());
        let now = self.now();
        let edits = [
            ("intro", file.page.intro.is_none(), intro),
            ("accent_color", file.page.accent_color.is_none(), accent),
            ("display_name", file.owner.display_name.is_none(), name),
            ("timezone", !file.owner.timezone_from_file, zone),
        ];
        let saved = self
            .store()
            .call(move |c| {
                let tx = c.transaction()?;
                for (key, editable, value) in &edits {
                    if *editable {
                        crate::store::page_settings::set(&tx, key, value.as_deref(), now)?;
                    }
                }
                let all = crate::store::page_settings::all(&tx)?;
                tx.commit()?;
                Ok(all)
            })
            .await?;
        self.set_saved_page(saved);
        self.reapply();
        Ok(self.page_texts())
    }
}

/// What the owner sent: each field as typed (`None` or empty: none).
#[derive(Clone, Copy, Debug, Default)]
pub struct PageEdit<'a> {
    pub intro: Option<&'a str>,
    pub accent_color: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub timezone: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_wins_and_edits_fill_what_it_leaves_unset() {
        let saved: BTreeMap<String, String> = [
            ("intro".to_owned(), "Saved intro".to_owned()),
            ("accent_color".to_owned(), "#112233".to_owned()),
        ]
        .into();
        let mut file = crate::config::from_toml_str(
            "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"UTC\"\n\
             [[event_types]]\nslug = \"a\"\ntitle = \"A\"\nduration_minutes = 30\n",
            &[],
            std::path::Path::new("/"),
        )
        .unwrap();
        file.page = PageConfig {
            accent_color: Some("#0b6e4f".into()),
            ..PageConfig::default()
        };
        let m = merged(&file, &saved);
        assert_eq!(m.intro.as_deref(), Some("Saved intro"));
        assert_eq!(m.accent_color.as_deref(), Some("#0b6e4f"));
        assert!(!m.intro_from_file && m.accent_from_file);
        assert_eq!(m.display_name, None);

        let saved: BTreeMap<String, String> = [("display_name".into(), "Dr. Ada".into())].into();
        let mut applied = file.clone();
        overlay(&mut applied, &file, &saved);
        assert_eq!(applied.owner.shown_name(), "Dr. Ada");
        overlay(&mut applied, &file, &BTreeMap::new());
        assert_eq!(
            applied.owner.shown_name(),
            "Ada",
            "a forgotten name goes away"
        );
        file.owner.display_name = Some("Ada from the file".into());
        overlay(&mut applied, &file, &saved);
        assert_eq!(
            applied.owner.shown_name(),
            "Ada from the file",
            "the file wins"
        );

        // The zone: the saved one where the file leaves it out; the file's otherwise.
        let zone: BTreeMap<String, String> = [("timezone".into(), "Asia/Tokyo".into())].into();
        file.owner.timezone_from_file = false;
        overlay(&mut applied, &file, &zone);
        assert_eq!(applied.owner.timezone, chrono_tz::Asia::Tokyo);
        file.owner.timezone_from_file = true;
        overlay(&mut applied, &file, &zone);
        assert_eq!(applied.owner.timezone, chrono_tz::UTC, "the file wins");
    }

    #[test]
    fn texts_are_checked() {
        assert_eq!(check_intro(Some("  ")), Ok(None));
        assert_eq!(
            check_intro(Some(" Hi\r\nthere ")),
            Ok(Some("Hi\nthere".into()))
        );
        assert!(check_intro(Some(&"x".repeat(501))).is_err());
        assert!(check_intro(Some("a\u{7}b")).is_err());
        assert_eq!(check_accent(Some("#F5C400")), Ok(Some("#f5c400".into())));
        assert!(check_accent(Some("red")).is_err());
        assert!(check_accent(Some("#12345")).is_err());
        assert_eq!(check_accent(None), Ok(None));
        assert_eq!(check_display_name(Some("  Ada ")), Ok(Some("Ada".into())));
        assert_eq!(check_display_name(Some(" ")), Ok(None));
        assert!(check_display_name(Some("a\nb")).is_err());
        assert!(check_display_name(Some(&"x".repeat(101))).is_err());
        assert_eq!(
            check_timezone(Some(" Asia/Kolkata ")),
            Ok(Some(chrono_tz::Asia::Kolkata))
        );
        assert_eq!(check_timezone(Some("")), Ok(None));
        assert!(
            check_timezone(Some("Mars/Olympus"))
                .unwrap_err()
                .contains("IANA")
        );
    }
}

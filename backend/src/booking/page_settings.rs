//! The booking page's texts the owner edits in the dashboard: the intro and the accent colour.
//! The configuration file stays authoritative: a value it sets cannot be edited here (it is
//! shown read-only); what it leaves unset the dashboard may set, stored and applied at once.

use std::collections::BTreeMap;

use crate::config::PageConfig;
use crate::store::StoreError;

use super::BookingService;

/// The page's texts as they apply, and which come from the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageTexts {
    pub intro: Option<String>,
    pub accent_color: Option<String>,
    pub intro_from_file: bool,
    pub accent_from_file: bool,
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
pub fn merged(file: &PageConfig, saved: &BTreeMap<String, String>) -> PageTexts {
    PageTexts {
        intro: file.intro.clone().or_else(|| saved.get("intro").cloned()),
        accent_color: file
            .accent_color
            .clone()
            .or_else(|| saved.get("accent_color").cloned()),
        intro_from_file: file.intro.is_some(),
        accent_from_file: file.accent_color.is_some(),
    }
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
        merged(&self.file_config().page, &saved)
    }

    /// Saves the intro and accent colour (`None` clears one); a field the file sets must be
    /// left as it is.
    pub async fn save_page(
        &self,
        intro: Option<&str>,
        accent: Option<&str>,
    ) -> Result<PageTexts, PageError> {
        let file = &self.file_config().page;
        let intro = check_intro(intro).map_err(|e| PageError::Invalid("intro", e))?;
        let accent = check_accent(accent).map_err(|e| PageError::Invalid("accent_color", e))?;
        let set_in_file = "is set in the configuration file; change it there".to_owned();
        if file.intro.is_some() && intro != file.intro {
            return Err(PageError::Invalid("intro", set_in_file));
        }
        if file.accent_color.is_some() && accent.as_deref() != file.accent_color.as_deref() {
            return Err(PageError::Invalid("accent_color", set_in_file));
        }
        let now = self.now();
        let (keep_intro, keep_accent) = (file.intro.is_none(), file.accent_color.is_none());
        let (i, a) = (intro.clone(), accent.clone());
        let saved = self
            .store()
            .call(move |c| {
                let tx = c.transaction()?;
                if keep_intro {
                    crate::store::page_settings::set(&tx, "intro", i.as_deref(), now)?;
                }
                if keep_accent {
                    crate::store::page_settings::set(&tx, "accent_color", a.as_deref(), now)?;
                }
                let all = crate::store::page_settings::all(&tx)?;
                tx.commit()?;
                Ok(all)
            })
            .await?;
        self.set_saved_page(saved);
        Ok(self.page_texts())
    }
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
        let file = PageConfig {
            accent_color: Some("#0b6e4f".into()),
            ..PageConfig::default()
        };
        let m = merged(&file, &saved);
        assert_eq!(m.intro.as_deref(), Some("Saved intro"));
        assert_eq!(m.accent_color.as_deref(), Some("#0b6e4f"));
        assert!(!m.intro_from_file && m.accent_from_file);
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
    }
}

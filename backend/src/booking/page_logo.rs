//! The logo the owner uploads in the dashboard where `[page] logo_file` is unset: checked to be
//! the image it claims to be (PNG, JPEG, WebP or SVG without scripts, at most 512 KB), stored
//! in the database and kept in memory, so the page's logo answer never reads the disk.

use std::sync::Arc;

use crate::config::PageConfig;
use crate::store::page_settings::StoredLogo;

use super::BookingService;
use super::page_settings::PageError;

/// Where the page's logo comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logo {
    None,
    /// `[page] logo_file` (read-only in the dashboard).
    File,
    Uploaded(Arc<StoredLogo>),
}

/// The media types a logo may have.
pub const MEDIA_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "image/svg+xml"];

/// Checks that `bytes` are a logo of `media_type`: one of [`MEDIA_TYPES`], at most 512 KB,
/// and starting the way such a file starts (an SVG: UTF-8 text with an `<svg` element and
/// no script, event handler or `javascript:` link).
pub fn check_logo(media_type: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let Some(kind) = MEDIA_TYPES.iter().find(|t| **t == media_type) else {
        return Err(format!(
            "`{media_type}` is not a PNG, JPEG, WebP or SVG image"
        ));
    };
    if bytes.is_empty() {
        return Err("is an empty file".to_owned());
    }
    if bytes.len() as u64 > PageConfig::MAX_LOGO_BYTES {
        return Err(format!(
            "is {} KB; a logo may have at most 512 KB",
            bytes.len().div_ceil(1024)
        ));
    }
    let looks_right = match *kind {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        _ => return check_svg(bytes).map(|()| *kind),
    };
    if looks_right {
        Ok(kind)
    } else {
        Err(format!("is not a {} file", short_name(kind)))
    }
}

fn short_name(media_type: &str) -> &'static str {
    match media_type {
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        "image/webp" => "WebP",
        _ => "SVG",
    }
}

/// An SVG is shown as an image (scripts never run there) and served with a policy that
/// forbids them; one that carries script is still refused, so the owner is told.
fn check_svg(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "is not an SVG file".to_owned())?;
    let lower = text.to_ascii_lowercase();
    if !lower.contains("<svg") {
        return Err("is not an SVG file".to_owned());
    }
    let scripted = lower.contains("<script")
        || lower.contains("javascript:")
        || lower.contains("<foreignobject")
        || has_event_handler(&lower);
    if scripted {
        return Err("is an SVG with scripts or event handlers; save it without them".to_owned());
    }
    Ok(())
}

/// Whether an attribute named `on…` (an event handler) appears: `on` after a space or `/`,
/// letters, optional spaces, `=`.
fn has_event_handler(lower: &str) -> bool {
    let b = lower.as_bytes();
    (1..b.len()).any(|i| {
        if !(b[i - 1].is_ascii_whitespace() || b[i - 1] == b'/') || !b[i..].starts_with(b"on") {
            return false;
        }
        let rest = &b[i + 2..];
        let letters = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let after = &rest[letters..];
        let spaces = after.iter().take_while(|c| c.is_ascii_whitespace()).count();
        letters > 0 && after.get(spaces) == Some(&b'=')
    })
}

/// The uploaded logo at start-up (none, with a warning, when it cannot be read).
pub(super) fn saved(store: &crate::store::Store) -> Option<Arc<StoredLogo>> {
    store
        .call_now(|c| crate::store::page_settings::logo(c))
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the uploaded logo; showing none");
            None
        })
        .map(Arc::new)
}

impl BookingService {
    /// The page's logo as it applies now.
    pub fn page_logo(&self) -> Logo {
        if self.file_config().page.logo_file.is_some() {
            return Logo::File;
        }
        let saved = self
            .inner
            .saved_logo
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        saved.map_or(Logo::None, Logo::Uploaded)
    }

    /// Replaces the uploaded logo (`None`: removes it). Refused while the file sets one.
    pub async fn save_logo(&self, upload: Option<(&str, Vec<u8>)>) -> Result<Logo, PageError> {
        if self.file_config().page.logo_file.is_some() {
            return Err(PageError::Invalid(
                "logo",
                "is set in the configuration file (`[page] logo_file`); change it there".to_owned(),
            ));
        }
        let logo = match upload {
            Some((media_type, bytes)) => {
                let media_type =
                    check_logo(media_type, &bytes).map_err(|e| PageError::Invalid("logo", e))?;
                Some(StoredLogo {
                    media_type: media_type.to_owned(),
                    bytes,
                    updated_at: self.now(),
                })
            }
            None => None,
        };
        let stored = logo.clone();
        self.store()
            .call(move |c| crate::store::page_settings::set_logo(c, stored.as_ref()))
            .await?;
        *self
            .inner
            .saved_logo
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = logo.map(Arc::new);
        Ok(self.page_logo())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn a_logo_is_the_image_it_claims_to_be() {
        assert_eq!(check_logo("image/png", PNG), Ok("image/png"));
        assert_eq!(
            check_logo("image/jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok("image/jpeg")
        );
        assert_eq!(
            check_logo("image/webp", b"RIFF\x10\0\0\0WEBPVP8 "),
            Ok("image/webp")
        );
        let svg = br##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><circle cx="24" cy="24" r="20" fill="#0b6e4f"/></svg>"##;
        assert_eq!(check_logo("image/svg+xml", svg), Ok("image/svg+xml"));

        let refused = |t: &str, b: &[u8]| check_logo(t, b).unwrap_err();
        assert!(refused("image/gif", b"GIF89a").contains("not a PNG, JPEG, WebP or SVG"));
        assert!(refused("image/png", &[0xFF, 0xD8, 0xFF]).contains("not a PNG file"));
        assert!(refused("image/webp", b"RIFF").contains("not a WebP file"));
        assert!(refused("image/png", b"").contains("empty"));
        let big = [PNG, &vec![0u8; 512 * 1024][..]].concat();
        assert!(refused("image/png", &big).contains("at most 512 KB"));
        assert!(refused("image/svg+xml", b"<html></html>").contains("not an SVG"));
        assert!(refused("image/svg+xml", &[0xFF, 0xFE]).contains("not an SVG"));
        for hostile in [
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg><a href="javascript:alert(1)">x</a></svg>"#,
            r#"<svg onload="alert(1)"></svg>"#,
            r#"<svg><image onerror = "alert(1)"/></svg>"#,
            r#"<svg><foreignObject><iframe/></foreignObject></svg>"#,
        ] {
            assert!(
                refused("image/svg+xml", hostile.as_bytes()).contains("scripts"),
                "{hostile}"
            );
        }
    }
}

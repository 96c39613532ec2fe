//! The built SPA's files as browsers should keep them when OpenSlot serves them itself (no
//! nginx in front): trunk's hashed files for a year (a new build has new names), everything
//! else revalidated each time, except the booking page's translations (a day); a path that names a file (`/favicon.ico`, `/robots.txt`) is a
//! 404 when there is no such file, never the page. Pure: the server applies it.

/// Hashed files: their content never changes under their name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The HTML pages and unhashed files: kept, but asked about (ETag) before each use.
pub const REVALIDATE: &str = "no-cache";

/// The booking page's translations (`/i18n/de.json`): the page asks for them with a hash of
/// their content in the query (`?v=`), so a new build's texts are a new address; their own name
/// has no hash, so not for a year, but a day spares a returning visitor the round trip.
pub const TRANSLATION: &str = "public, max-age=86400";

/// The `Cache-Control` of the file served for `path` (the path of the file actually sent).
pub fn cache_control(path: &str) -> &'static str {
    if is_hashed(last_segment(path)) {
        IMMUTABLE
    } else if is_translation(path) {
        TRANSLATION
    } else {
        REVALIDATE
    }
}

/// Whether `path` asks for a file (its last segment has an extension) rather than a route of
/// the SPA (`/manage/abc`), which gets the page.
pub fn names_a_file(path: &str) -> bool {
    last_segment(path)
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
}

fn is_translation(path: &str) -> bool {
    path.strip_prefix("/i18n/")
        .and_then(|name| name.strip_suffix(".json"))
        .is_some_and(|code| {
            !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
        })
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// trunk's names: `openslot-frontend-ef7a58d453e3e541_bg.wasm`, `style-5963fbb3f76cb51a.css`:
/// the stem ends in `-` and the hash in hex, `_bg` after it for the wasm. trunk writes its 64-bit
/// hash without leading zeros (`-51c2d6d2d5b136e`, 15 digits, one build in 16): 8 to 16 digits.
fn is_hashed(name: &str) -> bool {
    let stem = name.split_once('.').map_or(name, |(stem, _)| stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_files_are_kept_for_a_year_the_rest_is_revalidated() {
        for path in [
            "/openslot-frontend-ef7a58d453e3e541_bg.wasm",
            "/openslot-frontend-ef7a58d453e3e541.js",
            "/style-5963fbb3f76cb51a.css",
            "/admin/dashboard-0123456789abcdef_bg.wasm",
            // trunk drops the hash's leading zeros: 15 digits in one build of 16.
            "/openslot-frontend-51c2d6d2d5b136e_bg.wasm",
        ] {
            assert_eq!(cache_control(path), IMMUTABLE, "{path}");
        }
        for path in [
            "/",
            "/index.html",
            "/admin/index.html",
            "/captcha-worker.js",
            "/zones.txt",
            "/style-5963fbb.css",
            "/style-5963fbb3f76cb51g.css",
            "/i18n/",
            "/i18n/.json",
            "/i18n/de/x.json",
            "/admin/i18n/de.json",
        ] {
            assert_eq!(cache_control(path), REVALIDATE, "{path}");
        }
        for path in ["/i18n/de.json", "/i18n/ja.json", "/i18n/pt-BR.json"] {
            assert_eq!(cache_control(path), TRANSLATION, "{path}");
        }
    }

    #[test]
    fn a_file_is_named_by_its_extension() {
        for path in ["/favicon.ico", "/robots.txt", "/a/b.png", "/x.js"] {
            assert!(names_a_file(path), "{path}");
        }
        for path in ["/", "/manage/abc", "/admin/", "/.well-known", "/x."] {
            assert!(!names_a_file(path), "{path}");
        }
    }
}

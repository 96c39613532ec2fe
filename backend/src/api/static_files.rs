//! The built SPA's files as browsers should keep them when OpenSlot serves them itself (no
//! nginx in front): trunk's hashed files for a year (a new build has new names), everything
//! else revalidated each time; a path that names a file (`/favicon.ico`, `/robots.txt`) is a
//! 404 when there is no such file, never the page. Pure: the server applies it.

/// Hashed files: their content never changes under their name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The HTML pages and unhashed files: kept, but asked about (ETag) before each use.
pub const REVALIDATE: &str = "no-cache";

/// The `Cache-Control` of the file served for `path` (the path of the file actually sent).
pub fn cache_control(path: &str) -> &'static str {
    if is_hashed(last_segment(path)) {
        IMMUTABLE
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

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// trunk's names: `openslot-frontend-ef7a58d453e3e541_bg.wasm`, `style-5963fbb3f76cb51a.css`:
/// the stem ends in `-` and 16 hex digits, `_bg` after them for the wasm.
fn is_hashed(name: &str) -> bool {
    let stem = name.split_once('.').map_or(name, |(stem, _)| stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
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
        ] {
            assert_eq!(cache_control(path), IMMUTABLE, "{path}");
        }
        for path in [
            "/",
            "/index.html",
            "/admin/index.html",
            "/captcha-worker.js",
            "/zones.txt",
            "/style-5963fbb3f76cb51.css",
            "/style-5963fbb3f76cb51g.css",
        ] {
            assert_eq!(cache_control(path), REVALIDATE, "{path}");
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

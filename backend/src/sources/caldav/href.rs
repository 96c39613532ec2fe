//! Hrefs as keys: servers write the same resource as `/c/a%40b.ics`, `/c/a@b.ics` or
//! `https://host/c/a%40b.ics`. [`resolve`] turns each into one canonical absolute URL (each path
//! segment decoded, then encoded again the same way), so keys compare equal whatever the server
//! chose. [`file_name`] makes the resource name of a booking from its uid.

use reqwest::Url;

/// `href` resolved against `base` (the URL that answered), with a canonical path.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let mut url = base.join(href.trim()).ok()?;
    let path: Vec<String> = url.path().split('/').map(canonical_segment).collect();
    url.set_path(&path.join("/"));
    url.set_fragment(None);
    Some(url)
}

/// The same collection URL, always ending in `/` (hrefs of members join below it).
pub fn as_collection(url: &Url) -> Url {
    let mut u = url.clone();
    if !u.path().ends_with('/') {
        let path = format!("{}/", u.path());
        u.set_path(&path);
    }
    u
}

/// Whether two URLs name the same collection (trailing slash or not).
pub fn same_collection(a: &Url, b: &Url) -> bool {
    as_collection(a) == as_collection(b)
}

/// A path segment percent-decoded, then encoded again: unreserved characters and the
/// sub-delimiters `@ : ! $ & ' ( ) * + , ; =` stay, everything else is `%XX`.
fn canonical_segment(segment: &str) -> String {
    let bytes = decode(segment);
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~@:!$&'()*+,;=".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            // Both digits are below 16: the value fits a byte.
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The last path segment, decoded (a calendar's "name" in a URL).
pub fn last_segment(url: &Url) -> String {
    let seg = url
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    String::from_utf8_lossy(&decode(seg)).into_owned()
}

/// The resource name of a booking event: `{uid}.ics` when the uid is made only of
/// `[A-Za-z0-9._-]`; otherwise the other characters become `_` and a stable hash of the whole
/// uid is appended, so that two uids never share a name and the name needs no escaping on any
/// server. At most about 100 characters.
pub fn file_name(uid: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if !uid.is_empty() && uid.len() <= 80 && uid.chars().all(safe) && !uid.starts_with('.') {
        return format!("{uid}.ics");
    }
    let stem: String = uid
        .chars()
        .take(64)
        .map(|c| if safe(c) { c } else { '_' })
        .collect();
    format!("{}-{:016x}.ics", stem.trim_start_matches('.'), fnv1a(uid))
}

/// FNV-1a, 64 bits: stable across versions and platforms (the name must never change).
fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_resolve_to_one_key() {
        let base = Url::parse("http://h:5232/bob/cal/").unwrap();
        let cases = [
            ("/bob/cal/a%40b.ics", "http://h:5232/bob/cal/a@b.ics"),
            ("/bob/cal/a@b.ics", "http://h:5232/bob/cal/a@b.ics"),
            ("a%40b.ics", "http://h:5232/bob/cal/a@b.ics"),
            (
                "http://h:5232/bob/cal/a%40b.ics",
                "http://h:5232/bob/cal/a@b.ics",
            ),
            ("/bob/cal/a%20b.ics", "http://h:5232/bob/cal/a%20b.ics"),
            ("/bob/cal/a b.ics", "http://h:5232/bob/cal/a%20b.ics"),
            (
                "/bob/cal/%e2%82%ac.ics",
                "http://h:5232/bob/cal/%E2%82%AC.ics",
            ),
            ("/bob/cal/%zz.ics", "http://h:5232/bob/cal/%25zz.ics"),
            ("/bob/cal/%2F.ics", "http://h:5232/bob/cal/%2F.ics"),
            ("  /bob/other/  ", "http://h:5232/bob/other/"),
        ];
        for (href, expected) in cases {
            assert_eq!(
                resolve(&base, href).map(|u| u.to_string()).as_deref(),
                Some(expected),
                "{href}"
            );
        }
    }

    #[test]
    fn collections_compare_with_or_without_slash() {
        let a = Url::parse("http://h/bob/cal").unwrap();
        let b = Url::parse("http://h/bob/cal/").unwrap();
        assert!(same_collection(&a, &b));
        assert_eq!(last_segment(&a), "cal");
        assert_eq!(
            last_segment(&Url::parse("http://h/bob/My%20Cal/").unwrap()),
            "My Cal"
        );
    }

    #[test]
    fn file_names_are_url_safe_distinct_and_stable() {
        assert_eq!(file_name("booking-42.openslot"), "booking-42.openslot.ics");
        assert_eq!(file_name("b_1"), "b_1.ics");
        for uid in ["booking-42@openslot", "a/../b", "..", "", "é ü?#%"] {
            let name = file_name(uid);
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')),
                "{name}"
            );
            assert!(!name.starts_with('.') && name.ends_with(".ics"), "{name}");
            assert_eq!(name, file_name(uid), "stable");
        }
        assert!(file_name("booking-42@openslot").starts_with("booking-42_openslot-"));
        assert_ne!(file_name("a@b"), file_name("a_b"));
        assert_ne!(file_name("a@b"), file_name("a#b"));
        assert!(file_name(&"x".repeat(500)).len() < 100);
        // Pinned: a changed hash would orphan every event already written.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}

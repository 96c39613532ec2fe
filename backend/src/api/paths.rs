//! Request paths as the file system will see them. The static-file endpoint decodes `%XX` and
//! resolves `.` and `..` itself, so `/%61dmin/`, `/x/../admin/` and `/admin%2findex.html` all
//! reach the same file as `/admin/`: routing decisions about files must be made on the decoded,
//! resolved path, never on the raw one.
//!
//! Invariant: a path that leaves the root (`/../x`), carries a NUL or a backslash, or does not
//! decode to UTF-8 has no canonical form and is answered 404.

/// The decoded path with `.` and `..` resolved and empty segments dropped, starting with `/`
/// (a trailing `/` kept). None when it cannot name a file under the root.
pub fn canonical(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    if decoded.contains(['\0', '\\']) {
        return None;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            s => segments.push(s),
        }
    }
    let mut path = format!("/{}", segments.join("/"));
    if decoded.ends_with('/') && !segments.is_empty() {
        path.push('/');
    }
    Some(path)
}

/// `%XX` decoded; None for a broken escape or bytes that are not UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A canonical path written for a URI again: unreserved characters and `/` as they are,
/// everything else `%XX`.
pub fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: Option<&str>) {
        assert_eq!(canonical(raw).as_deref(), expected, "{raw}");
    }

    #[test]
    fn spellings_of_one_path_become_one() {
        check("/", Some("/"));
        check("/admin/", Some("/admin/"));
        check("/%61dmin/", Some("/admin/"));
        check("/./admin/", Some("/admin/"));
        check("/x/../admin/index.html", Some("/admin/index.html"));
        check("/admin%2findex.html", Some("/admin/index.html"));
        check("/assets/..%2fadmin%2findex.html", Some("/admin/index.html"));
        check("//admin//index.html", Some("/admin/index.html"));
        check("/manage/abc", Some("/manage/abc"));
        check("/caf%C3%A9", Some("/café"));
    }

    #[test]
    fn paths_that_name_no_file_under_the_root_have_none() {
        check("/../openslot.toml", None);
        check("/%2e%2e/openslot.toml", None);
        check("/a/../../b", None);
        check("/a%00b", None);
        check("/a%5cb", None);
        check("/a%zz", None);
        check("/a%4", None);
        check("/%ff", None);
    }

    #[test]
    fn encoding_round_trips() {
        for path in ["/admin/index.html", "/café", "/a b/%", "/x?y#z"] {
            assert_eq!(percent_decode(&encode(path)).as_deref(), Some(path));
        }
    }
}

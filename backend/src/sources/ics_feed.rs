//! `kind = "ics"`: an iCalendar feed over http(s) (`webcal://` is https) or a local file.
//!
//! Conditional GET (ETag / Last-Modified, a 304 is "unchanged"), gzip, the limits of
//! [`super::http`]. An answer is refused, and the last good snapshot kept, when it is not a
//! calendar (an HTML login page served with 200 is the classic), when it is cut off before
//! END:VCALENDAR, or when it passes the size cap: a half calendar would show busy time as free.
//! Invalid UTF-8 is replaced (U+FFFD) rather than refused: the rest of the feed still counts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use reqwest::{StatusCode, Url};

use crate::calendar::Interval;
use crate::config::SourceConfig;

use super::http::{self, Limits};
use super::{CalendarSource, Cursor, DiscoveredCalendar, Fetched, Item, SourceError};

/// The one key of a feed's snapshot: a feed is one document.
pub const FEED_ITEM: &str = "feed";

#[derive(Debug)]
pub struct IcsFeed {
    location: Location,
    limits: Limits,
    /// Basic or Bearer credentials, sent only to the feed's own origin.
    auth: Option<HeaderValue>,
}

#[derive(Debug)]
enum Location {
    File(PathBuf),
    Http { url: Url, client: reqwest::Client },
}

impl IcsFeed {
    pub fn new(config: &SourceConfig) -> Result<Self, SourceError> {
        let limits = Limits {
            timeout: config.timeout(),
            max_bytes: config.max_bytes(),
            ..Limits::default()
        };
        let location = match config.file_path() {
            Some(path) => Location::File(path.to_owned()),
            None => Location::Http {
                url: feed_url(&config.url)?,
                client: http::client(limits)?,
            },
        };
        let auth = auth_header(config)?;
        Ok(IcsFeed {
            location,
            limits,
            auth,
        })
    }

    async fn fetch_file(
        &self,
        path: &PathBuf,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError> {
        let err = |source| SourceError::Read {
            path: path.clone(),
            source,
        };
        let meta = tokio::fs::metadata(path).await.map_err(err)?;
        if meta.len() > self.limits.max_bytes {
            return Err(SourceError::TooLarge {
                limit_mb: self.limits.max_bytes.div_ceil(1024 * 1024),
            });
        }
        let stamp = format!(
            "{}-{:?}",
            meta.len(),
            meta.modified()
                .ok()
                .map(|m| m.duration_since(std::time::UNIX_EPOCH))
        );
        if cursor.and_then(|c| c.get("file")) == Some(stamp.as_str()) {
            return Ok(Fetched::Unchanged {
                cursor: Cursor::default().with("file", stamp),
            });
        }
        let bytes = tokio::fs::read(path).await.map_err(err)?;
        let text = calendar_text(&bytes, None)?;
        Ok(full(text, None, Cursor::default().with("file", stamp)))
    }

    async fn fetch_http(
        &self,
        url: &Url,
        client: &reqwest::Client,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError> {
        let mut headers = HeaderMap::new();
        if let Some(auth) = &self.auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        let validators = [
            ("etag", IF_NONE_MATCH),
            ("last_modified", IF_MODIFIED_SINCE),
        ];
        for (key, header) in validators {
            if let Some(v) = cursor.and_then(|c| c.get(key))
                && let Ok(v) = HeaderValue::from_str(v)
            {
                headers.insert(header, v);
            }
        }
        let response = http::send(client.get(url.clone()).headers(headers), self.limits).await?;
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut next = Cursor::default();
        for (key, value) in [
            ("etag", header(ETAG)),
            ("last_modified", header(LAST_MODIFIED)),
        ] {
            if let Some(v) = value {
                next = next.with(key, v);
            }
        }
        if status == StatusCode::NOT_MODIFIED {
            // A 304 may omit the validators; keep the ones we sent.
            let cursor = if next.0.is_empty() {
                cursor.cloned().unwrap_or_default()
            } else {
                next
            };
            return Ok(Fetched::Unchanged { cursor });
        }
        if !status.is_success() {
            return Err(http::status_error(status, response.url()));
        }
        let content_type = header(CONTENT_TYPE);
        let etag = header(ETAG);
        let body = http::read_capped(response, self.limits).await?;
        let text = calendar_text(&body, content_type.as_deref())?;
        Ok(full(text, etag, next))
    }
}

/// The URL fetched: `webcal://` is https, parsed once by [`http::outbound_url`], the parse
/// the outbound guard checks.
pub fn feed_url(text: &str) -> Result<Url, SourceError> {
    http::outbound_url(text)
}

fn full(text: String, etag: Option<String>, cursor: Cursor) -> Fetched {
    Fetched::Full {
        items: BTreeMap::from([(FEED_ITEM.to_owned(), Item::Ics { etag, text })]),
        cursor,
    }
}

/// The body as calendar text, or why it is not one.
pub fn calendar_text(body: &[u8], content_type: Option<&str>) -> Result<String, SourceError> {
    let text = String::from_utf8_lossy(body);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let starts_with = |p: &str| head.len() >= p.len() && head[..p.len()].eq_ignore_ascii_case(p);
    if starts_with("<!doctype") || starts_with("<html") || starts_with("<?xml") {
        return Err(SourceError::NotACalendar(
            "the server sent a web page (a login page or an error page?)".to_owned(),
        ));
    }
    if !starts_with("BEGIN:VCALENDAR") {
        let kind = content_type.map_or_else(String::new, |t| format!(" ({t})"));
        return Err(SourceError::NotACalendar(format!(
            "it does not start with BEGIN:VCALENDAR{kind}"
        )));
    }
    let tail = text.trim_end();
    let ends = tail.len() >= 13 && tail[tail.len() - 13..].eq_ignore_ascii_case("END:VCALENDAR");
    if !ends {
        return Err(SourceError::Truncated);
    }
    Ok(text.into_owned())
}

/// The `Authorization` value of a source: Bearer `token`, else Basic `username`/`password`;
/// marked sensitive so that it never prints.
pub fn auth_header(config: &SourceConfig) -> Result<Option<HeaderValue>, SourceError> {
    let auth = match (&config.username, &config.password, &config.token) {
        (_, _, Some(token)) => Some(format!("Bearer {}", token.expose())),
        (Some(user), Some(pw), None) => Some(basic_auth(user, pw.expose())),
        _ => None,
    };
    auth.map(|a| HeaderValue::from_str(&a))
        .transpose()
        .map_err(|_| SourceError::Config("the credentials contain a line break".to_owned()))
        .map(|v| {
            v.map(|mut v| {
                v.set_sensitive(true);
                v
            })
        })
}

/// `Basic base64(user:password)`.
pub fn basic_auth(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let mut out = String::from("Basic ");
    for chunk in input.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[async_trait::async_trait]
impl CalendarSource for IcsFeed {
    async fn fetch(
        &self,
        _window: Interval,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError> {
        match &self.location {
            Location::File(path) => self.fetch_file(path, cursor).await,
            Location::Http { url, client } => self.fetch_http(url, client, cursor).await,
        }
    }

    async fn discover(&self) -> Result<Vec<DiscoveredCalendar>, SourceError> {
        let url = match &self.location {
            Location::File(path) => format!("file://{}", path.display()),
            Location::Http { url, .. } => http::redacted(url),
        };
        let window = Interval {
            start: chrono::DateTime::UNIX_EPOCH,
            end: chrono::DateTime::UNIX_EPOCH,
        };
        let name = match self.fetch(window, None).await? {
            Fetched::Full { items, .. } => items.get(FEED_ITEM).and_then(|item| match item {
                Item::Ics { text, .. } => calendar_name(text),
                Item::Occurrence(_) => None,
            }),
            _ => None,
        };
        Ok(vec![DiscoveredCalendar {
            url,
            name,
            color: None,
            selected: true,
        }])
    }
}

/// `X-WR-CALNAME`, the name most producers give a feed.
fn calendar_name(text: &str) -> Option<String> {
    text.lines()
        .take_while(|l| !l.starts_with("BEGIN:VEVENT"))
        .find_map(|l| l.strip_prefix("X-WR-CALNAME:"))
        .map(|n| n.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_rfc_7617() {
        // RFC 7617 section 2's example.
        assert_eq!(
            basic_auth("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_auth("a", "b"), "Basic YTpi");
        assert_eq!(basic_auth("ab", "c"), "Basic YWI6Yw==");
    }

    #[test]
    fn webcal_is_https() {
        let u = feed_url("webcal://calendar.example/a/b.ics?k=1").unwrap();
        assert_eq!(u.as_str(), "https://calendar.example/a/b.ics?k=1");
        assert_eq!(feed_url("http://x/a.ics").unwrap().scheme(), "http");
        assert!(feed_url("https://").is_err());
    }

    #[test]
    fn web_pages_and_cut_off_calendars_are_refused() {
        let cases: [(&[u8], &str); 5] = [
            (b"<!DOCTYPE html><html>Sign in</html>", "web page"),
            (b"  <html><body>login</body></html>", "web page"),
            (
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T",
                "cut off",
            ),
            (b"Internal error", "BEGIN:VCALENDAR"),
            (b"", "BEGIN:VCALENDAR"),
        ];
        for (body, expected) in cases {
            let e = calendar_text(body, Some("text/html"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(expected), "{e}");
        }
    }

    #[test]
    fn bom_lowercase_and_invalid_utf8_are_accepted() {
        let body = b"\xef\xbb\xbfbegin:vcalendar\r\nX-A:\xff\xfe\r\nend:vcalendar\r\n";
        let text = calendar_text(body, None).unwrap();
        assert!(text.contains('\u{fffd}'));
    }
}

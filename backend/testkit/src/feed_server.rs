//! A local HTTP server that serves an ICS feed the way real feed hosts do (ETag, Last-Modified,
//! 304, gzip, redirects, Basic auth) and the way they fail (an HTML login page with 200, a cut
//! off body, invalid UTF-8, 50 MB, 500, a slow answer). Tests switch its behaviour at runtime.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::{HeaderMap, StatusCode, header};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{Body, EndpointExt, Response, Route, Server, get, handler};

/// How the next answers of `/feed.ics` look.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// The calendar, with validators; 304 when they match.
    Normal,
    /// Like Normal, but only Last-Modified (no ETag).
    LastModifiedOnly,
    /// An HTML login page with status 200.
    LoginPage,
    /// The calendar cut off in the middle.
    Truncated,
    /// The calendar with invalid UTF-8 bytes in a summary.
    InvalidUtf8,
    /// A body of this many bytes (with Content-Length).
    Huge(usize),
    /// A gzip body (see [`huge_gzip`]), sent without a length.
    Gzipped(Arc<Vec<u8>>),
    /// This status and a short text body.
    Status(u16),
    /// The calendar, after this delay.
    Slow(Duration),
}

#[derive(Debug)]
pub struct State {
    /// The objects the feed is made of (VCALENDAR texts), merged into one calendar.
    pub objects: BTreeMap<String, String>,
    pub mode: Mode,
    /// Basic credentials the feed requires, if any (user, password).
    pub basic: Option<(String, String)>,
    /// Requests seen: (path, If-None-Match, If-Modified-Since, Accept-Encoding).
    pub seen: Vec<Seen>,
    /// Bumped by every change; the ETag and Last-Modified follow it.
    pub version: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Seen {
    pub path: String,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub accept_encoding: Option<String>,
    pub authorization: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FeedServer {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

impl FeedServer {
    /// Starts a server on 127.0.0.1 with a free port; it stops with the test's runtime.
    pub async fn start() -> FeedServer {
        Self::start_on(0).await
    }

    /// Starts a server on 127.0.0.1:`port` (0: a free one), e.g. where a source pointed while
    /// nothing listened there.
    pub async fn start_on(port: u16) -> FeedServer {
        let state = Arc::new(Mutex::new(State {
            objects: BTreeMap::new(),
            mode: Mode::Normal,
            basic: None,
            seen: Vec::new(),
            version: 1,
        }));
        let app = Route::new()
            .at("/feed.ics", get(feed))
            .at("/redirect", get(redirect))
            .at("/loop", get(redirect_loop))
            .data(Arc::clone(&state));
        let acceptor = TcpListener::bind(format!("127.0.0.1:{port}"))
            .into_acceptor()
            .await
            .expect("bind");
        let addr = *acceptor.local_addr()[0]
            .as_socket_addr()
            .expect("a TCP address");
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        FeedServer { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    pub fn put(&self, name: &str, ics: &str) {
        let mut s = self.state.lock().unwrap();
        s.objects.insert(name.to_owned(), ics.to_owned());
        s.version += 1;
    }

    pub fn remove(&self, name: &str) {
        let mut s = self.state.lock().unwrap();
        s.objects.remove(name);
        s.version += 1;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

/// The objects merged into one VCALENDAR: their inner lines, zones once.
pub fn merged(objects: &BTreeMap<String, String>) -> String {
    let mut zones = Vec::new();
    let mut events = String::new();
    for text in objects.values() {
        let inner = text
            .split_once("\r\nPRODID:")
            .and_then(|(_, rest)| rest.split_once("\r\n"))
            .map_or("", |(_, rest)| rest);
        let inner = inner.trim_end().trim_end_matches("END:VCALENDAR");
        // Zones first, once; then the events.
        let mut rest = inner;
        while let Some(start) = rest.find("BEGIN:VTIMEZONE") {
            let end = rest[start..]
                .find("END:VTIMEZONE")
                .map_or(rest.len(), |e| start + e + 15);
            let zone = rest[start..end].to_owned();
            if !zones.contains(&zone) {
                zones.push(zone);
            }
            events.push_str(&rest[..start]);
            rest = &rest[end..];
        }
        events.push_str(rest);
    }
    let zones: String = zones.iter().map(|z| format!("{z}\r\n")).collect();
    let events = events.trim_matches(['\r', '\n']);
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OpenSlot//feed-server//EN\r\nX-WR-CALNAME:Test feed\r\n{zones}{events}\r\nEND:VCALENDAR\r\n"
    )
}

/// A calendar-looking body of `n` bytes, gzip-compressed (a few dozen KB on the wire).
pub fn huge_gzip(n: usize) -> Mode {
    let mut bytes = b"BEGIN:VCALENDAR\r\n".to_vec();
    bytes.resize(n, b'X');
    Mode::Gzipped(Arc::new(gzip(&bytes)))
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[handler]
async fn feed(headers: &HeaderMap, state: Data<&Arc<Mutex<State>>>) -> Response {
    let seen = Seen {
        path: "/feed.ics".into(),
        if_none_match: header_text(headers, header::IF_NONE_MATCH),
        if_modified_since: header_text(headers, header::IF_MODIFIED_SINCE),
        accept_encoding: header_text(headers, header::ACCEPT_ENCODING),
        authorization: header_text(headers, header::AUTHORIZATION),
    };
    let (mode, body, version, basic) = {
        let mut s = state.lock().unwrap();
        s.seen.push(seen.clone());
        (
            s.mode.clone(),
            merged(&s.objects),
            s.version,
            s.basic.clone(),
        )
    };
    if let Some((user, password)) = basic {
        let expected = openslot::sources::ics_feed::basic_auth(&user, &password);
        if seen.authorization.as_deref() != Some(expected.as_str()) {
            return Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header(header::WWW_AUTHENTICATE, "Basic realm=\"feed\"")
                .body("unauthorized");
        }
    }
    let etag = format!("\"v{version}\"");
    // A fixed date per version, as HTTP-date.
    let last_modified = format!("Mon, 0{} Nov 2026 10:00:00 GMT", (version % 9) + 1);
    let calendar = |with_etag: bool| {
        let unchanged = if with_etag {
            seen.if_none_match.as_deref() == Some(etag.as_str())
        } else {
            seen.if_modified_since.as_deref() == Some(last_modified.as_str())
        };
        let mut r = Response::builder().header(header::LAST_MODIFIED, last_modified.clone());
        if with_etag {
            r = r.header(header::ETAG, etag.clone());
        }
        if unchanged {
            return r.status(StatusCode::NOT_MODIFIED).finish();
        }
        let gz = seen
            .accept_encoding
            .as_deref()
            .is_some_and(|a| a.contains("gzip"));
        let r = r.content_type("text/calendar; charset=utf-8");
        if gz {
            r.header(header::CONTENT_ENCODING, "gzip")
                .body(gzip(body.as_bytes()))
        } else {
            r.body(body.clone())
        }
    };
    match mode {
        Mode::Normal => calendar(true),
        Mode::LastModifiedOnly => calendar(false),
        Mode::Slow(d) => {
            tokio::time::sleep(d).await;
            calendar(true)
        }
        Mode::LoginPage => Response::builder()
            .content_type("text/html")
            .body("<!DOCTYPE html><html><body><form>Sign in</form></body></html>"),
        Mode::Truncated => {
            let cut = body.len() * 2 / 3;
            let mut cut_at = cut;
            while !body.is_char_boundary(cut_at) {
                cut_at -= 1;
            }
            Response::builder()
                .content_type("text/calendar")
                .body(body[..cut_at].to_owned())
        }
        Mode::InvalidUtf8 => {
            let bytes = body
                .replacen("SUMMARY:", "SUMMARY:\u{0}", 1)
                .into_bytes()
                .into_iter()
                .map(|b| if b == 0 { 0xff } else { b })
                .collect::<Vec<u8>>();
            Response::builder()
                .content_type("text/calendar")
                .body(bytes)
        }
        Mode::Huge(n) => {
            let mut bytes = b"BEGIN:VCALENDAR\r\n".to_vec();
            bytes.resize(n, b'X');
            Response::builder()
                .content_type("text/calendar")
                .body(bytes)
        }
        Mode::Gzipped(bytes) => {
            let stream = Body::from_async_read(std::io::Cursor::new(bytes.to_vec()));
            Response::builder()
                .content_type("text/calendar")
                .header(header::CONTENT_ENCODING, "gzip")
                .body(stream)
        }
        Mode::Status(code) => Response::builder()
            .status(StatusCode::from_u16(code).unwrap())
            .body("it broke"),
    }
}

#[handler]
fn redirect() -> Response {
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, "/feed.ics")
        .finish()
}

#[handler]
fn redirect_loop() -> Response {
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, "/loop")
        .finish()
}

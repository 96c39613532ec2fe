//! WebDAV multistatus answers (RFC 4918 section 13) read into plain owned values, and the
//! request bodies we send. Elements are matched by namespace and local name, never by prefix:
//! servers choose their own prefixes (`D:`, `d:`, a default namespace...).
//!
//! Invariant: any input, however broken, gives a value or [`SourceError::BadResponse`]; nothing
//! here panics. DTDs are refused by `roxmltree` (no entity expansion bombs).

use roxmltree::{Document, Node};

use crate::sources::SourceError;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE: &str = "http://apple.com/ns/ical/";

/// A whole `multistatus`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Multistatus {
    pub responses: Vec<Response>,
    /// The top-level `sync-token` of a sync-collection answer (RFC 6578 section 6.4).
    pub sync_token: Option<String>,
}

/// One `response`: a resource and the properties the server found for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// As written by the server (relative or absolute, maybe percent-encoded), trimmed.
    pub href: String,
    /// The `status` of the response itself (a removed member in a sync answer: 404).
    pub status: Option<u16>,
    /// Only properties in a `propstat` whose status is 2xx (or absent).
    pub props: Props,
}

/// The properties OpenSlot reads; absent ones are `None` / empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Props {
    pub etag: Option<String>,
    pub display_name: Option<String>,
    pub color: Option<String>,
    pub calendar_data: Option<String>,
    pub sync_token: Option<String>,
    pub ctag: Option<String>,
    pub is_collection: bool,
    pub is_calendar: bool,
    /// `supported-calendar-component-set`, upper case; `None` when not given (any component).
    pub components: Option<Vec<String>>,
    pub current_user_principal: Option<String>,
    pub calendar_home_set: Option<String>,
}

impl Props {
    /// Whether the collection can hold events (no component set means any component).
    pub fn holds_events(&self) -> bool {
        self.components
            .as_ref()
            .is_none_or(|c| c.iter().any(|c| c == "VEVENT"))
    }
}

/// Parses a multistatus body.
pub fn parse_multistatus(body: &[u8]) -> Result<Multistatus, SourceError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| SourceError::BadResponse("the XML answer is not UTF-8".to_owned()))?;
    let doc = Document::parse(text)
        .map_err(|e| SourceError::BadResponse(format!("the XML answer is malformed: {e}")))?;
    let root = doc.root_element();
    if !is(root, DAV, "multistatus") {
        return Err(SourceError::BadResponse(format!(
            "expected a WebDAV multistatus, got <{}>",
            root.tag_name().name()
        )));
    }
    let mut out = Multistatus::default();
    for node in root.children().filter(Node::is_element) {
        if is(node, DAV, "response") {
            out.responses.push(response(node)?);
        } else if is(node, DAV, "sync-token") {
            out.sync_token = non_empty(text_of(node));
        }
    }
    Ok(out)
}

fn response(node: Node) -> Result<Response, SourceError> {
    let mut out = Response::default();
    let mut href = None;
    for child in node.children().filter(Node::is_element) {
        if is(child, DAV, "href") && href.is_none() {
            href = non_empty(text_of(child));
        } else if is(child, DAV, "status") {
            out.status = status_code(&text_of(child));
        } else if is(child, DAV, "propstat") {
            let ok = child
                .children()
                .find(|n| is(*n, DAV, "status"))
                .and_then(|n| status_code(&text_of(n)))
                .is_none_or(|s| (200..300).contains(&s));
            if !ok {
                continue;
            }
            for prop in child.children().filter(|n| is(*n, DAV, "prop")) {
                for p in prop.children().filter(Node::is_element) {
                    read_prop(p, &mut out.props);
                }
            }
        }
    }
    out.href = href
        .ok_or_else(|| SourceError::BadResponse("a multistatus response has no href".to_owned()))?;
    Ok(out)
}

fn read_prop(p: Node, props: &mut Props) {
    let value = || non_empty(text_of(p));
    let href = || {
        p.children()
            .find(|n| is(*n, DAV, "href"))
            .and_then(|n| non_empty(text_of(n)))
    };
    match (p.tag_name().namespace().unwrap_or(""), p.tag_name().name()) {
        (DAV, "getetag") => props.etag = value(),
        (DAV, "displayname") => props.display_name = value(),
        (DAV, "sync-token") => props.sync_token = value(),
        (DAV, "current-user-principal") => props.current_user_principal = href(),
        (DAV, "resourcetype") => {
            for kind in p.children().filter(Node::is_element) {
                props.is_collection |= is(kind, DAV, "collection");
                props.is_calendar |= is(kind, CALDAV, "calendar");
            }
        }
        (CALDAV, "calendar-data") => props.calendar_data = Some(text_of(p)),
        (CALDAV, "calendar-home-set") => props.calendar_home_set = href(),
        (CALDAV, "supported-calendar-component-set") => {
            props.components = Some(
                p.children()
                    .filter(|n| is(*n, CALDAV, "comp"))
                    .filter_map(|n| n.attribute("name"))
                    .map(str::to_ascii_uppercase)
                    .collect(),
            );
        }
        (CALSERVER, "getctag") => props.ctag = value(),
        (APPLE, "calendar-color") => props.color = value(),
        _ => {}
    }
}

fn is(node: Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ns)
}

/// All the text below a node (text and CDATA sections alike), in document order.
fn text_of(node: Node) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

fn non_empty(text: String) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `HTTP/1.1 404 Not Found` → 404.
fn status_code(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Escapes text for an XML element's content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// PROPFIND for everything discovery needs, on any resource. No sync state (`sync-token`,
/// `getctag`): discovery also asks server roots and principals, which are no calendars, and
/// DAViCal answers 500 when asked for a sync-token there; the state is asked of the chosen
/// calendar alone ([`propfind_state`]).
pub fn propfind_discovery() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:c="{CALDAV}" xmlns:a="{APPLE}"><d:prop><d:resourcetype/><d:displayname/><d:current-user-principal/><c:calendar-home-set/><c:supported-calendar-component-set/><a:calendar-color/></d:prop></d:propfind>"#
    )
}

/// The least discovery can go on, asked again after a server failed (5xx) on
/// [`propfind_discovery`]: what the resource is, its name, the principal and the home.
pub fn propfind_minimal() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:prop><d:resourcetype/><d:displayname/><d:current-user-principal/><c:calendar-home-set/></d:prop></d:propfind>"#
    )
}

/// PROPFIND for the collection's change markers.
pub fn propfind_state() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:cs="{CALSERVER}"><d:prop><d:sync-token/><cs:getctag/></d:prop></d:propfind>"#
    )
}

/// PROPFIND (Depth 0) for one resource's entity tag.
pub fn propfind_etag() -> String {
    format!(r#"{HEAD}<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>"#)
}

/// calendar-query (RFC 4791 section 7.8): the VEVENTs overlapping `[start, end)`, times as
/// `YYYYMMDDTHHMMSSZ`.
pub fn calendar_query(start: &str, end: &str) -> String {
    format!(
        r#"{HEAD}<c:calendar-query xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{start}" end="{end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
    )
}

/// sync-collection (RFC 6578 section 3.2), level 1.
pub fn sync_collection(token: &str) -> String {
    format!(
        r#"{HEAD}<d:sync-collection xmlns:d="DAV:"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#,
        escape(token)
    )
}

/// calendar-multiget (RFC 4791 section 7.9) of these hrefs (paths).
pub fn calendar_multiget<'a>(hrefs: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = format!(
        r#"{HEAD}<c:calendar-multiget xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:prop><d:getetag/><c:calendar-data/></d:prop>"#
    );
    for h in hrefs {
        out.push_str("<d:href>");
        out.push_str(&escape(h));
        out.push_str("</d:href>");
    }
    out.push_str("</c:calendar-multiget>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One line per response: `href [status] key=value...`, then `token=` when present.
    fn summary(m: &Multistatus) -> String {
        let mut out = Vec::new();
        for r in &m.responses {
            let p = &r.props;
            let mut line = r.href.clone();
            if let Some(s) = r.status {
                line.push_str(&format!(" [{s}]"));
            }
            let fields: [(&str, Option<String>); 9] = [
                ("etag", p.etag.clone()),
                ("name", p.display_name.clone()),
                ("color", p.color.clone()),
                ("data", p.calendar_data.clone()),
                ("sync", p.sync_token.clone()),
                ("ctag", p.ctag.clone()),
                ("comps", p.components.as_ref().map(|c| c.join(","))),
                ("principal", p.current_user_principal.clone()),
                ("home", p.calendar_home_set.clone()),
            ];
            if p.is_collection {
                line.push_str(" collection");
            }
            if p.is_calendar {
                line.push_str(" calendar");
            }
            for (k, v) in fields {
                if let Some(v) = v {
                    line.push_str(&format!(" {k}={v}"));
                }
            }
            out.push(line);
        }
        if let Some(t) = &m.sync_token {
            out.push(format!("token={t}"));
        }
        out.join("\n")
    }

    fn check(input: &str, expected: &str) {
        let got = match parse_multistatus(input.as_bytes()) {
            Ok(m) => summary(&m),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected.trim(), "input:\n{input}");
    }

    #[test]
    fn calendar_listing_with_other_prefixes() {
        check(
            r#"<?xml version="1.0"?>
<x:multistatus xmlns:x="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:ic="http://apple.com/ns/ical/">
 <x:response><x:href>/u/</x:href><x:propstat><x:prop><x:resourcetype><x:collection/></x:resourcetype></x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat></x:response>
 <x:response><x:href>/u/work/</x:href><x:propstat><x:prop>
   <x:resourcetype><x:collection/><cal:calendar/></x:resourcetype><x:displayname>Work</x:displayname>
   <ic:calendar-color>#FF0000FF</ic:calendar-color>
   <cal:supported-calendar-component-set><cal:comp name="VEVENT"/><cal:comp name="vtodo"/></cal:supported-calendar-component-set>
 </x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat>
 <x:propstat><x:prop><x:sync-token/></x:prop><x:status>HTTP/1.1 404 Not Found</x:status></x:propstat></x:response>
</x:multistatus>"#,
            "/u/ collection\n/u/work/ collection calendar name=Work color=#FF0000FF comps=VEVENT,VTODO",
        );
    }

    #[test]
    fn default_namespace_and_cdata() {
        check(
            r#"<multistatus xmlns="DAV:"><response><href>a%40b.ics</href><propstat><prop><getetag>"1"</getetag><calendar-data xmlns="urn:ietf:params:xml:ns:caldav"><![CDATA[BEGIN:VCALENDAR
END:VCALENDAR]]></calendar-data></prop></propstat></response></multistatus>"#,
            "a%40b.ics etag=\"1\" data=BEGIN:VCALENDAR\nEND:VCALENDAR",
        );
    }

    #[test]
    fn escaped_calendar_data_is_unescaped() {
        check(
            r#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>https://h/x.ics</d:href><d:propstat><d:prop><c:calendar-data>SUMMARY:a &amp; b &lt;c&gt;</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#,
            "https://h/x.ics data=SUMMARY:a & b <c>",
        );
    }

    #[test]
    fn sync_answer_with_removed_members_and_token() {
        check(
            r#"<d:multistatus xmlns:d="DAV:">
<d:response><d:href>/c/new.ics</d:href><d:propstat><d:prop><d:getetag>"e2"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/c/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
<d:sync-token>http://example/sync/7</d:sync-token></d:multistatus>"#,
            "/c/new.ics etag=\"e2\"\n/c/gone.ics [404]\ntoken=http://example/sync/7",
        );
    }

    #[test]
    fn principal_and_home_hrefs() {
        check(
            r#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:response><d:href>/</d:href><d:propstat><d:prop><d:current-user-principal><d:href>/p/bob/</d:href></d:current-user-principal><c:calendar-home-set><d:href> https://p1.example/bob/cal/ </d:href></c:calendar-home-set><cs:getctag>42</cs:getctag></d:prop></d:propstat></d:response></d:multistatus>"#,
            "/ ctag=42 principal=/p/bob/ home=https://p1.example/bob/cal/",
        );
    }

    #[test]
    fn properties_in_failed_propstats_are_ignored() {
        check(
            r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/x</d:href><d:propstat><d:prop><d:displayname>secret</d:displayname></d:prop><d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat></d:response></d:multistatus>"#,
            "/x",
        );
    }

    #[test]
    fn garbage_is_a_bad_response() {
        let cases = [
            ("", "malformed"),
            (
                "<html><body>Login</body></html>",
                "expected a WebDAV multistatus",
            ),
            ("<d:multistatus xmlns:d=\"DAV:\"><d:response>", "malformed"),
            (
                "<multistatus><response/></multistatus>",
                "expected a WebDAV",
            ),
            (
                "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:status>HTTP/1.1 200 OK</d:status></d:response></d:multistatus>",
                "no href",
            ),
            ("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>", "malformed"),
            ("\u{0}\u{1}", "malformed"),
        ];
        for (input, expected) in cases {
            let e = parse_multistatus(input.as_bytes()).unwrap_err();
            assert!(matches!(e, SourceError::BadResponse(_)), "{input}: {e:?}");
            assert!(e.to_string().contains(expected), "{input}: {e}");
        }
        let e = parse_multistatus(b"\xff\xfe<").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }

    #[test]
    fn odd_statuses_do_not_panic() {
        check(
            r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href><d:status>garbage</d:status></d:response><d:response><d:href>/b</d:href><d:status>HTTP/1.1 99999999 x</d:status></d:response></d:multistatus>"#,
            "/a\n/b",
        );
    }

    #[test]
    fn empty_multistatus() {
        check(r#"<multistatus xmlns="DAV:"/>"#, "");
    }

    #[test]
    fn request_bodies_are_well_formed_and_escaped() {
        let bodies = [
            propfind_discovery(),
            propfind_minimal(),
            propfind_state(),
            calendar_query("20260101T000000Z", "20260201T000000Z"),
            sync_collection("http://x/sync?a=1&b=<2>"),
            calendar_multiget(["/c/a&b.ics", "/c/x.ics"]),
        ];
        for b in &bodies {
            Document::parse(b).unwrap_or_else(|e| panic!("{e}: {b}"));
        }
        assert!(bodies[4].contains("a=1&amp;b=&lt;2&gt;"));
        // Discovery asks no sync state: DAViCal fails (500) on a sync-token of a non-calendar.
        for b in &bodies[..2] {
            assert!(!b.contains("sync-token") && !b.contains("getctag"), "{b}");
        }
    }
}

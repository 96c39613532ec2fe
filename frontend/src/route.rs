//! Which view the address asks for, and moving between views without a reload.
//!
//! `/` the booking page (`?type=SLUG` preselects an event type), `/manage/{id}?token=...` a
//! booking's manage page (the link of the confirmation), `/admin...` the owner's dashboard
//! (served by the admin listener only).

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// A view of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Booking,
    Manage {
        id: String,
        token: String,
    },
    /// The link mailed to confirm a pending booking.
    Confirm {
        id: String,
        token: String,
    },
    Admin,
}

impl Route {
    /// Reads a path and query string (`?a=b&c=d`, or empty).
    pub fn parse(path: &str, query: &str) -> Route {
        if path == "/admin" || path.starts_with("/admin/") {
            return Route::Admin;
        }
        let token = || query_value(query, "token").unwrap_or_default();
        if let Some(id) = one_segment(path, "/manage/") {
            return Route::Manage { id, token: token() };
        }
        if let Some(id) = one_segment(path, "/confirm/") {
            return Route::Confirm { id, token: token() };
        }
        Route::Booking
    }
}

/// The one non-empty segment after `prefix` (a trailing `/` allowed).
fn one_segment(path: &str, prefix: &str) -> Option<String> {
    let id = path.strip_prefix(prefix)?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_owned())
}

/// The value of `key` in a query string, percent-decoded.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| percent_decode(v))
}

/// `%XX` and `+` decoded; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn location() -> (String, String) {
    let location = web_sys::window().map(|w| w.location());
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_else(|| "/".to_owned());
    let query = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    (path, query)
}

/// The current route, kept in step with the back and forward buttons.
pub fn current() -> RwSignal<Route> {
    let (path, query) = location();
    let route = RwSignal::new(Route::parse(&path, &query));
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        let (path, query) = location();
        route.set(Route::parse(&path, &query));
    });
    on_cleanup(move || handle.remove());
    route
}

/// Goes to `url` (same origin) without a reload.
pub fn navigate(route: RwSignal<Route>, url: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(url));
    }
    let (path, query) = location();
    route.set(Route::parse(&path, &query));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(Route::parse("/", ""), Route::Booking);
        assert_eq!(Route::parse("/admin", ""), Route::Admin);
        assert_eq!(Route::parse("/admin/bookings", ""), Route::Admin);
        assert_eq!(Route::parse("/administrator", ""), Route::Booking);
        assert_eq!(
            Route::parse("/manage/abc", "?token=t1&x=2"),
            Route::Manage {
                id: "abc".into(),
                token: "t1".into()
            }
        );
        assert_eq!(Route::parse("/manage/", "?token=t"), Route::Booking);
        assert_eq!(
            query_value("?a=x%2By+z&b=%zz%4", "a").as_deref(),
            Some("x+y z")
        );
        assert_eq!(
            query_value("?a=x%2By+z&b=%zz%4", "b").as_deref(),
            Some("%zz%4")
        );
        assert_eq!(query_value("?a=1", "b"), None);
        assert_eq!(Route::parse("/manage/a/b", ""), Route::Booking);
        assert_eq!(
            Route::parse("/confirm/abc/", "?token=c1"),
            Route::Confirm {
                id: "abc".into(),
                token: "c1".into()
            }
        );
        assert_eq!(Route::parse("/confirm/", "?token=c1"), Route::Booking);
    }
}

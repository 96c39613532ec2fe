//! A stand-in for the Google Calendar API v3 and Google's OAuth endpoints, built from the
//! documented shapes: `GET calendars/{id}/events` ("Events: list": singleEvents, timeMin/timeMax,
//! maxResults, pageToken → nextPageToken, nextSyncToken on the last page, syncToken → changes
//! with deleted events as `status: "cancelled"`, 410 `fullSyncRequired` for an expired token),
//! `POST …/events` ("Events: insert": client-chosen `id`, 409 `duplicate`), `GET`/`DELETE
//! …/events/{id}` (410 "Resource has been deleted"), `PATCH …/events/{id}` ("Events: patch":
//! the fields given replace those stored, the rest stay; `sequence` goes up when the time
//! changes) and `PUT …/events/{id}` ("Events: update": the body replaces the event; 404
//! `notFound` for an unknown id, 410 `deleted` for a deleted one), `GET users/me/calendarList`,
//! `POST /token`.
//! State lives in memory; the test adds, changes and removes events and injects faults.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use super::{Auth, Fault, Handler, Req, Resp, empty, fault_answer, json_resp, serve, unauthorized};

#[derive(Debug)]
struct Stored {
    event: Value,
    seq: u64,
    cancelled: bool,
}

#[derive(Debug, Default)]
pub struct State {
    events: BTreeMap<String, Stored>,
    seq: u64,
    /// Sync tokens below this are gone (410).
    expired_below: u64,
    pub page_size: usize,
    pub faults: VecDeque<Fault>,
    pub auth: Auth,
    /// `METHOD path?query` of every API request.
    pub log: Vec<String>,
}

#[derive(Debug)]
pub struct GoogleStandIn {
    pub state: Mutex<State>,
    pub base: Mutex<String>,
}

impl GoogleStandIn {
    pub async fn start() -> Arc<Self> {
        let me = Arc::new(GoogleStandIn {
            state: Mutex::new(State {
                page_size: 250,
                ..State::default()
            }),
            base: Mutex::new(String::new()),
        });
        *me.base.lock().unwrap() = serve(me.clone()).await;
        me
    }

    /// The API base (the source's `url`).
    pub fn api(&self) -> String {
        format!("{}/calendar/v3", self.base.lock().unwrap())
    }

    /// The OAuth base (the source's `oauth_url`).
    pub fn oauth(&self) -> String {
        self.base.lock().unwrap().clone()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Adds or replaces an event (its `id` names it).
    pub fn put(&self, event: Value) {
        self.with(|s| s.put(event));
    }

    /// Deletes an event: it stays as `cancelled` for incremental sync.
    pub fn remove(&self, id: &str) {
        self.with(|s| s.remove(id));
    }

    /// Every sync token handed out so far expires.
    pub fn expire_sync_tokens(&self) {
        self.with(|s| s.expired_below = s.seq + 1);
    }

    pub fn fail_next(&self, fault: Fault) {
        self.with(|s| s.faults.push_back(fault));
    }

    /// Events that are not deleted.
    pub fn live_ids(&self) -> Vec<String> {
        self.with(|s| {
            s.events
                .iter()
                .filter(|(_, e)| !e.cancelled)
                .map(|(id, _)| id.clone())
                .collect()
        })
    }

    pub fn event(&self, id: &str) -> Option<Value> {
        self.with(|s| s.events.get(id).map(|e| e.event.clone()))
    }
}

impl State {
    fn put(&mut self, mut event: Value) {
        self.seq += 1;
        let id = event["id"].as_str().unwrap().to_owned();
        if event.get("status").is_none() {
            event["status"] = json!("confirmed");
        }
        event["etag"] = json!(format!("\"{}\"", self.seq));
        let cancelled = event["status"] == "cancelled";
        self.events.insert(
            id,
            Stored {
                event,
                seq: self.seq,
                cancelled,
            },
        );
    }

    fn remove(&mut self, id: &str) {
        self.seq += 1;
        if let Some(e) = self.events.get_mut(id) {
            e.cancelled = true;
            e.seq = self.seq;
            e.event = json!({ "id": id, "status": "cancelled" });
        }
    }
}

/// Start and end of an event as instants (a date is its UTC midnight), for timeMin/timeMax.
fn span(e: &Value) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let at = |t: &Value| -> Option<DateTime<Utc>> {
        if let Some(dt) = t["dateTime"].as_str() {
            return DateTime::parse_from_rfc3339(dt)
                .ok()
                .map(|d| d.with_timezone(&Utc));
        }
        let d = NaiveDate::parse_from_str(t["date"].as_str()?, "%Y-%m-%d").ok()?;
        Some(d.and_hms_opt(0, 0, 0)?.and_utc())
    };
    Some((at(&e["start"])?, at(&e["end"])?))
}

fn error(status: u16, reason: &str, message: &str) -> Resp {
    json_resp(
        status,
        json!({ "error": { "code": status, "message": message,
            "errors": [{ "domain": "calendar", "reason": reason, "message": message }] } }),
    )
}

#[async_trait::async_trait]
impl Handler for GoogleStandIn {
    async fn handle(&self, req: Req) -> Resp {
        let mut s = self.state.lock().unwrap();
        if req.path == "/o/oauth2/v2/auth" && req.method == "GET" {
            return s.auth.consent(&req);
        }
        if req.path == "/token" && req.method == "POST" {
            return s.auth.token(&req);
        }
        let line = format!(
            "{} {}?{}",
            req.method,
            req.path,
            req.query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        );
        s.log.push(line);
        if !s.auth.authorized(&req) {
            return unauthorized();
        }
        let fault = s.faults.pop_front();
        if let Some(answer) = fault.as_ref().and_then(fault_answer) {
            return answer;
        }
        let mut resp = route(&mut s, &req);
        if let Some(Fault::Delay(d)) = fault {
            resp.delay = Some(d);
        }
        resp
    }
}

fn route(s: &mut State, req: &Req) -> Resp {
    let Some(rest) = req.path.strip_prefix("/calendar/v3/") else {
        return empty(404);
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["users", "me", "calendarList"]) => json_resp(
            200,
            json!({ "kind": "calendar#calendarList", "items": [
                { "id": "owner@example.org", "summary": "Owner", "backgroundColor": "#9fe1e7", "primary": true },
                { "id": "team@group.calendar.google.com", "summary": "Team", "backgroundColor": "#f83a22" },
            ] }),
        ),
        ("GET", ["calendars", _, "events"]) => list(s, req),
        ("POST", ["calendars", _, "events"]) => insert(s, req),
        ("GET", ["calendars", _, "events", id]) => match s.events.get(*id) {
            Some(e) => json_resp(200, e.event.clone()),
            None => error(404, "notFound", "Not Found"),
        },
        ("PATCH", ["calendars", _, "events", id]) => modify(s, id, req.json(), true),
        ("PUT", ["calendars", _, "events", id]) => modify(s, id, req.json(), false),
        ("DELETE", ["calendars", _, "events", id]) => match s.events.get(*id) {
            Some(e) if e.cancelled => error(410, "deleted", "Resource has been deleted"),
            Some(_) => {
                let id = (*id).to_owned();
                s.remove(&id);
                empty(204)
            }
            None => error(404, "notFound", "Not Found"),
        },
        _ => empty(404),
    }
}

fn list(s: &mut State, req: &Req) -> Resp {
    let mut matching: Vec<&Stored> = match req.q("syncToken") {
        Some(token) => {
            let since: u64 = match token.strip_prefix("sync-").and_then(|n| n.parse().ok()) {
                Some(n) if n >= s.expired_below => n,
                _ => {
                    return error(
                        410,
                        "fullSyncRequired",
                        "Sync token is no longer valid, a full sync is required.",
                    );
                }
            };
            if req.q("timeMin").is_some() || req.q("timeMax").is_some() {
                return error(
                    400,
                    "syncTokenWithRequestRestrictions",
                    "Sync token cannot be used with other request restrictions.",
                );
            }
            s.events.values().filter(|e| e.seq > since).collect()
        }
        None => {
            let bound = |k| {
                req.q(k)
                    .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
                    .map(|d| d.with_timezone(&Utc))
            };
            let (min, max) = (bound("timeMin"), bound("timeMax"));
            let show_deleted = req.q("showDeleted").as_deref() == Some("true");
            s.events
                .values()
                .filter(|e| show_deleted || !e.cancelled)
                .filter(|e| match span(&e.event) {
                    Some((start, end)) => {
                        min.is_none_or(|m| end > m) && max.is_none_or(|m| start < m)
                    }
                    None => true,
                })
                .collect()
        }
    };
    let page_size = req
        .q("maxResults")
        .and_then(|m| m.parse().ok())
        .unwrap_or(250usize)
        .min(s.page_size)
        .max(1);
    let offset: usize = req
        .q("pageToken")
        .and_then(|t| t.strip_prefix("page-")?.parse().ok())
        .unwrap_or(0);
    let total = matching.len();
    let page: Vec<Value> = matching
        .drain(..)
        .skip(offset)
        .take(page_size)
        .map(|e| e.event.clone())
        .collect();
    let mut body = json!({ "kind": "calendar#events", "summary": "Owner", "items": page });
    if offset + page_size < total {
        body["nextPageToken"] = json!(format!("page-{}", offset + page_size));
    } else {
        body["nextSyncToken"] = json!(format!("sync-{}", s.seq));
    }
    json_resp(200, body)
}

/// "Events: patch" (`merge`) or "Events: update" of a stored event; the id cannot change.
fn modify(s: &mut State, id: &str, body: Value, merge: bool) -> Resp {
    let stored = match s.events.get(id) {
        Some(e) if e.cancelled => return error(410, "deleted", "Resource has been deleted"),
        Some(e) => e.event.clone(),
        None => return error(404, "notFound", "Not Found"),
    };
    let mut event = if merge { stored.clone() } else { json!({}) };
    if let (Some(target), Some(fields)) = (event.as_object_mut(), body.as_object()) {
        for (k, v) in fields {
            target.insert(k.clone(), v.clone());
        }
    }
    event["id"] = json!(id);
    let moved = event["start"] != stored["start"] || event["end"] != stored["end"];
    let sequence = stored["sequence"].as_u64().unwrap_or(0) + u64::from(moved);
    event["sequence"] = json!(sequence);
    s.put(event);
    json_resp(200, s.events[id].event.clone())
}

fn insert(s: &mut State, req: &Req) -> Resp {
    let mut event = req.json();
    let Some(id) = event["id"].as_str().map(str::to_owned) else {
        event["id"] = json!(format!("generated{}", s.seq + 1));
        s.put(event.clone());
        return json_resp(200, event);
    };
    if s.events.contains_key(&id) {
        return error(409, "duplicate", "The requested identifier already exists.");
    }
    s.put(event);
    json_resp(200, s.events[&id].event.clone())
}

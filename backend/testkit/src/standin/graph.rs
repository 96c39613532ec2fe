//! A stand-in for Microsoft Graph (calendar part) and the identity platform's OAuth endpoints,
//! built from the documented shapes: `GET /me[/calendars/{id}]/calendarView/delta` ("event:
//! delta": startDateTime/endDateTime on the first request, pages through `@odata.nextLink`, the
//! round ends with `@odata.deltaLink`, deleted events as `{"id", "@removed": {"reason":
//! "deleted"}}`, 410 `syncStateNotFound` for a lost delta token, `Prefer: odata.maxpagesize`,
//! `outlook.timezone`), `POST /me/events` ("Create event": `transactionId` drops a repeated POST),
//! `PATCH /me/events/{id}` ("Update event": the properties given replace those stored, the rest
//! stay; 404 `ErrorItemNotFound`), `DELETE /me/events/{id}` (404 `ErrorItemNotFound`),
//! `GET /me/calendars`, and
//! `POST /{tenant}/oauth2/v2.0/{devicecode,token}`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{Auth, Fault, Handler, Req, Resp, empty, fault_answer, json_resp, serve};

#[derive(Debug)]
struct Stored {
    event: Value,
    seq: u64,
    removed: bool,
}

#[derive(Debug, Default)]
pub struct State {
    events: BTreeMap<String, Stored>,
    seq: u64,
    created: u64,
    expired_below: u64,
    transactions: HashMap<String, String>,
    /// The most a page holds, whatever the client prefers.
    pub page_cap: usize,
    pub faults: VecDeque<Fault>,
    pub auth: Auth,
    /// `METHOD path?query` and the Prefer header of every API request.
    pub log: Vec<String>,
    pub prefer: Vec<String>,
}

#[derive(Debug)]
pub struct GraphStandIn {
    pub state: Mutex<State>,
    pub base: Mutex<String>,
}

impl GraphStandIn {
    pub async fn start() -> Arc<Self> {
        let me = Arc::new(GraphStandIn {
            state: Mutex::new(State {
                page_cap: 100,
                ..State::default()
            }),
            base: Mutex::new(String::new()),
        });
        *me.base.lock().unwrap() = serve(me.clone()).await;
        me
    }

    pub fn api(&self) -> String {
        format!("{}/v1.0", self.base.lock().unwrap())
    }

    pub fn oauth(&self) -> String {
        self.base.lock().unwrap().clone()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    pub fn put(&self, event: Value) {
        self.with(|s| s.put(event));
    }

    pub fn remove(&self, id: &str) {
        self.with(|s| s.remove(id));
    }

    /// Every delta token handed out so far is lost.
    pub fn expire_delta_tokens(&self) {
        self.with(|s| s.expired_below = s.seq + 1);
    }

    pub fn fail_next(&self, fault: Fault) {
        self.with(|s| s.faults.push_back(fault));
    }

    pub fn event(&self, id: &str) -> Option<Value> {
        self.with(|s| s.events.get(id).map(|e| e.event.clone()))
    }

    pub fn live_ids(&self) -> Vec<String> {
        self.with(|s| {
            s.events
                .iter()
                .filter(|(_, e)| !e.removed)
                .map(|(id, _)| id.clone())
                .collect()
        })
    }
}

impl State {
    fn put(&mut self, event: Value) {
        self.seq += 1;
        let id = event["id"].as_str().unwrap().to_owned();
        self.events.insert(
            id,
            Stored {
                event,
                seq: self.seq,
                removed: false,
            },
        );
    }

    fn remove(&mut self, id: &str) {
        self.seq += 1;
        if let Some(e) = self.events.get_mut(id) {
            e.removed = true;
            e.seq = self.seq;
        }
    }
}

fn error(status: u16, code: &str, message: &str) -> Resp {
    json_resp(
        status,
        json!({ "error": { "code": code, "message": message } }),
    )
}

#[async_trait::async_trait]
impl Handler for GraphStandIn {
    async fn handle(&self, req: Req) -> Resp {
        let base = self.base.lock().unwrap().clone();
        let mut s = self.state.lock().unwrap();
        if req.method == "GET" && req.path.ends_with("/oauth2/v2.0/authorize") {
            return s.auth.consent(&req);
        }
        if req.method == "POST" && req.path.ends_with("/oauth2/v2.0/token") {
            return s.auth.token(&req);
        }
        if req.method == "POST" && req.path.ends_with("/oauth2/v2.0/devicecode") {
            s.auth
                .scopes
                .push(req.form().get("scope").cloned().unwrap_or_default());
            return json_resp(
                200,
                json!({
                    "device_code": "dc-1",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 1,
                    "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."
                }),
            );
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
        s.prefer
            .push(req.header("prefer").unwrap_or_default().to_owned());
        if !s.auth.authorized(&req) {
            return json_resp(
                401,
                json!({ "error": { "code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid." } }),
            );
        }
        let fault = s.faults.pop_front();
        if let Some(answer) = fault.as_ref().and_then(fault_answer) {
            return answer;
        }
        let mut resp = route(&mut s, &req, &base);
        if let Some(Fault::Delay(d)) = fault {
            resp.delay = Some(d);
        }
        resp
    }
}

fn route(s: &mut State, req: &Req, base: &str) -> Resp {
    let Some(rest) = req.path.strip_prefix("/v1.0/me/") else {
        return empty(404);
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["calendars"]) => json_resp(
            200,
            json!({ "value": [
                { "id": "AAMkCal1", "name": "Calendar", "hexColor": "#3a87ad", "isDefaultCalendar": true },
                { "id": "AAMkCal2", "name": "Team", "hexColor": "", "isDefaultCalendar": false },
            ] }),
        ),
        ("GET", ["calendarView", "delta"]) | ("GET", ["calendars", _, "calendarView", "delta"]) => {
            delta(s, req, base)
        }
        ("POST", ["events"]) | ("POST", ["calendars", _, "events"]) => create(s, req),
        ("PATCH", ["events", id]) => update(s, id, &req.json()),
        ("DELETE", ["events", id]) => match s.events.get(*id) {
            Some(e) if !e.removed => {
                let id = (*id).to_owned();
                s.remove(&id);
                empty(204)
            }
            _ => error(
                404,
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
            ),
        },
        _ => empty(404),
    }
}

/// One page of a delta round. The links carry what the round needs: `$deltatoken` (changes
/// since) or the window, and `$skiptoken` (the offset); both opaque to the client.
fn delta(s: &mut State, req: &Req, base: &str) -> Resp {
    let since = match req.q("$deltatoken") {
        Some(t) => match t.parse::<u64>() {
            Ok(n) if n >= s.expired_below => Some(n),
            _ => {
                return error(
                    410,
                    "syncStateNotFound",
                    "The sync state generation is not found.",
                );
            }
        },
        None => None,
    };
    let window = (req.q("startDateTime"), req.q("endDateTime"));
    if since.is_none() && (window.0.is_none() || window.1.is_none()) {
        return error(
            400,
            "ErrorInvalidParameter",
            "startDateTime and endDateTime are required.",
        );
    }
    let entries: Vec<Value> = s
        .events
        .iter()
        .filter(|(_, e)| match since {
            Some(n) => e.seq > n,
            None => !e.removed,
        })
        .map(|(id, e)| {
            if e.removed {
                json!({ "@odata.type": "#microsoft.graph.event", "id": id, "@removed": { "reason": "deleted" } })
            } else {
                let mut v = e.event.clone();
                v["@odata.type"] = json!("#microsoft.graph.event");
                v
            }
        })
        .collect();
    let prefer = req.header("prefer").unwrap_or_default();
    let preferred = prefer
        .split(',')
        .find_map(|p| p.trim().strip_prefix("odata.maxpagesize=")?.parse().ok())
        .unwrap_or(1000usize);
    let size = preferred.min(s.page_cap).max(1);
    let offset: usize = req
        .q("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let page: Vec<Value> = entries.iter().skip(offset).take(size).cloned().collect();
    let mut body = json!({ "@odata.context": format!("{base}/v1.0/$metadata#Collection(event)"), "value": page });
    if offset + size < entries.len() {
        let mut link = reqwest::Url::parse(&format!("{base}{}", req.path)).unwrap();
        {
            let mut q = link.query_pairs_mut();
            match since {
                Some(n) => {
                    q.append_pair("$deltatoken", &n.to_string());
                }
                None => {
                    q.append_pair("startDateTime", window.0.as_deref().unwrap_or_default());
                    q.append_pair("endDateTime", window.1.as_deref().unwrap_or_default());
                }
            }
            q.append_pair("$skiptoken", &(offset + size).to_string());
        }
        body["@odata.nextLink"] = json!(link.to_string());
    } else {
        let mut link = reqwest::Url::parse(&format!("{base}{}", req.path)).unwrap();
        link.query_pairs_mut()
            .append_pair("$deltatoken", &s.seq.to_string());
        body["@odata.deltaLink"] = json!(link.to_string());
    }
    json_resp(200, body)
}

/// "Update event": only the writable properties given change; the id stays.
fn update(s: &mut State, id: &str, body: &Value) -> Resp {
    let mut event = match s.events.get(id) {
        Some(e) if !e.removed => e.event.clone(),
        _ => {
            return error(
                404,
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
            );
        }
    };
    if let (Some(target), Some(fields)) = (event.as_object_mut(), body.as_object()) {
        for (k, v) in fields {
            if k != "id" {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    s.put(event.clone());
    json_resp(200, event)
}

fn create(s: &mut State, req: &Req) -> Resp {
    let mut event = req.json();
    let tx = event["transactionId"].as_str().map(str::to_owned);
    if let Some(id) = tx.as_ref().and_then(|t| s.transactions.get(t)) {
        return json_resp(201, s.events[id].event.clone());
    }
    s.created += 1;
    let id = format!("AAMkEvent{}", s.created);
    event["id"] = json!(id);
    event["isAllDay"] = json!(false);
    event["isCancelled"] = json!(false);
    s.put(event.clone());
    if let Some(t) = tx {
        s.transactions.insert(t, id);
    }
    json_resp(201, event)
}

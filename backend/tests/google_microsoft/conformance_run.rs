//! The shared conformance story (tests/support/conformance.rs) against both stand-ins.
//!
//! `put` expands the story's iCalendar text into instances with our own engine
//! (`openslot::calendar::for_each_instance`) and stores them as the service would list them
//! (Google singleEvents, Graph calendarView instances). So here the reader story checks the
//! protocol (paging, sync tokens, delta links, removal, the field mapping), not recurrence
//! expansion, which Google and Graph do themselves.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use openslot::calendar::{Status, for_each_instance, parse_calendar};
use openslot::sources::CalendarSource;
use openslot::sources::google::Google;
use openslot::sources::microsoft::Microsoft;
use serde_json::{Value, json};

use super::conformance::{self, OWNER, ReaderFixture, reader_story, writer_story};
use super::google_standin::GoogleStandIn;
use super::graph_standin::GraphStandIn;
use super::{Dir, data_dir, source};

/// One instance of the story's text, service-neutral.
struct Instance {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    all_day: bool,
    status: Status,
    transparent: bool,
}

fn instances(ics: &str) -> Vec<Instance> {
    let cal = parse_calendar(ics, "story");
    let mut out = Vec::new();
    for_each_instance(&cal, conformance::window(), OWNER, &mut Vec::new(), |i| {
        out.push(Instance {
            start: i.start(),
            end: i.end(),
            all_day: i.all_day,
            status: i.event.status,
            transparent: i.event.transparent,
        });
    });
    out
}

fn local_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&OWNER).date_naive().to_string()
}

/// Each fixture remembers the ids it made per object, to replace or remove them.
struct Fixture<S> {
    standin: Arc<S>,
    source: Arc<dyn CalendarSource>,
    ids: Mutex<HashMap<String, Vec<String>>>,
    _dir: Dir,
}

impl<S> Fixture<S> {
    fn take_ids(&self, name: &str) -> Vec<String> {
        self.ids.lock().unwrap().remove(name).unwrap_or_default()
    }
}

fn google_event(id: &str, i: &Instance) -> Value {
    let (start, end) = if i.all_day {
        (
            json!({ "date": local_date(i.start) }),
            json!({ "date": local_date(i.end) }),
        )
    } else {
        (
            json!({ "dateTime": i.start.to_rfc3339() }),
            json!({ "dateTime": i.end.to_rfc3339() }),
        )
    };
    json!({
        "id": id, "start": start, "end": end,
        "status": match i.status { Status::Tentative => "tentative", Status::Cancelled => "cancelled", Status::Confirmed => "confirmed" },
        "transparency": if i.transparent { "transparent" } else { "opaque" },
    })
}

#[async_trait::async_trait]
impl ReaderFixture for Fixture<GoogleStandIn> {
    async fn put(&self, name: &str, ics: &str) {
        let old = self.take_ids(name);
        let mut ids = Vec::new();
        for (n, i) in instances(ics).iter().enumerate() {
            let id = format!("{name}-{n}");
            self.standin.put(google_event(&id, i));
            ids.push(id);
        }
        for id in old.iter().filter(|id| !ids.contains(id)) {
            self.standin.remove(id);
        }
        self.ids.lock().unwrap().insert(name.to_owned(), ids);
    }

    async fn remove(&self, name: &str) {
        for id in self.take_ids(name) {
            self.standin.remove(&id);
        }
    }

    fn source(&self) -> Arc<dyn CalendarSource> {
        self.source.clone()
    }
}

fn graph_event(id: &str, i: &Instance) -> Value {
    let t = |v: String| json!({ "dateTime": v, "timeZone": "UTC" });
    let (start, end) = if i.all_day {
        (
            t(format!("{}T00:00:00.0000000", local_date(i.start))),
            t(format!("{}T00:00:00.0000000", local_date(i.end))),
        )
    } else {
        let f = |d: DateTime<Utc>| d.format("%Y-%m-%dT%H:%M:%S.0000000").to_string();
        (t(f(i.start)), t(f(i.end)))
    };
    json!({
        "id": id, "isAllDay": i.all_day, "start": start, "end": end,
        "isCancelled": i.status == Status::Cancelled,
        "showAs": if i.transparent { "free" } else if i.status == Status::Tentative { "tentative" } else { "busy" },
    })
}

#[async_trait::async_trait]
impl ReaderFixture for Fixture<GraphStandIn> {
    async fn put(&self, name: &str, ics: &str) {
        let old = self.take_ids(name);
        let mut ids = Vec::new();
        for (n, i) in instances(ics).iter().enumerate() {
            let id = format!("{name}-{n}");
            self.standin.put(graph_event(&id, i));
            ids.push(id);
        }
        for id in old.iter().filter(|id| !ids.contains(id)) {
            self.standin.remove(id);
        }
        self.ids.lock().unwrap().insert(name.to_owned(), ids);
    }

    async fn remove(&self, name: &str) {
        for id in self.take_ids(name) {
            self.standin.remove(&id);
        }
    }

    fn source(&self) -> Arc<dyn CalendarSource> {
        self.source.clone()
    }
}

#[tokio::test]
async fn google_passes_the_reader_story() {
    let standin = GoogleStandIn::start().await;
    standin.with(|s| s.page_size = 4);
    let dir = data_dir();
    let config = source("google", &standin.api(), &standin.oauth(), "");
    let fx = Fixture {
        source: Arc::new(Google::new(&config, &dir.ctx).unwrap()),
        standin,
        ids: Mutex::default(),
        _dir: dir,
    };
    reader_story(&fx).await;
}

#[tokio::test]
async fn microsoft_passes_the_reader_story() {
    let standin = GraphStandIn::start().await;
    standin.with(|s| s.page_cap = 4);
    let dir = data_dir();
    let config = source("microsoft", &standin.api(), &standin.oauth(), "");
    let fx = Fixture {
        source: Arc::new(Microsoft::new(&config, &dir.ctx).unwrap()),
        standin,
        ids: Mutex::default(),
        _dir: dir,
    };
    reader_story(&fx).await;
}

#[tokio::test]
async fn google_passes_the_writer_story() {
    let standin = GoogleStandIn::start().await;
    let dir = data_dir();
    let config = source("google", &standin.api(), &standin.oauth(), "");
    let google = Arc::new(Google::new(&config, &dir.ctx).unwrap());
    writer_story(google.clone(), google).await;
}

#[tokio::test]
async fn microsoft_passes_the_writer_story() {
    let standin = GraphStandIn::start().await;
    let dir = data_dir();
    let config = source("microsoft", &standin.api(), &standin.oauth(), "");
    let ms = Arc::new(Microsoft::new(&config, &dir.ctx).unwrap());
    writer_story(ms.clone(), ms).await;
}

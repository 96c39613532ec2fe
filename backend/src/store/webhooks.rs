//! Webhook subscriptions made through the admin or public API: the URL, the events, the
//! signing secret sealed by [`super::secret_box`] (never stored in plain text), who made it.
//! The configuration file's `[[webhooks]]` are never stored here.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::secret_box::Sealed;
use super::{StoreError, secs, time};

/// One stored subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: Sealed,
    /// `dashboard`, or `key:ID` for an API key.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, url, events, secret, nonce, created_by, created_at";

fn row(r: &Row<'_>) -> rusqlite::Result<WebhookRow> {
    let events: String = r.get(2)?;
    Ok(WebhookRow {
        id: r.get(0)?,
        url: r.get(1)?,
        events: events.split_whitespace().map(str::to_owned).collect(),
        secret: Sealed {
            ciphertext: r.get(3)?,
            nonce: r.get(4)?,
        },
        created_by: r.get(5)?,
        created_at: time(r.get(6)?),
    })
}

pub fn insert(conn: &Connection, w: &WebhookRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO webhooks (id, url, events, secret, nonce, created_by, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            w.id,
            w.url,
            w.events.join(" "),
            w.secret.ciphertext,
            w.secret.nonce,
            w.created_by,
            secs(w.created_at)
        ],
    )?;
    Ok(())
}

/// Every subscription, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<WebhookRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM webhooks ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([], row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<WebhookRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM webhooks WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

/// Deletes a subscription (only one `created_by` made, when given) and ends its queued
/// deliveries as failed with `reason`, in one transaction of the caller; false when there was
/// no such row.
pub fn delete(
    conn: &Connection,
    id: &str,
    created_by: Option<&str>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = conn.execute(
        "DELETE FROM webhooks WHERE id = ?1 AND (?2 IS NULL OR created_by = ?2)",
        params![id, created_by],
    )?;
    if n == 0 {
        return Ok(false);
    }
    conn.execute(
        "UPDATE deliveries SET state = 'failed', last_error = ?2, updated_at = ?3 \
         WHERE channel = 'webhook' AND target = ?1 AND state = 'pending'",
        params![id, reason, secs(now)],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::OutboxState;
    use crate::store::deliveries::{self, About, Channel, NewDelivery};
    use chrono::TimeZone;

    fn hook(id: &str, by: &str, at: DateTime<Utc>) -> WebhookRow {
        WebhookRow {
            id: id.into(),
            url: "https://hooks.example.org/x".into(),
            events: vec!["source.failing".into()],
            secret: Sealed {
                ciphertext: vec![1, 2, 3],
                nonce: vec![0; 12],
            },
            created_by: by.into(),
            created_at: at,
        }
    }

    #[test]
    fn a_delete_fails_the_queued_deliveries_and_only_the_creator_may_delete() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::migrate(&mut conn).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        for (id, by) in [("wh_a", "key:k1"), ("wh_b", "dashboard")] {
            insert(&conn, &hook(id, by, at)).unwrap();
        }
        assert_eq!(
            get(&conn, "wh_a").unwrap(),
            Some(hook("wh_a", "key:k1", at))
        );
        assert_eq!(list(&conn).unwrap().len(), 2);
        let mut ids = Vec::new();
        for target in ["wh_a", "wh_b"] {
            let d = NewDelivery {
                about: About::Source("work"),
                channel: Channel::Webhook,
                target,
                event: "source.failing",
                payload: "{}",
                due: at,
            };
            ids.push(deliveries::enqueue(&conn, &d, at).unwrap());
        }
        assert!(!delete(&conn, "wh_a", Some("key:k2"), "gone", at).unwrap());
        assert!(delete(&conn, "wh_a", Some("key:k1"), "gone", at).unwrap());
        assert!(!delete(&conn, "wh_a", None, "gone", at).unwrap());
        let a = deliveries::get(&conn, ids[0]).unwrap().unwrap();
        assert_eq!(a.state, OutboxState::Failed);
        assert_eq!(a.last_error.as_deref(), Some("gone"));
        let b = deliveries::get(&conn, ids[1]).unwrap().unwrap();
        assert_eq!(b.state, OutboxState::Pending);
        assert!(
            deliveries::due(&conn, at, 10)
                .unwrap()
                .iter()
                .all(|d| d.target == "wh_b")
        );
    }
}

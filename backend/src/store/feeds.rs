//! The generation of the owner's feed tokens: rotating moves it on, which turns every earlier
//! `bookings.ics` / `freebusy.ics` URL off. No row means generation 0 (never rotated).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, secs, time};

/// The current generation and when it was made (None: never rotated).
pub fn generation(conn: &Connection) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    Ok(conn
        .query_row(
            "SELECT generation, rotated_at FROM feed_tokens WHERE id = 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, Some(time(r.get(1)?)))),
        )
        .optional()?
        .unwrap_or((0, None)))
}

/// Moves the generation on; returns the new one.
pub fn rotate(conn: &Connection, now: DateTime<Utc>) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "INSERT INTO feed_tokens (id, generation, rotated_at) VALUES (1, 1, ?1)
         ON CONFLICT (id) DO UPDATE SET generation = generation + 1, rotated_at = excluded.rotated_at
         RETURNING generation",
        params![secs(now)],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::store::Store;

    #[tokio::test]
    async fn rotating_moves_the_generation_on() {
        let store = Store::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2027, 1, 2, 3, 4, 5).unwrap();
        let (before, first, second, after) = store
            .call(move |c| {
                Ok((
                    generation(c)?,
                    rotate(c, now)?,
                    rotate(c, now)?,
                    generation(c)?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(before, (0, None));
        assert_eq!((first, second), (1, 2));
        assert_eq!(after, (2, Some(now)));
    }
}

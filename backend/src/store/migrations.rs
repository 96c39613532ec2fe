//! The schema, one numbered step at a time. A step is never edited once released: a change is
//! a new step. `PRAGMA user_version` holds the number of steps applied.

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

const STEPS: &[&str] = &[
    // 1: bookings, idempotency keys, manual blocks, the outbox of calendar writes.
    "CREATE TABLE bookings (
        id            TEXT PRIMARY KEY,
        event_type    TEXT NOT NULL,
        start_utc     INTEGER NOT NULL,
        end_utc       INTEGER NOT NULL CHECK (end_utc > start_utc),
        name          TEXT NOT NULL,
        email         TEXT NOT NULL,
        notes         TEXT NOT NULL DEFAULT '',
        timezone      TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
        sequence      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        cancelled_at  INTEGER
    );
    CREATE INDEX bookings_confirmed_by_start ON bookings (start_utc) WHERE status = 'confirmed';

    -- Defence in depth: whatever the code above does, two confirmed bookings never overlap.
    CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
    WHEN NEW.status = 'confirmed' AND EXISTS (
        SELECT 1 FROM bookings b WHERE b.status = 'confirmed'
        AND b.start_utc < NEW.end_utc AND NEW.start_utc < b.end_utc)
    BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;
    CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_utc, end_utc, status ON bookings
    WHEN NEW.status = 'confirmed' AND EXISTS (
        SELECT 1 FROM bookings b WHERE b.status = 'confirmed' AND b.id <> NEW.id
        AND b.start_utc < NEW.end_utc AND NEW.start_utc < b.end_utc)
    BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;

    CREATE TABLE idempotency_keys (
        key           TEXT PRIMARY KEY,
        request_hash  TEXT NOT NULL,
        booking_id    TEXT NOT NULL REFERENCES bookings (id),
        created_at    INTEGER NOT NULL
    );

    CREATE TABLE blocks (
        id            TEXT PRIMARY KEY,
        start_utc     INTEGER NOT NULL,
        end_utc       INTEGER NOT NULL CHECK (end_utc > start_utc),
        label         TEXT NOT NULL DEFAULT '',
        created_at    INTEGER NOT NULL
    );

    -- One row per calendar write a booking causes; committed with the booking.
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id      TEXT NOT NULL REFERENCES bookings (id),
        source_id       TEXT NOT NULL,
        action          TEXT NOT NULL CHECK (action IN ('create', 'delete')),
        uid             TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';

    -- Where each created event lives, to delete it later.
    CREATE TABLE written_events (
        booking_id  TEXT NOT NULL REFERENCES bookings (id),
        source_id   TEXT NOT NULL,
        uid         TEXT NOT NULL,
        remote_id   TEXT NOT NULL,
        etag        TEXT,
        PRIMARY KEY (source_id, uid)
    );",
    // 2: the owner's edits of the rules and event types (dashboard), at most one document.
    "CREATE TABLE rules_override (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        document  TEXT NOT NULL,
        saved_at  INTEGER NOT NULL
    );",
    // 3: recurring bookings: each session is a booking of its own, tied by its series.
    "ALTER TABLE bookings ADD COLUMN series_id TEXT;
    ALTER TABLE bookings ADD COLUMN series_index INTEGER;
    CREATE TABLE series (
        id          TEXT PRIMARY KEY,
        frequency   TEXT NOT NULL,
        sessions    INTEGER NOT NULL CHECK (sessions >= 2),
        created_at  INTEGER NOT NULL
    );
    CREATE INDEX bookings_by_series ON bookings (series_id, series_index)
        WHERE series_id IS NOT NULL;",
    // 4: the answers to the owner's questions (JSON), where the visit came from (`ref`), and
    // the owner's mark that the visitor did not come.
    "ALTER TABLE bookings ADD COLUMN answers TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE bookings ADD COLUMN visit_ref TEXT;
    ALTER TABLE bookings ADD COLUMN no_show INTEGER NOT NULL DEFAULT 0;",
    // 5: mail and webhook deliveries a booking causes (notify), committed with the booking.
    "CREATE TABLE deliveries (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id      TEXT NOT NULL REFERENCES bookings (id),
        channel         TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
        target          TEXT NOT NULL,
        event           TEXT NOT NULL CHECK (event IN ('booking.created', 'booking.rescheduled',
                            'booking.cancelled', 'booking.reminder')),
        payload         TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        last_status     INTEGER,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
    );
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
    CREATE INDEX deliveries_by_booking ON deliveries (booking_id, channel, target);",
    // 6: calendar sources added in the dashboard: the settings as JSON (a `[[sources]]` entry
    // without secrets) and the secrets sealed with `server.secrets_key_file` (secret_box.rs).
    "CREATE TABLE sources (
        id                 TEXT PRIMARY KEY,
        settings           TEXT NOT NULL,
        secret_ciphertext  BLOB,
        secret_nonce       BLOB,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        CHECK ((secret_ciphertext IS NULL) = (secret_nonce IS NULL))
    );",
    // 7: the generation of the owner's feed tokens (rotating turns the old feed URLs off).
    "CREATE TABLE feed_tokens (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        generation  INTEGER NOT NULL,
        rotated_at  INTEGER NOT NULL
    );",
    // 8: alerts about calendars that keep failing (notify::alerts): a delivery is about a
    // booking or about a source, never both, and may be `source.failing`/`source.recovered`;
    // `source_alerts` keeps which run of failures was alerted, so a restart does not repeat
    // it. The table is rebuilt (SQLite cannot change a CHECK); rows and ids stay, and the id
    // sequence goes on from where it was (ids are the webhooks' `OpenSlot-Delivery`).
    "DROP INDEX deliveries_due;
    DROP INDEX deliveries_by_booking;
    ALTER TABLE deliveries RENAME TO deliveries_v5;
    CREATE TABLE deliveries (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id      TEXT REFERENCES bookings (id),
        source_id       TEXT,
        channel         TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
        target          TEXT NOT NULL,
        event           TEXT NOT NULL CHECK (event IN ('booking.created', 'booking.rescheduled',
                            'booking.cancelled', 'booking.reminder',
                            'source.failing', 'source.recovered')),
        payload         TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        last_status     INTEGER,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        CHECK ((booking_id IS NULL) <> (source_id IS NULL)),
        CHECK ((source_id IS NULL) = (event NOT LIKE 'source.%'))
    );
    INSERT INTO deliveries (id, booking_id, channel, target, event, payload, state, attempts,
        next_attempt_at, last_error, last_status, created_at, updated_at)
    SELECT id, booking_id, channel, target, event, payload, state, attempts,
        next_attempt_at, last_error, last_status, created_at, updated_at FROM deliveries_v5;
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'deliveries', 0 WHERE NOT EXISTS
            (SELECT 1 FROM sqlite_sequence WHERE name = 'deliveries');
    UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries_v5'), 0))
        WHERE name = 'deliveries';
    DROP TABLE deliveries_v5;
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
    CREATE INDEX deliveries_by_booking ON deliveries (booking_id, channel, target);
    CREATE INDEX deliveries_by_source ON deliveries (source_id, channel, target)
        WHERE source_id IS NOT NULL;
    CREATE TABLE source_alerts (
        source_id      TEXT PRIMARY KEY,
        failing_since  INTEGER NOT NULL,
        alerted_at     INTEGER NOT NULL
    );",
    // 9: one UID per booking: a reschedule updates the calendar event in place (`update`)
    // instead of deleting it and creating another. The table is rebuilt (SQLite cannot change
    // a CHECK); rows and ids stay, and the id sequence goes on from where it was.
    "DROP INDEX outbox_due;
    ALTER TABLE outbox RENAME TO outbox_v1;
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id      TEXT NOT NULL REFERENCES bookings (id),
        source_id       TEXT NOT NULL,
        action          TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        uid             TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
    );
    INSERT INTO outbox (id, booking_id, source_id, action, uid, state, attempts,
        next_attempt_at, last_error, created_at, updated_at)
    SELECT id, booking_id, source_id, action, uid, state, attempts,
        next_attempt_at, last_error, created_at, updated_at FROM outbox_v1;
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'outbox', 0 WHERE NOT EXISTS
            (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox');
    UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox_v1'), 0))
        WHERE name = 'outbox';
    DROP TABLE outbox_v1;
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
    CREATE INDEX outbox_by_booking ON outbox (booking_id, source_id);",
    // 10: bookings that wait for a confirmation (`confirm = "email"`): status `pending` holds
    // its time until `hold_until`, then becomes `expired`; the overlap triggers count pending
    // like confirmed. A mail-only notice `booking.confirm_request` carries the link; visitor
    // mails are counted per day and address (`mail_counts`). Both tables are rebuilt (SQLite cannot change a CHECK); rows and ids stay. `migrate` turns
    // foreign keys off around the steps, so the other tables' references to `bookings` hold.
    "CREATE TABLE bookings_v10 (
        id            TEXT PRIMARY KEY,
        event_type    TEXT NOT NULL,
        start_utc     INTEGER NOT NULL,
        end_utc       INTEGER NOT NULL CHECK (end_utc > start_utc),
        name          TEXT NOT NULL,
        email         TEXT NOT NULL,
        notes         TEXT NOT NULL DEFAULT '',
        timezone      TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled',
                          'expired')),
        sequence      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        cancelled_at  INTEGER,
        series_id     TEXT,
        series_index  INTEGER,
        answers       TEXT NOT NULL DEFAULT '[]',
        visit_ref     TEXT,
        no_show       INTEGER NOT NULL DEFAULT 0,
        hold_until    INTEGER,
        CHECK ((status = 'pending') = (hold_until IS NOT NULL) OR status = 'expired')
    );
    INSERT INTO bookings_v10 (id, event_type, start_utc, end_utc, name, email, notes, timezone,
        status, sequence, created_at, updated_at, cancelled_at, series_id, series_index,
        answers, visit_ref, no_show)
    SELECT id, event_type, start_utc, end_utc, name, email, notes, timezone,
        status, sequence, created_at, updated_at, cancelled_at, series_id, series_index,
        answers, visit_ref, no_show FROM bookings;
    DROP TABLE bookings;
    ALTER TABLE bookings_v10 RENAME TO bookings;
    CREATE INDEX bookings_held_by_start ON bookings (start_utc)
        WHERE status IN ('confirmed', 'pending');
    CREATE INDEX bookings_by_series ON bookings (series_id, series_index)
        WHERE series_id IS NOT NULL;
    CREATE INDEX bookings_pending ON bookings (hold_until) WHERE status = 'pending';
    CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
    WHEN NEW.status IN ('confirmed', 'pending') AND EXISTS (
        SELECT 1 FROM bookings b WHERE b.status IN ('confirmed', 'pending')
        AND b.start_utc < NEW.end_utc AND NEW.start_utc < b.end_utc)
    BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;
    CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_utc, end_utc, status ON bookings
    WHEN NEW.status IN ('confirmed', 'pending') AND EXISTS (
        SELECT 1 FROM bookings b WHERE b.status IN ('confirmed', 'pending') AND b.id <> NEW.id
        AND b.start_utc < NEW.end_utc AND NEW.start_utc < b.end_utc)
    BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;

    DROP INDEX deliveries_due;
    DROP INDEX deliveries_by_booking;
    DROP INDEX deliveries_by_source;
    CREATE TABLE deliveries_v10 (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id      TEXT REFERENCES bookings (id),
        source_id       TEXT,
        channel         TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
        target          TEXT NOT NULL,
        event           TEXT NOT NULL CHECK (event IN ('booking.created', 'booking.rescheduled',
                            'booking.cancelled', 'booking.reminder', 'booking.confirm_request',
                            'source.failing', 'source.recovered')),
        payload         TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        last_status     INTEGER,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        CHECK ((booking_id IS NULL) <> (source_id IS NULL)),
        CHECK ((source_id IS NULL) = (event NOT LIKE 'source.%'))
    );
    INSERT INTO deliveries_v10 SELECT * FROM deliveries;
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'deliveries_v10', 0 WHERE NOT EXISTS
            (SELECT 1 FROM sqlite_sequence WHERE name = 'deliveries_v10');
    UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0))
        WHERE name = 'deliveries_v10';
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v10 RENAME TO deliveries;
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
    CREATE INDEX deliveries_by_booking ON deliveries (booking_id, channel, target);
    CREATE INDEX deliveries_by_source ON deliveries (source_id, channel, target)
        WHERE source_id IS NOT NULL;

    -- Mails sent to visitors per UTC day and address (`[mail]` limits), kept over restarts.
    CREATE TABLE mail_counts (
        day      INTEGER NOT NULL,
        address  TEXT NOT NULL,
        sent     INTEGER NOT NULL,
        PRIMARY KEY (day, address)
    );",
    // 11: API keys for integrators (only a SHA-256 of the key is kept); idempotency keys
    // belong to one caller ('' for visitors, `key:ID` for an API key) and are found by age
    // to be pruned.
    "CREATE TABLE api_keys (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        scopes        TEXT NOT NULL,
        hash          BLOB NOT NULL,
        created_at    INTEGER NOT NULL,
        last_used_at  INTEGER,
        revoked_at    INTEGER
    );
    CREATE TABLE idempotency_keys_v2 (
        caller        TEXT NOT NULL DEFAULT '',
        key           TEXT NOT NULL,
        request_hash  TEXT NOT NULL,
        booking_id    TEXT NOT NULL REFERENCES bookings (id),
        created_at    INTEGER NOT NULL,
        PRIMARY KEY (caller, key)
    );
    INSERT INTO idempotency_keys_v2 (caller, key, request_hash, booking_id, created_at)
        SELECT '', key, request_hash, booking_id, created_at FROM idempotency_keys;
    DROP TABLE idempotency_keys;
    ALTER TABLE idempotency_keys_v2 RENAME TO idempotency_keys;
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);",
    // 12: requests the owner approves (`confirm = "owner"`): `confirm_by` says who a pending
    // booking waits for ('visitor' or 'owner'; kept after the decision); status `declined` (the
    // owner said no, `decline_reason` optional); notices `booking.requested` and
    // `booking.declined`. Both tables are rebuilt as in step 10 (a CHECK cannot change).
    "CREATE TABLE bookings_v12 (
        id            TEXT PRIMARY KEY,
        event_type    TEXT NOT NULL,
        start_utc     INTEGER NOT NULL,
        end_utc       INTEGER NOT NULL CHECK (end_utc > start_utc),
        name          TEXT NOT NULL,
        email         TEXT NOT NULL,
        notes         TEXT NOT NULL DEFAULT '',
        timezone      TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled',
                          'expired', 'declined')),
        sequence      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        cancelled_at  INTEGER,
        series_id     TEXT,
        series_index  INTEGER,
        answers       TEXT NOT NULL DEFAULT '[]',
        visit_ref     TEXT,
        no_show       INTEGER NOT NULL DEFAULT 0,
        hold_until    INTEGER,
        confirm_by    TEXT CHECK (confirm_by IN ('visitor', 'owner')),
        decline_reason TEXT,
        CHECK ((status = 'pending') = (hold_until IS NOT NULL) OR status = 'expired')
    );
    INSERT INTO bookings_v12 (id, event_type, start_utc, end_utc, name, email, notes, timezone,
        status, sequence, created_at, updated_at, cancelled_at, series_id, series_index,
        answers, visit_ref, no_show, hold_until, confirm_by)
    SELECT id, event_type, start_utc, end_utc, name, email, notes, timezone,
        status, sequence, created_at, updated_at, cancelled_at, series_id, series_index,
        answers, visit_ref, no_show, hold_until,
        iif(hold_until IS NOT NULL OR status = 'expired', 'visitor', NULL) FROM bookings;
    DROP TABLE bookings;
    ALTER TABLE bookings_v12 RENAME TO bookings;
    CREATE INDEX bookings_held_by_start ON bookings (start_utc)
        WHERE status IN ('confirmed', 'pending');
    CREATE INDEX bookings_by_series ON bookings (series_id, series_index)
        WHERE series_id IS NOT NULL;
    CREATE INDEX bookings_pending ON bookings (hold_until) WHERE status = 'pending';
    CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
    WHEN NEW.status IN ('confirmed', 'pending') AND EXISTS (
        SELECT 1 FROM bookings b WHERE b.status IN ('confirmed', 'pending')
        AND b.start_utc < NEW.end_utc AND NEW.start_utc < b.end_utc)
    BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;
    CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_utc, end_utc, status ON bookings
    WHEN NEW.status IN ('confirmed', 'pending') AND EXISTS (
        SELECT 1 FROM bookings b WHERE b.status IN ('confirmed', 'pending') AND b.id <> NEW.id
        AND b.start_utc < NEW.end_utc AND NEW.start_utc < b.end_utc)
    BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;

    DROP INDEX deliveries_due;
    DROP INDEX deliveries_by_booking;
    DROP INDEX deliveries_by_source;
    CREATE TABLE deliveries_v12 (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id      TEXT REFERENCES bookings (id),
        source_id       TEXT,
        channel         TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
        target          TEXT NOT NULL,
        event           TEXT NOT NULL CHECK (event IN ('booking.created', 'booking.rescheduled',
                            'booking.cancelled', 'booking.reminder', 'booking.confirm_request',
                            'source.failing', 'source.recovered', 'booking.requested',
                            'booking.declined')),
        payload         TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        last_status     INTEGER,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        CHECK ((booking_id IS NULL) <> (source_id IS NULL)),
        CHECK ((source_id IS NULL) = (event NOT LIKE 'source.%'))
    );
    INSERT INTO deliveries_v12 SELECT * FROM deliveries;
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'deliveries_v12', 0 WHERE NOT EXISTS
            (SELECT 1 FROM sqlite_sequence WHERE name = 'deliveries_v12');
    UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0))
        WHERE name = 'deliveries_v12';
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v12 RENAME TO deliveries;
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
    CREATE INDEX deliveries_by_booking ON deliveries (booking_id, channel, target);
    CREATE INDEX deliveries_by_source ON deliveries (source_id, channel, target)
        WHERE source_id IS NOT NULL;",
    // 13: notice `booking.withdrawn` (the visitor withdrew a request: the owner is told). The
    // deliveries table is rebuilt as in step 12 (a CHECK cannot change).
    "DROP INDEX deliveries_due;
    DROP INDEX deliveries_by_booking;
    DROP INDEX deliveries_by_source;
    CREATE TABLE deliveries_v13 (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id      TEXT REFERENCES bookings (id),
        source_id       TEXT,
        channel         TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
        target          TEXT NOT NULL,
        event           TEXT NOT NULL CHECK (event IN ('booking.created', 'booking.rescheduled',
                            'booking.cancelled', 'booking.reminder', 'booking.confirm_request',
                            'source.failing', 'source.recovered', 'booking.requested',
                            'booking.declined', 'booking.withdrawn')),
        payload         TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        last_status     INTEGER,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        CHECK ((booking_id IS NULL) <> (source_id IS NULL)),
        CHECK ((source_id IS NULL) = (event NOT LIKE 'source.%'))
    );
    INSERT INTO deliveries_v13 SELECT * FROM deliveries;
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'deliveries_v13', 0 WHERE NOT EXISTS
            (SELECT 1 FROM sqlite_sequence WHERE name = 'deliveries_v13');
    UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0))
        WHERE name = 'deliveries_v13';
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v13 RENAME TO deliveries;
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
    CREATE INDEX deliveries_by_booking ON deliveries (booking_id, channel, target);
    CREATE INDEX deliveries_by_source ON deliveries (source_id, channel, target)
        WHERE source_id IS NOT NULL;",
    // 14: webhook subscriptions made through the admin or public API (`store::webhooks`): the
    // signing secret sealed by `secret_box` under the row's id, who made it (`dashboard` or
    // `key:ID`). The file's `[[webhooks]]` are never stored here.
    "CREATE TABLE webhooks (
        id          TEXT PRIMARY KEY,
        url         TEXT NOT NULL,
        events      TEXT NOT NULL,
        secret      BLOB NOT NULL,
        nonce       BLOB NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    );
    CREATE INDEX webhooks_by_creator ON webhooks (created_by);",
    // 15: the booking page's texts edited in the dashboard (`intro`, `accent_color`).
    "CREATE TABLE page_settings (
        key        TEXT PRIMARY KEY CHECK (key IN ('intro', 'accent_color')),
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );",
    // 16: the owner's display name and time zone edited in the dashboard; the logo uploaded
    // there.
    "CREATE TABLE page_settings_v16 (
        key        TEXT PRIMARY KEY
                   CHECK (key IN ('intro', 'accent_color', 'display_name', 'timezone')),
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    INSERT INTO page_settings_v16 (key, value, updated_at)
        SELECT key, value, updated_at FROM page_settings;
    DROP TABLE page_settings;
    ALTER TABLE page_settings_v16 RENAME TO page_settings;
    CREATE TABLE page_logo (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        media_type TEXT NOT NULL
                   CHECK (media_type IN ('image/png', 'image/jpeg', 'image/svg+xml', 'image/webp')),
        bytes      BLOB NOT NULL CHECK (length(bytes) BETWEEN 1 AND 524288),
        updated_at INTEGER NOT NULL
    );",
    // 17: `[security]` captcha and rate limits edited in the dashboard (where the file leaves
    // them unset); the values as text (`true`/`false`, whole numbers).
    "CREATE TABLE security_settings (
        key        TEXT PRIMARY KEY
                   CHECK (key IN ('captcha', 'rate_limit_per_minute', 'api_key_rate_per_minute')),
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );",
    // 18: the SMTP settings edited in the dashboard (`store::mail_settings`), used only while
    // the file has no `[mail]`: one row; the password sealed by `secret_box` (row id `mail`).
    "CREATE TABLE mail_settings (
        id                      INTEGER PRIMARY KEY CHECK (id = 1),
        smtp_host               TEXT NOT NULL,
        smtp_port               INTEGER NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),
        tls                     TEXT NOT NULL CHECK (tls IN ('starttls', 'tls', 'none')),
        username                TEXT,
        password                BLOB,
        password_nonce          BLOB,
        sender                  TEXT NOT NULL,
        owner_copy              INTEGER NOT NULL,
        reminder_hours          TEXT NOT NULL,
        max_per_address_per_day INTEGER NOT NULL,
        max_per_day             INTEGER NOT NULL,
        updated_at              INTEGER NOT NULL,
        CHECK ((password IS NULL) = (password_nonce IS NULL))
    );",
];

/// Applies the steps the database has not seen, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = STEPS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    if found == known {
        return Ok(());
    }
    // A step that rebuilds a table others refer to drops it first (SQLite's documented way):
    // that needs foreign keys off, which cannot change inside a transaction. Each step checks
    // them itself before it commits.
    let keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply(conn, found as usize);
    conn.pragma_update(None, "foreign_keys", keys)?;
    applied
}

fn apply(conn: &mut Connection, from: usize) -> Result<(), StoreError> {
    for (i, step) in STEPS.iter().enumerate().skip(from) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Worker(format!(
                "schema step {} leaves a broken reference in `{table}`",
                i + 1
            )));
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The database as release `steps` left it.
    fn at(steps: usize) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        for (i, step) in STEPS.iter().enumerate().take(steps) {
            conn.execute_batch(step).unwrap();
            conn.pragma_update(None, "user_version", i as i64 + 1)
                .unwrap();
        }
        conn
    }

    #[test]
    fn deliveries_keep_their_rows_and_ids_when_the_table_is_rebuilt() {
        let mut conn = at(7);
        conn.execute_batch(
            "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                 status, created_at, updated_at)
             VALUES ('b1', 'intro', 100, 200, 'Eve', 'eve@example.com', 'UTC', 'confirmed', 1, 1);
             INSERT INTO deliveries (booking_id, channel, target, event, payload, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('b1', 'mail', 'visitor', 'booking.created', '{}', 'done', 1, 1, 1),
                    ('b1', 'webhook', 'crm', 'booking.created', '{}', 'pending', 1, 1, 1);
             DELETE FROM deliveries WHERE id = 2;",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(i64, Option<String>, String)> = conn
            .prepare("SELECT id, booking_id, event FROM deliveries ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [(1, Some("b1".to_owned()), "booking.created".into())]);
        // The sequence goes on after the deleted id 2 (a webhook id is never reused).
        conn.execute(
            "INSERT INTO deliveries (source_id, channel, target, event, payload, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('work', 'webhook', 'crm', 'source.failing', '{}', 'pending', 1, 1, 1)",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 3);
        // Exactly one subject, and source events only about sources.
        for bad in [
            "(NULL, NULL, 'booking.created')",
            "('b1', 'work', 'booking.created')",
            "('b1', NULL, 'source.failing')",
            "(NULL, 'work', 'booking.created')",
        ] {
            let sql = format!(
                "INSERT INTO deliveries (booking_id, source_id, event, channel, target, payload, \
                 state, next_attempt_at, created_at, updated_at) \
                 SELECT column1, column2, column3, 'mail', 'owner', '{{}}', 'pending', 1, 1, 1 \
                 FROM (VALUES {bad})"
            );
            assert!(conn.execute(&sql, []).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_outbox_keeps_its_rows_and_ids_and_learns_update() {
        let mut conn = at(8);
        let update = "INSERT INTO outbox (booking_id, source_id, action, uid, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('b1', 'work', 'update', 'b1@openslot', 'pending', 1, 1, 1)";
        conn.execute_batch(
            "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                 status, created_at, updated_at)
             VALUES ('b1', 'intro', 100, 200, 'Eve', 'eve@example.com', 'UTC', 'confirmed', 1, 1);
             INSERT INTO outbox (booking_id, source_id, action, uid, state, next_attempt_at,
                 created_at, updated_at)
             VALUES ('b1', 'work', 'create', 'b1-0@openslot', 'done', 1, 1, 1),
                    ('b1', 'work', 'delete', 'b1-0@openslot', 'pending', 1, 1, 1);
             DELETE FROM outbox WHERE id = 2;",
        )
        .unwrap();
        assert!(conn.execute(update, []).is_err(), "step 1 knows no update");
        migrate(&mut conn).unwrap();
        let rows: Vec<(i64, String, String)> = conn
            .prepare("SELECT id, action, uid FROM outbox ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [(1, "create".to_owned(), "b1-0@openslot".to_owned())]);
        conn.execute(update, []).unwrap();
        assert_eq!(conn.last_insert_rowid(), 3, "ids are never reused");
        let bad = update.replace("'update'", "'move'");
        assert!(conn.execute(&bad, []).is_err());
    }

    #[test]
    fn bookings_keep_their_rows_and_references_and_learn_pending() {
        let mut conn = at(9);
        conn.execute_batch(
            "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                 status, created_at, updated_at, answers)
             VALUES ('b1', 'intro', 100, 200, 'Eve', 'eve@example.com', 'UTC', 'confirmed', 1, 1,
                 '[]');
             INSERT INTO outbox (booking_id, source_id, action, uid, state, next_attempt_at,
                 created_at, updated_at)
             VALUES ('b1', 'work', 'create', 'b1@openslot', 'done', 1, 1, 1);
             INSERT INTO deliveries (booking_id, channel, target, event, payload, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('b1', 'mail', 'visitor', 'booking.created', '{}', 'done', 1, 1, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let keys: bool = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert!(keys, "foreign keys are on again");
        let (status, hold): (String, Option<i64>) = conn
            .query_row(
                "SELECT status, hold_until FROM bookings WHERE id = 'b1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), hold), ("confirmed", None));
        // The other tables still refer to `bookings` (not to a renamed copy).
        let bad = "INSERT INTO outbox (booking_id, source_id, action, uid, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('nobody', 'work', 'create', 'x', 'pending', 1, 1, 1)";
        assert!(conn.execute(bad, []).is_err());
        // A pending booking holds its time against confirmed and pending ones.
        let insert = |id: &str, start: i64, status: &str, hold: Option<i64>| {
            conn.execute(
                "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                     status, created_at, updated_at, hold_until)
                 VALUES (?1, 'intro', ?2, ?2 + 100, 'Eve', 'e@x', 'UTC', ?3, 1, 1, ?4)",
                rusqlite::params![id, start, status, hold],
            )
        };
        insert("p1", 300, "pending", Some(50)).unwrap();
        assert!(insert("c1", 350, "confirmed", None).is_err());
        assert!(insert("p2", 250, "pending", Some(50)).is_err());
        assert!(
            insert("p3", 500, "pending", None).is_err(),
            "a hold has an end"
        );
        conn.execute(
            "INSERT INTO deliveries (booking_id, channel, target, event, payload, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('p1', 'mail', 'visitor', 'booking.confirm_request', '{}', 'pending', 1, 1, 1)",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 2);
        conn.execute("UPDATE bookings SET status = 'expired' WHERE id = 'p1'", [])
            .unwrap();
        insert("c1", 350, "confirmed", None).unwrap();
    }

    #[test]
    fn withdrawn_requests_can_be_told_and_old_deliveries_stay() {
        let mut conn = at(12);
        let add = |conn: &Connection, event: &str| {
            conn.execute(
                "INSERT INTO deliveries (booking_id, channel, target, event, payload, state,
                     next_attempt_at, created_at, updated_at)
                 VALUES ('x', 'webhook', 'crm', ?1, '{}', 'pending', 1, 1, 1)",
                [event],
            )
        };
        conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        add(&conn, "booking.declined").unwrap();
        let refused = add(&conn, "booking.withdrawn");
        assert!(refused.is_err(), "not a notice before step 13");
        conn.execute("DELETE FROM deliveries WHERE booking_id = 'x'", [])
            .unwrap();
        conn.execute(
            "INSERT INTO deliveries (source_id, channel, target, event, payload, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('work', 'webhook', 'crm', 'source.failing', '{}', 'done', 1, 1, 1)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let kept: i64 = conn
            .query_row(
                "SELECT count(*) FROM deliveries WHERE source_id = 'work'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, 1);
        conn.execute(
            "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                 status, created_at, updated_at) VALUES ('b', 'intro', 1, 2, 'Eve', 'e@x', 'UTC',
                 'cancelled', 1, 1)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO deliveries (booking_id, channel, target, event, payload, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('b', 'mail', 'owner', 'booking.withdrawn', '{}', 'pending', 1, 1, 1)",
            [],
        )
        .unwrap();
        assert!(conn.last_insert_rowid() > 1, "ids go on");
    }

    #[test]
    fn pending_bookings_learn_who_confirms_and_requests_can_be_declined() {
        let mut conn = at(11);
        conn.execute_batch(
            "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                 status, created_at, updated_at, hold_until)
             VALUES ('p1', 'intro', 100, 200, 'Eve', 'e@x', 'UTC', 'pending', 1, 1, 50),
                    ('c1', 'intro', 300, 400, 'Eve', 'e@x', 'UTC', 'confirmed', 1, 1, NULL);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let by = |id: &str| -> Option<String> {
            conn.query_row("SELECT confirm_by FROM bookings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
        };
        assert_eq!(by("p1").as_deref(), Some("visitor"));
        assert_eq!(by("c1"), None);
        conn.execute_batch(
            "UPDATE bookings SET status = 'declined', hold_until = NULL, confirm_by = 'owner',
                 decline_reason = 'away' WHERE id = 'p1';
             INSERT INTO deliveries (booking_id, channel, target, event, payload, state,
                 next_attempt_at, created_at, updated_at)
             VALUES ('p1', 'mail', 'owner', 'booking.requested', '{}', 'done', 1, 1, 1),
                    ('p1', 'mail', 'visitor', 'booking.declined', '{}', 'pending', 1, 1, 1);",
        )
        .unwrap();
        // A declined request holds no time.
        conn.execute(
            "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                 status, created_at, updated_at) VALUES ('c2', 'intro', 150, 250, 'Bo', 'b@x',
                 'UTC', 'confirmed', 1, 1)",
            [],
        )
        .unwrap();
        assert!(
            conn.execute(
                "UPDATE bookings SET confirm_by = 'someone' WHERE id = 'c1'",
                []
            )
            .is_err()
        );
    }

    #[test]
    fn idempotency_keys_keep_their_rows_as_the_visitors() {
        let mut conn = at(9);
        conn.execute_batch(
            "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, timezone,
                 status, created_at, updated_at)
             VALUES ('b1', 'intro', 100, 200, 'Eve', 'eve@example.com', 'UTC', 'confirmed', 1, 1);
             INSERT INTO idempotency_keys (key, request_hash, booking_id, created_at)
             VALUES ('k1', 'h', 'b1', 5);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let row: (String, String, String) = conn
            .query_row(
                "SELECT caller, key, booking_id FROM idempotency_keys",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(row, (String::new(), "k1".to_owned(), "b1".to_owned()));
        // The same key of another caller is another row.
        conn.execute(
            "INSERT INTO idempotency_keys (caller, key, request_hash, booking_id, created_at)
             VALUES ('key:a', 'k1', 'h', 'b1', 6)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn an_empty_database_migrates() {
        let mut conn = at(0);
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, STEPS.len() as i64);
    }
}

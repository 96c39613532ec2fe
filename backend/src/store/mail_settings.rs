//! The SMTP settings edited in the dashboard (used only while the configuration file has no
//! `[mail]`): one row, the password sealed by [`super::secret_box`] under the row id
//! [`ROW_ID`] (never stored in plain text); absent means nothing is mailed.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::secret_box::Sealed;
use super::{StoreError, secs, time};

/// The associated data the password is sealed under (a ciphertext copied from another table's
/// row does not open here).
pub const ROW_ID: &str = "mail";

/// The saved settings, as checked when they were saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailRow {
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls`, `tls` or `none`.
    pub tls: String,
    pub username: Option<String>,
    pub password: Option<Sealed>,
    pub from: String,
    pub owner_copy: bool,
    pub reminder_hours: Vec<u32>,
    pub max_per_address_per_day: u32,
    pub max_per_day: u32,
    pub updated_at: DateTime<Utc>,
}

/// The saved settings, if any.
pub fn get(conn: &Connection) -> Result<Option<MailRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT smtp_host, smtp_port, tls, username, password, password_nonce, sender,
                    owner_copy, reminder_hours, max_per_address_per_day, max_per_day, updated_at
             FROM mail_settings WHERE id = 1",
            [],
            |r| {
                let ciphertext: Option<Vec<u8>> = r.get(4)?;
                let nonce: Option<Vec<u8>> = r.get(5)?;
                let hours: String = r.get(8)?;
                Ok(MailRow {
                    smtp_host: r.get(0)?,
                    smtp_port: r.get(1)?,
                    tls: r.get(2)?,
                    username: r.get(3)?,
                    password: ciphertext
                        .zip(nonce)
                        .map(|(ciphertext, nonce)| Sealed { ciphertext, nonce }),
                    from: r.get(6)?,
                    owner_copy: r.get(7)?,
                    reminder_hours: hours
                        .split_whitespace()
                        .filter_map(|h| h.parse().ok())
                        .collect(),
                    max_per_address_per_day: r.get(9)?,
                    max_per_day: r.get(10)?,
                    updated_at: time(r.get(11)?),
                })
            },
        )
        .optional()?)
}

/// Replaces the saved settings.
pub fn save(conn: &Connection, m: &MailRow) -> Result<(), StoreError> {
    let hours: Vec<String> = m.reminder_hours.iter().map(u32::to_string).collect();
    conn.execute(
        "INSERT INTO mail_settings (id, smtp_host, smtp_port, tls, username, password,
             password_nonce, sender, owner_copy, reminder_hours, max_per_address_per_day,
             max_per_day, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET smtp_host = excluded.smtp_host,
             smtp_port = excluded.smtp_port, tls = excluded.tls, username = excluded.username,
             password = excluded.password, password_nonce = excluded.password_nonce,
             sender = excluded.sender, owner_copy = excluded.owner_copy,
             reminder_hours = excluded.reminder_hours,
             max_per_address_per_day = excluded.max_per_address_per_day,
             max_per_day = excluded.max_per_day, updated_at = excluded.updated_at",
        params![
            m.smtp_host,
            m.smtp_port,
            m.tls,
            m.username,
            m.password.as_ref().map(|p| &p.ciphertext),
            m.password.as_ref().map(|p| &p.nonce),
            m.from,
            m.owner_copy,
            hours.join(" "),
            m.max_per_address_per_day,
            m.max_per_day,
            secs(m.updated_at)
        ],
    )?;
    Ok(())
}

/// Forgets the saved settings; false when there were none.
pub fn clear(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM mail_settings", [])? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::secret_box::{KEY_LEN, SecretBox};

    #[test]
    fn settings_round_trip_with_the_password_sealed_and_are_forgotten() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("mail.db");
        let mut c = Connection::open(&path).unwrap();
        crate::store::migrations::migrate(&mut c).unwrap();
        assert_eq!(get(&c).unwrap(), None);
        let key = SecretBox::from_bytes([7; KEY_LEN]);
        let password = "pl41n-smtp-p4ss";
        let row = MailRow {
            smtp_host: "smtp.example.org".into(),
            smtp_port: 587,
            tls: "starttls".into(),
            username: Some("ada".into()),
            password: Some(key.seal(ROW_ID, password.as_bytes()).unwrap()),
            from: "Ada <ada@example.org>".into(),
            owner_copy: false,
            reminder_hours: vec![2, 24],
            max_per_address_per_day: 5,
            max_per_day: 200,
            updated_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        save(&c, &row).unwrap();
        let read = get(&c).unwrap().unwrap();
        assert_eq!(read, row);
        let sealed = read.password.unwrap();
        assert_eq!(key.open(ROW_ID, &sealed).unwrap(), password.as_bytes());
        assert!(
            key.open("sources", &sealed).is_err(),
            "sealed for this row only"
        );
        // Saving again replaces the one row.
        save(
            &c,
            &MailRow {
                password: None,
                username: None,
                ..row.clone()
            },
        )
        .unwrap();
        assert_eq!(get(&c).unwrap().unwrap().password, None);
        save(&c, &row).unwrap();
        drop(c);
        let bytes = std::fs::read(&path).unwrap();
        let wal = std::fs::read(dir.path().join("mail.db-wal")).unwrap_or_default();
        for file in [&bytes, &wal] {
            assert!(
                !file
                    .windows(password.len())
                    .any(|w| w == password.as_bytes()),
                "the password is not in the database file in plain text"
            );
        }
        assert!(
            bytes.windows(16).any(|w| w == b"smtp.example.org"),
            "the test reads the right file"
        );
        let c = Connection::open(&path).unwrap();
        assert!(clear(&c).unwrap());
        assert!(!clear(&c).unwrap());
        assert_eq!(get(&c).unwrap(), None);
        let bad = MailRow {
            tls: "ssl".into(),
            ..row
        };
        assert!(save(&c, &bad).is_err(), "the table names its modes");
    }
}

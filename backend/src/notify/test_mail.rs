//! "Send a test mail" (the dashboard's Mail section): one mail to the owner, sent at once
//! through the configured SMTP server, not through the outbox, so the owner learns right away
//! whether the settings work and, when not, the server's own words.

use chrono::{DateTime, Utc};

use crate::config::Config;

use super::message::Composed;
use super::smtp::{MailError, Mailer, Outgoing};

/// Why no test mail was sent.
#[derive(Debug, thiserror::Error)]
pub enum TestMailError {
    #[error("no [mail] is configured, so OpenSlot sends no mail")]
    NotConfigured,
    /// The settings or the server refused it; retrying as is will not help.
    #[error("the mail was refused: {0}")]
    Refused(String),
    /// The server could not be reached, or said "later".
    #[error("the mail server could not take it now: {0}")]
    Unreachable(String),
}

/// The test mail's words: what it is and when it was sent (in the owner's zone).
pub fn compose(config: &Config, now: DateTime<Utc>) -> Composed {
    let when = now
        .with_timezone(&config.owner.timezone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string();
    let text = format!(
        "This is a test mail from OpenSlot, sent from the dashboard at {when}.\n\n\
         Mail works: booking mails to visitors and to you go out through this server.\n"
    );
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>This is a test mail \
         from OpenSlot, sent from the dashboard at {}.</p><p>Mail works: booking mails to \
         visitors and to you go out through this server.</p></body></html>\n",
        super::message::escape_html(&when)
    );
    Composed {
        subject: "OpenSlot test mail".to_owned(),
        text,
        html,
    }
}

/// Sends the test mail to `[owner] email`; the server's reply code when it took it.
pub async fn send(config: &Config, now: DateTime<Utc>) -> Result<u16, TestMailError> {
    let mail = config.mail.as_ref().ok_or(TestMailError::NotConfigured)?;
    let outgoing = Outgoing {
        to_name: config.owner.shown_name().to_owned(),
        to_email: config.owner.email.clone(),
        composed: compose(config, now),
        calendar: None,
    };
    let sent = match Mailer::new(mail) {
        Ok(mailer) => mailer.send(&outgoing).await,
        Err(e) => Err(e),
    };
    sent.map_err(|e| match e {
        MailError::Permanent(text, _) => TestMailError::Refused(text),
        MailError::Transient(text, _) => TestMailError::Unreachable(text),
    })
}

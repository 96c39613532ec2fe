//! Sends a composed mail over SMTP with lettre (rustls with ring; STARTTLS, implicit TLS or,
//! for a loopback relay only, none: the configuration reader refuses `none` elsewhere).
//!
//! Invariant: headers are only ever made by lettre's builder from parsed addresses and a
//! one-line subject, so no visitor text can add a header or a recipient; a subject never
//! reaches the reader as an RFC 2047 encoded word it did not mean (`subject_header`).

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::calendar::ItipMethod;
use crate::config::{MailConfig, MailTls};

use super::itip::method_name;
use super::message::{Composed, one_line};

/// One SMTP conversation may take this long.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Retrying will not help (a bad address, a 5xx answer).
    #[error("{0}")]
    Permanent(String, Option<u16>),
    /// The server is down, slow or said "later" (4xx).
    #[error("{0}")]
    Transient(String, Option<u16>),
}

impl MailError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Permanent(_, s) | Self::Transient(_, s) => *s,
        }
    }
}

/// A mail ready to send: to whom, the words, the calendar part.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to_name: String,
    pub to_email: String,
    pub composed: Composed,
    pub calendar: Option<(ItipMethod, String)>,
}

/// The SMTP connection settings, checked once.
#[derive(Clone, Debug)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| MailError::Permanent(format!("mail.from: {e}"), None))?;
        let tls = match config.tls {
            MailTls::None => Tls::None,
            mode => {
                let tls_error = |e: String| MailError::Permanent(format!("TLS: {e}"), None);
                let mut params = TlsParameters::builder(config.smtp_host.clone());
                if let Some(path) = &config.tls_ca_file {
                    let pem = std::fs::read(path)
                        .map_err(|e| tls_error(format!("cannot read {}: {e}", path.display())))?;
                    let ca = Certificate::from_pem(&pem).map_err(|e| tls_error(e.to_string()))?;
                    params = params.add_root_certificate(ca);
                }
                let params = params.build().map_err(|e| tls_error(e.to_string()))?;
                if mode == MailTls::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.smtp_host.as_str())
                .port(config.smtp_port)
                .tls(tls)
                .timeout(Some(TIMEOUT));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one mail; `Ok` once the server accepted it. Returns the server's reply code.
    pub async fn send(&self, mail: &Outgoing) -> Result<u16, MailError> {
        let message = build(&self.from, mail)?;
        match self.transport.send(message).await {
            Ok(response) => Ok(u16::from(response.code())),
            Err(e) => {
                let status = e.status().map(u16::from);
                let text = e.to_string();
                if e.is_permanent() {
                    Err(MailError::Permanent(text, status))
                } else {
                    Err(MailError::Transient(text, status))
                }
            }
        }
    }
}

/// The MIME message: text, HTML and (for invitations) the text/calendar part as alternatives
/// (RFC 6047), plus the same calendar as an `invite.ics` attachment for clients that ignore
/// the inline part.
pub fn build(from: &Mailbox, mail: &Outgoing) -> Result<Message, MailError> {
    let address: Address = mail.to_email.trim().parse().map_err(|e| {
        MailError::Permanent(format!("the recipient's address is not valid: {e}"), None)
    })?;
    let to = Mailbox::new(Some(one_line(&mail.to_name)), address);
    let mut alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(mail.composed.text.clone()))
        .singlepart(SinglePart::html(mail.composed.html.clone()));
    let mut attachment = None;
    if let Some((method, ics)) = &mail.calendar {
        let inline = ContentType::parse(&format!(
            "text/calendar; charset=utf-8; method={}",
            method_name(*method)
        ))
        .map_err(|e| MailError::Permanent(format!("content type: {e}"), None))?;
        alternative =
            alternative.singlepart(SinglePart::builder().header(inline).body(ics.clone()));
        let file = ContentType::parse("application/ics")
            .map_err(|e| MailError::Permanent(format!("content type: {e}"), None))?;
        attachment = Some(Attachment::new("invite.ics".to_owned()).body(ics.clone(), file));
    }
    let subject = one_line(&mail.composed.subject);
    let builder = Message::builder().from(from.clone()).to(to);
    let builder = match subject_header(&subject) {
        Some(header) => builder.raw_header(header),
        None => builder.subject(subject),
    };
    let built = match attachment {
        Some(a) => builder.multipart(MultiPart::mixed().multipart(alternative).singlepart(a)),
        None => builder.multipart(alternative),
    };
    built.map_err(|e| MailError::Permanent(format!("cannot build the mail: {e}"), None))
}

/// The Subject header when lettre's own would be unsafe: lettre writes ASCII words as they
/// are, so a word such as `=?utf-8?q?=E2=80=AE?=` would be decoded by the reader's mail program
/// into a character the subject never held (a direction override, a line break). A subject
/// with `=?` in it is sent as encoded words of its own (UTF-8, base64), which are decoded once,
/// back to the text as it is. None: lettre's encoding is safe.
fn subject_header(subject: &str) -> Option<HeaderValue> {
    use base64::Engine;
    if !subject.contains("=?") {
        return None;
    }
    // 39 bytes are 52 base64 characters: each encoded word with "Subject: " stays within 78.
    const CHUNK: usize = 39;
    let mut words = Vec::new();
    let mut rest = subject;
    while !rest.is_empty() {
        let mut end = rest.len().min(CHUNK);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (chunk, tail) = rest.split_at(end);
        words.push(format!(
            "=?utf-8?b?{}?=",
            base64::engine::general_purpose::STANDARD.encode(chunk)
        ));
        rest = tail;
    }
    Some(HeaderValue::dangerous_new_pre_encoded(
        HeaderName::new_from_ascii_str("Subject"),
        subject.to_owned(),
        words.join("\r\n "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Subject header as sent, unfolded.
    fn sent_subject(subject: &str) -> String {
        let mail = Outgoing {
            to_email: "ann@example.org".to_owned(),
            to_name: "Ann".to_owned(),
            composed: Composed {
                subject: subject.to_owned(),
                text: "text".to_owned(),
                html: "<p>html</p>".to_owned(),
            },
            calendar: None,
        };
        let from: Mailbox = "OpenSlot <book@example.org>".parse().unwrap();
        let raw = String::from_utf8(build(&from, &mail).unwrap().formatted()).unwrap();
        let head = raw.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
        head.lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap()
            .to_owned()
    }

    /// RFC 2047 B words decoded (what a mail program shows); other words as they are. The
    /// space between two encoded words is not part of the text.
    fn decoded(header: &str) -> String {
        use base64::Engine;
        let mut out = Vec::new();
        let mut previous_encoded = false;
        for (i, word) in header.split(' ').enumerate() {
            let b64 = word
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="));
            if i > 0 && !(previous_encoded && b64.is_some()) {
                out.push(b' ');
            }
            match b64 {
                Some(b64) => out.extend(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap(),
                ),
                None => out.extend(word.as_bytes()),
            }
            previous_encoded = b64.is_some();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_encoded_word_in_a_subject_reaches_the_reader_as_text() {
        for subject in [
            "New booking: Call with Ann =?utf-8?q?=E2=80=AEfdp.exe?=",
            "=?UTF-8?B?QW5uDQpCY2M6IHhAeS56?=",
            &format!("Call with {} =?x?=", "é".repeat(60)),
        ] {
            let sent = sent_subject(subject);
            assert!(
                !sent.contains("=?utf-8?q?") && !sent.contains("=?UTF-8?B?"),
                "{sent}"
            );
            assert!(
                sent.split(' ').all(|w| w.starts_with("=?utf-8?b?")),
                "{sent}"
            );
            assert_eq!(decoded(&sent), subject);
        }
    }

    #[test]
    fn other_subjects_are_lettres() {
        assert_eq!(
            sent_subject("New booking: Call with Ann"),
            "New booking: Call with Ann"
        );
        assert_eq!(decoded(&sent_subject("Call with Zoë")), "Call with Zoë");
    }
}

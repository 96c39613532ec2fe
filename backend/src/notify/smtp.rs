//! Sends a composed mail over SMTP with lettre (rustls with ring; STARTTLS, implicit TLS or,
//! for a loopback relay only, none: the configuration reader refuses `none` elsewhere).
//!
//! Invariant: headers are only ever made by lettre's builder from parsed addresses and a
//! one-line subject, so no visitor text can add a header or a recipient.

use std::time::Duration;

use lettre::message::header::ContentType;
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
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(one_line(&mail.composed.subject));
    let built = match attachment {
        Some(a) => builder.multipart(MultiPart::mixed().multipart(alternative).singlepart(a)),
        None => builder.multipart(alternative),
    };
    built.map_err(|e| MailError::Permanent(format!("cannot build the mail: {e}"), None))
}

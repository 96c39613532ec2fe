//! Where notices go and who may sign in: `[mail]`, `[[webhooks]]`, and the OAuth clients
//! `[google]` / `[microsoft]`.

use std::collections::HashSet;

use toml::Table;

use crate::config::schema;
use crate::config::{
    DEFAULT_WEBHOOK_EVENTS, MailConfig, MailTls, OAuthClientConfig, Secret, SourceKind,
    WEBHOOK_EVENTS, WebhookConfig,
};

use super::{ID_RULE, Reader, check_url, has_key, is_id, join};

impl Reader<'_> {
    /// `[google]` / `[microsoft]`: the OAuth client of accounts connected in the dashboard.
    pub(super) fn oauth_client(&mut self, root: &Table, p: &str) -> Option<OAuthClientConfig> {
        let t = Some(self.section(root, p, schema::OAUTH_CLIENT)?);
        let client_id = self.required_str(t, p, "client_id");
        let client_secret = self.secret(t, p, "client_secret");
        if p == "google" && client_secret.is_none() && !has_key(t, "client_secret") {
            self.problem(
                join(p, "client_secret"),
                "is required for Google (or set `client_secret_file`)",
            );
        }
        let mut url_key = |key: &str| {
            let u = self.str(t, p, key)?;
            if let Err(message) = check_url(&u, SourceKind::Google) {
                self.problem(join(p, key), message);
            }
            Some(u)
        };
        let url = url_key("url");
        let oauth_url = url_key("oauth_url");
        Some(OAuthClientConfig {
            client_id,
            client_secret,
            tenant: self.str(t, p, "tenant"),
            url,
            oauth_url,
        })
    }

    pub(in crate::config) fn mail(&mut self, root: &Table) -> Option<MailConfig> {
        let p = "mail";
        let t = Some(self.section(root, p, schema::MAIL)?);
        let smtp_host = self.required_str(t, p, "smtp_host");
        if !smtp_host.trim().is_empty() && !is_host_name(&smtp_host) {
            self.problem(
                join(p, "smtp_host"),
                format!("`{smtp_host}` is not a host name or IP address (e.g. smtp.example.org)"),
            );
        }
        let tls_text = self
            .str(t, p, "tls")
            .unwrap_or_else(|| "starttls".to_owned());
        let tls = MailTls::parse(&tls_text).unwrap_or_else(|| {
            self.problem(
                join(p, "tls"),
                format!("`{tls_text}` is not a mode: use \"starttls\", \"tls\" or \"none\""),
            );
            MailTls::Starttls
        });
        let loopback = matches!(smtp_host.as_str(), "localhost" | "::1")
            || smtp_host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if tls == MailTls::None && !smtp_host.is_empty() && !loopback {
            self.problem(
                join(p, "tls"),
                "\"none\" sends passwords and visitors' details in the clear: it is only \
                 allowed for an SMTP server on a loopback address (such as 127.0.0.1)",
            );
        }
        let smtp_port = self
            .int(t, p, "smtp_port", 1, u32::from(u16::MAX))
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or_else(|| tls.default_port());
        let username = self.str(t, p, "username");
        let password = self.secret(t, p, "password");
        if username.is_some() && password.is_none() && !has_key(t, "password") {
            self.problem(
                join(p, "password"),
                "is required with `username` (or set `password_file`)",
            );
        }
        let from = self.required_str(t, p, "from");
        if !from.is_empty() && from.parse::<lettre::message::Mailbox>().is_err() {
            self.problem(
                join(p, "from"),
                format!(
                    "`{from}` is not a sender (expected \"addr@example.org\" or \"Name <addr@example.org>\")"
                ),
            );
        }
        let mut reminder_hours = Vec::new();
        for (i, item) in self
            .array(t, p, "reminder_hours")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match item.as_integer().and_then(|n| u32::try_from(n).ok()) {
                Some(n) if (1..=720).contains(&n) => reminder_hours.push(n),
                _ => self.problem(
                    format!("{p}.reminder_hours[{i}]"),
                    "must be a whole number of hours between 1 and 720",
                ),
            }
        }
        reminder_hours.sort_unstable();
        reminder_hours.dedup();
        let tls_ca_file = self.str(t, p, "tls_ca_file").map(|f| self.base_dir.join(f));
        if let Some(path) = &tls_ca_file {
            match std::fs::read(path) {
                Ok(pem) if lettre::transport::smtp::client::Certificate::from_pem(&pem).is_ok() => {
                    if tls == MailTls::None {
                        self.problem(join(p, "tls_ca_file"), "means nothing with tls = \"none\"");
                    }
                }
                Ok(_) => self.problem(
                    join(p, "tls_ca_file"),
                    format!("{} is not a PEM certificate", path.display()),
                ),
                Err(e) => self.problem(
                    join(p, "tls_ca_file"),
                    format!("cannot read {}: {e}", path.display()),
                ),
            }
        }
        Some(MailConfig {
            tls_ca_file,
            smtp_host,
            smtp_port,
            tls,
            username,
            password,
            from,
            owner_copy: self.bool(t, p, "owner_copy", true),
            reminder_hours,
            max_per_address_per_day: self
                .int(t, p, "max_per_address_per_day", 1, 1000)
                .unwrap_or(5),
            max_per_day: self.int(t, p, "max_per_day", 1, 100_000).unwrap_or(200),
        })
    }

    pub(super) fn webhooks(&mut self, root: &Table) -> Vec<WebhookConfig> {
        let Some(items) = self.array(Some(root), "", "webhooks") else {
            return Vec::new();
        };
        let mut hooks = Vec::new();
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("webhooks[{i}]");
            let Some(table) = self.table(&p, item, schema::WEBHOOK) else {
                continue;
            };
            let t = Some(table);
            let id = self.required_str(t, &p, "id");
            if !id.is_empty() && !is_id(&id) {
                self.problem(
                    join(&p, "id"),
                    format!("`{id}` is not a valid id: {ID_RULE}"),
                );
            } else if is_id(&id) && !seen.insert(id.clone()) {
                self.problem(join(&p, "id"), format!("`{id}` is used by another webhook"));
            }
            let url = self.required_str(t, &p, "url");
            if !url.is_empty()
                && let Err(message) = check_url(&url, SourceKind::Caldav)
            {
                self.problem(join(&p, "url"), message);
            }
            let secret = self.secret(t, &p, "secret");
            if secret.as_ref().is_some_and(|s| s.expose().is_empty())
                && t.is_some_and(|t| t.contains_key("secret"))
            {
                self.problem(join(&p, "secret"), "must not be empty");
            }
            if secret.is_none() && !has_key(t, "secret") {
                self.problem(
                    join(&p, "secret"),
                    "is required (or set `secret_file`): it signs every request",
                );
            }
            let events = match self.array(t, &p, "events") {
                None => DEFAULT_WEBHOOK_EVENTS
                    .iter()
                    .map(|e| (*e).to_owned())
                    .collect(),
                Some(list) => {
                    let mut events = Vec::new();
                    for (j, e) in list.iter().enumerate() {
                        match e.as_str() {
                            Some(name) if WEBHOOK_EVENTS.contains(&name) => {
                                events.push(name.to_owned());
                            }
                            _ => self.problem(
                                format!("{p}.events[{j}]"),
                                format!("is not an event: use {}", WEBHOOK_EVENTS.join(", ")),
                            ),
                        }
                    }
                    events
                }
            };
            hooks.push(WebhookConfig {
                id,
                url,
                secret: secret.unwrap_or_else(|| Secret::new(String::new())),
                events,
            });
        }
        hooks
    }
}

/// Whether `host` names a server: an IP address, or a DNS name of letters, digits, `-` and `_`
/// in dot-separated labels (a trailing dot allowed), with no scheme, port, space or user.
fn is_host_name(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

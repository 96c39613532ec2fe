//! The single sections: the whole file's shape (`config`), `[owner]`, `[server]`,
//! `[security]`, `[admin]`, `[page]`, `[alerts]`.

use chrono_tz::Tz;
use toml::{Table, Value};

use crate::config::schema::{self, Ty};
use crate::config::{
    AdminConfig, AlertsConfig, Config, OwnerConfig, PageConfig, SecurityConfig, SecuritySetInFile,
    ServerConfig, defaults,
};

use super::{MINUTES_PER_DAY, Reader, is_argon2_phc, is_color, is_email, join};

impl Reader<'_> {
    pub(in crate::config) fn config(&mut self, root: &Table) -> Config {
        self.unknown_keys(
            "",
            root,
            &schema::SECTIONS
                .iter()
                .map(|s| (s.name, Ty::Map))
                .collect::<Vec<_>>(),
        );
        let config = Config {
            owner: self.owner(root),
            server: self.server(root),
            security: self.security(root),
            admin: self.admin(root),
            page: self.page(root),
            sources: self.sources(root),
            availability: self.availability(root),
            event_types: self.event_types(root),
            mail: self.mail(root),
            webhooks: self.webhooks(root),
            alerts: self.alerts(root),
            google: self.oauth_client(root, "google"),
            microsoft: self.oauth_client(root, "microsoft"),
        };
        if config.mail.is_none() {
            for (i, e) in config.event_types.iter().enumerate() {
                if e.confirm == crate::config::Confirm::Email {
                    self.problem(
                        format!("event_types[{i}].confirm"),
                        "\"email\" needs a [mail] section to send the confirmation link",
                    );
                }
            }
        }
        config
    }

    pub(super) fn alerts(&mut self, root: &Table) -> AlertsConfig {
        let p = "alerts";
        let t = self.section(root, p, schema::ALERTS);
        let key = "calendar_failing_minutes";
        let minutes = match t.and_then(|t| t.get(key)) {
            None => defaults::CALENDAR_FAILING_MINUTES,
            Some(Value::Integer(n)) => match u32::try_from(*n) {
                Ok(n) if n <= AlertsConfig::MAX_MINUTES => n,
                _ => {
                    self.problem(
                        join(p, key),
                        format!(
                            "must be 0 (no alerts) or a number of minutes up to {} (30 days), \
                             found {n}",
                            AlertsConfig::MAX_MINUTES
                        ),
                    );
                    defaults::CALENDAR_FAILING_MINUTES
                }
            },
            Some(other) => {
                self.wrong_type(
                    join(p, key),
                    "a whole number of minutes (0: no alerts)",
                    other,
                );
                defaults::CALENDAR_FAILING_MINUTES
            }
        };
        AlertsConfig {
            calendar_failing_minutes: minutes,
        }
    }

    pub(super) fn owner(&mut self, root: &Table) -> OwnerConfig {
        let p = "owner";
        let t = self.section(root, p, schema::OWNER);
        let name = self.required_str(t, p, "name");
        let display_name = self.str(t, p, "display_name");
        let email = self.required_str(t, p, "email");
        if !email.is_empty() && !is_email(&email) {
            self.problem("owner.email", format!("`{email}` is not an email address"));
        }
        let other_emails = self.other_emails(t, p);
        // Optional: left out, the dashboard may set it (UTC until then).
        let zone = self.str(t, p, "timezone");
        if zone.as_deref() == Some("") {
            self.problem("owner.timezone", "must not be empty");
        }
        let timezone_from_file = zone.as_deref().is_some_and(|z| !z.is_empty());
        let zone = zone.unwrap_or_default();
        let timezone = if zone.is_empty() {
            Tz::UTC
        } else {
            zone.parse::<Tz>().unwrap_or_else(|_| {
                self.problem(
                    "owner.timezone",
                    format!("`{zone}` is not an IANA time zone (such as \"Europe/Berlin\")"),
                );
                Tz::UTC
            })
        };
        OwnerConfig {
            name,
            display_name,
            email,
            other_emails,
            timezone,
            timezone_from_file,
        }
    }

    /// `owner.other_emails`: more addresses of the owner (`mailto:` allowed), for declined
    /// invitations; every entry checked.
    pub(super) fn other_emails(&mut self, t: Option<&Table>, p: &str) -> Vec<String> {
        let Some(items) = self.array(t, p, "other_emails") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("{}[{i}]", join(p, "other_emails"));
            let Some(text) = item.as_str() else {
                self.wrong_type(key, "a string (an email address)", item);
                continue;
            };
            let bare = crate::calendar::normalize_address(text);
            if is_email(&bare) {
                out.push(text.trim().to_owned());
            } else {
                self.problem(
                    key,
                    format!("`{text}` is not an email address (such as \"ada@example.org\")"),
                );
            }
        }
        out
    }

    pub(super) fn server(&mut self, root: &Table) -> ServerConfig {
        let p = "server";
        let t = self.section(root, p, schema::SERVER);
        let before = self.problems.len();
        let listen = self.addr(t, p, "listen").unwrap_or(defaults::LISTEN);
        let admin_listen = self
            .addr(t, p, "admin_listen")
            .unwrap_or(defaults::ADMIN_LISTEN);
        if listen == admin_listen && listen.port() != 0 && self.problems.len() == before {
            self.problem("server.admin_listen", "must differ from `server.listen`");
        }
        let data_dir = self
            .str(t, p, "data_dir")
            .unwrap_or_else(|| defaults::DATA_DIR.to_owned());
        let public_url = self
            .str(t, p, "public_url")
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(u) = &public_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            self.problem("server.public_url", "must start with https:// or http://");
        }
        if data_dir.is_empty() {
            self.problem("server.data_dir", "must not be empty");
        }
        let admin_url = self
            .str(t, p, "admin_url")
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(u) = &admin_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            self.problem("server.admin_url", "must start with https:// or http://");
        }
        ServerConfig {
            listen,
            admin_listen,
            data_dir: self.base_dir.join(&data_dir),
            refresh_budget_ms: self
                .int(t, p, "refresh_budget_ms", 0, 60_000)
                .unwrap_or(defaults::REFRESH_BUDGET_MS),
            public_url: public_url.unwrap_or_else(|| format!("http://{listen}")),
            admin_url,
            static_dir: self.str(t, p, "static_dir").map(|d| self.base_dir.join(d)),
            secrets_key_file: match self.str(t, p, "secrets_key_file") {
                Some(f) => self.base_dir.join(f),
                None => self
                    .base_dir
                    .join(&data_dir)
                    .join(defaults::SECRETS_KEY_FILE),
            },
        }
    }

    pub(super) fn security(&mut self, root: &Table) -> SecurityConfig {
        let p = "security";
        let t = self.section(root, p, schema::SECURITY);
        // Environment overrides are in the table already: they count as the file's.
        let set = |key: &str| t.is_some_and(|t| t.contains_key(key));
        SecurityConfig {
            captcha: self.bool(t, p, "captcha", defaults::CAPTCHA),
            rate_limit_per_minute: self
                .int(
                    t,
                    p,
                    "rate_limit_per_minute",
                    0,
                    SecurityConfig::MAX_PER_MINUTE,
                )
                .unwrap_or(defaults::RATE_LIMIT_PER_MINUTE),
            api_key_rate_per_minute: self
                .int(
                    t,
                    p,
                    "api_key_rate_per_minute",
                    0,
                    SecurityConfig::MAX_PER_MINUTE,
                )
                .unwrap_or(defaults::API_KEY_RATE_PER_MINUTE),
            trusted_proxies: self.addresses(t, p, "trusted_proxies"),
            cors_origins: self.words(t, p, "cors_origins", web_origin),
            webhook_private_targets: self.bool(t, p, "webhook_private_targets", false),
            set_in_file: SecuritySetInFile {
                captcha: set("captcha"),
                rate_limit_per_minute: set("rate_limit_per_minute"),
                api_key_rate_per_minute: set("api_key_rate_per_minute"),
            },
        }
    }

    pub(super) fn admin(&mut self, root: &Table) -> AdminConfig {
        let p = "admin";
        let t = self.section(root, p, schema::ADMIN);
        let password_hash = self.secret(t, p, "password_hash");
        if let Some(hash) = &password_hash
            && !hash.expose().is_empty()
            && !is_argon2_phc(hash.expose())
        {
            let key = if t.is_some_and(|t| t.contains_key("password_hash")) {
                "password_hash"
            } else {
                "password_hash_file"
            };
            self.problem(
                join(p, key),
                "is not an argon2 hash (a PHC string `$argon2id$v=19$...`; make one with \
                 `openslot hash-password`)",
            );
        }
        AdminConfig {
            password_hash,
            session_minutes: self
                .int(t, p, "session_minutes", 5, MINUTES_PER_DAY)
                .unwrap_or(defaults::SESSION_MINUTES),
            allowed_hosts: self.words(t, p, "allowed_hosts", host_name),
        }
    }

    /// A list of strings, each checked (and normalized) by `check`.
    fn words(
        &mut self,
        t: Option<&Table>,
        p: &str,
        key: &str,
        check: fn(&str) -> Result<String, &'static str>,
    ) -> Vec<String> {
        let Some(items) = self.array(t, p, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", join(p, key));
            match item.as_str().map(check) {
                None => self.wrong_type(path, "a string", item),
                Some(Err(why)) => self.problem(path, why),
                Some(Ok(word)) => out.push(word),
            }
        }
        out
    }

    pub(super) fn page(&mut self, root: &Table) -> PageConfig {
        let p = "page";
        let t = self.section(root, p, schema::PAGE);
        let intro = self.str(t, p, "intro").map(|i| i.trim().to_owned());
        if let Some(i) = &intro
            && i.chars().count() > PageConfig::MAX_INTRO_CHARS
        {
            self.problem(
                join(p, "intro"),
                format!("is longer than {} characters", PageConfig::MAX_INTRO_CHARS),
            );
        }
        let accent_color = self.str(t, p, "accent_color");
        if let Some(c) = &accent_color
            && !is_color(c)
        {
            self.problem(
                join(p, "accent_color"),
                format!("`{c}` is not a color (expected \"#rrggbb\")"),
            );
        }
        let page = PageConfig {
            intro: intro.filter(|i| !i.is_empty()),
            accent_color,
            logo_file: self.str(t, p, "logo_file").map(|f| self.base_dir.join(f)),
            embed_origins: self.words(t, p, "embed_origins", web_origin),
        };
        if let Some(path) = &page.logo_file {
            if page.logo_media_type().is_none() {
                self.problem(
                    join(p, "logo_file"),
                    "must be a .png, .jpg, .jpeg, .svg or .webp file",
                );
            } else {
                match std::fs::metadata(path) {
                    Ok(m) if m.len() > PageConfig::MAX_LOGO_BYTES => self.problem(
                        join(p, "logo_file"),
                        format!("is larger than {} KB", PageConfig::MAX_LOGO_BYTES / 1024),
                    ),
                    Ok(_) => {}
                    Err(e) => self.problem(
                        join(p, "logo_file"),
                        format!("cannot be read ({}): {e}", path.display()),
                    ),
                }
            }
        }
        page
    }

    /// A list of IP addresses; each wrong one is reported.
    pub(super) fn addresses(
        &mut self,
        t: Option<&Table>,
        path: &str,
        key: &str,
    ) -> Vec<std::net::IpAddr> {
        let Some(items) = self.array(t, path, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str().map(str::parse::<std::net::IpAddr>) {
                Some(Ok(ip)) => out.push(ip),
                _ => self.problem(
                    format!("{}[{i}]", join(path, key)),
                    "is not an IP address (e.g. \"127.0.0.1\")",
                ),
            }
        }
        out
    }
}

/// An origin as browsers send it: `https://host[:port]`, no path, lower case, no default port
/// (`[security] cors_origins`, `[page] embed_origins`).
fn web_origin(text: &str) -> Result<String, &'static str> {
    let why = "must be an origin such as `https://example.org` (scheme, host, port; no path)";
    let url = reqwest::Url::parse(text.trim()).map_err(|_| why)?;
    let plain = matches!(url.path(), "" | "/") && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https")
        || !plain
        || !url.username().is_empty()
        || url.password().is_some()
        || url.host_str().is_none()
        || text.contains('*')
    {
        return Err(why);
    }
    Ok(url.origin().ascii_serialization())
}

/// A host name without port, lower case.
fn host_name(text: &str) -> Result<String, &'static str> {
    let name = text.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 253
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if ok {
        Ok(name)
    } else {
        Err("must be a host name without port, such as `openslot.lan`")
    }
}

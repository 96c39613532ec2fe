//! `[[sources]]`: each calendar entry, its kind, role, secrets and limits; ids unique.

use std::collections::HashSet;

use toml::Table;

use crate::config::schema;
use crate::config::{SourceConfig, SourceKind, SourceRole, defaults};

use super::{ID_RULE, MINUTES_PER_DAY, Reader, check_url, has_key, is_color, is_id, join};

impl Reader<'_> {
    pub(super) fn sources(&mut self, root: &Table) -> Vec<SourceConfig> {
        let Some(items) = self.array(Some(root), "", "sources") else {
            return Vec::new();
        };
        let mut sources = Vec::new();
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("sources[{i}]");
            let Some(t) = self.table(&p, item, schema::SOURCE) else {
                continue;
            };
            let source = self.source(&p, t);
            if is_id(&source.id) && !seen.insert(source.id.clone()) {
                self.problem(
                    join(&p, "id"),
                    format!("`{}` is used by another source", source.id),
                );
            }
            sources.push(source);
        }
        sources
    }

    pub(in crate::config) fn source(&mut self, p: &str, t: &Table) -> SourceConfig {
        let t = Some(t);
        let id = self.required_str(t, p, "id");
        if !id.is_empty() && !is_id(&id) {
            self.problem(
                join(p, "id"),
                format!("`{id}` is not a valid id: {ID_RULE}"),
            );
        }
        let kind_text = self.required_str(t, p, "kind");
        let kind = SourceKind::parse(&kind_text);
        if kind.is_none() && !kind_text.is_empty() {
            self.problem(
                join(p, "kind"),
                format!("`{kind_text}` is not a kind: use \"ics\", \"caldav\", \"google\" or \"microsoft\""),
            );
        }
        let kind = kind.unwrap_or(SourceKind::Ics);
        let remote_api = matches!(kind, SourceKind::Google | SourceKind::Microsoft);
        let url = if remote_api {
            self.str(t, p, "url").unwrap_or_default()
        } else {
            self.required_str(t, p, "url")
        };
        let mut file_path = None;
        if !url.is_empty() {
            match check_url(&url, kind) {
                Err(message) => self.problem(join(p, "url"), message),
                Ok(Some(path)) => file_path = Some(self.base_dir.join(path)),
                Ok(None) => {}
            }
        }
        let oauth_url = self.str(t, p, "oauth_url");
        if let Some(u) = &oauth_url
            && let Err(message) = check_url(u, SourceKind::Google)
        {
            self.problem(join(p, "oauth_url"), message);
        }
        let color = self.str(t, p, "color");
        if let Some(c) = &color
            && !is_color(c)
        {
            self.problem(
                join(p, "color"),
                format!("`{c}` is not a color (expected \"#rrggbb\")"),
            );
        }
        let username = self.str(t, p, "username");
        let password = self.secret(t, p, "password");
        let token = self.secret(t, p, "token");
        if kind == SourceKind::Caldav
            && username.is_some()
            && password.is_none()
            && !has_key(t, "password")
        {
            self.problem(
                join(p, "password"),
                "is required with `username` (or set `password_file`)",
            );
        }
        let client_id = self.str(t, p, "client_id");
        if remote_api && client_id.is_none() {
            self.problem(
                join(p, "client_id"),
                format!(
                    "is required for kind \"{}\" (the OAuth client of your app registration)",
                    kind.as_str()
                ),
            );
        }
        let client_secret = self.secret(t, p, "client_secret");
        if kind == SourceKind::Google && client_secret.is_none() && !has_key(t, "client_secret") {
            self.problem(
                join(p, "client_secret"),
                "is required for kind \"google\" (or set `client_secret_file`)",
            );
        }
        let role_text = self.str(t, p, "role");
        let role = match role_text.as_deref() {
            None => SourceRole::Busy,
            Some(text) => SourceRole::parse(text).unwrap_or_else(|| {
                self.problem(
                    join(p, "role"),
                    format!(
                        "`{text}` is not a role: use \"busy\" (the default) or \"availability\""
                    ),
                );
                SourceRole::Busy
            }),
        };
        let match_title = self.str(t, p, "match");
        if let Some(m) = &match_title {
            if m.trim().is_empty() {
                self.problem(
                    join(p, "match"),
                    "is empty: leave it out to take every event of the source",
                );
            } else if role_text.as_deref().is_none_or(|r| r == "busy") {
                self.problem(
                    join(p, "match"),
                    "only applies with `role = \"availability\"`",
                );
            }
        }
        let write = self.bool(t, p, "write", false);
        if write && kind == SourceKind::Ics {
            self.problem(join(p, "write"), "an \"ics\" source is read-only");
        }
        SourceConfig {
            name: self.str(t, p, "name"),
            color,
            username,
            password,
            token,
            write,
            tentative_busy: self.bool(t, p, "tentative_busy", defaults::TENTATIVE_BUSY),
            all_day_busy: self.bool(t, p, "all_day_busy", defaults::ALL_DAY_BUSY),
            transparent_busy: self.bool(t, p, "transparent_busy", defaults::TRANSPARENT_BUSY),
            sync_interval_minutes: self
                .int(t, p, "sync_interval_minutes", 1, MINUTES_PER_DAY)
                .unwrap_or(defaults::SYNC_INTERVAL_MINUTES),
            max_age_minutes: self
                .int(t, p, "max_age_minutes", 1, 7 * MINUTES_PER_DAY)
                .unwrap_or(defaults::MAX_AGE_MINUTES),
            fail_open: self.bool(t, p, "fail_open", defaults::FAIL_OPEN),
            role,
            match_title,
            calendar: self.str(t, p, "calendar"),
            client_id,
            client_secret,
            tenant: self.str(t, p, "tenant"),
            oauth_url,
            timeout_seconds: self
                .int(t, p, "timeout_seconds", 1, 300)
                .unwrap_or(defaults::TIMEOUT_SECONDS),
            max_size_mb: self
                .int(t, p, "max_size_mb", 1, 1024)
                .unwrap_or(defaults::MAX_SIZE_MB),
            id,
            kind,
            url,
            file_path,
        }
    }
}

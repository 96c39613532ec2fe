//! The known keys, once: the reader reports every key not listed here, and the environment
//! overrides accept only variables that name one of them.

/// What a key holds. Only `Str` changes behaviour outside the reader: an `OPENSLOT_*` value for
/// a string key is taken verbatim, never parsed as TOML (a password `true` stays a string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    Str,
    Int,
    Bool,
    Array,
    /// A table with these keys.
    Table(&'static [Field]),
    /// A table whose keys are data (dates), set as a whole.
    Map,
}

pub(super) type Field = (&'static str, Ty);

/// A top-level section: a table, or an array of tables addressed by `id_key`.
#[derive(Debug)]
pub(super) struct Section {
    pub name: &'static str,
    pub id_key: Option<&'static str>,
    pub fields: &'static [Field],
}

pub(super) const OWNER: &[Field] = &[
    ("name", Ty::Str),
    ("display_name", Ty::Str),
    ("email", Ty::Str),
    ("other_emails", Ty::Array),
    ("timezone", Ty::Str),
];

pub(super) const SERVER: &[Field] = &[
    ("listen", Ty::Str),
    ("admin_listen", Ty::Str),
    ("data_dir", Ty::Str),
    ("refresh_budget_ms", Ty::Int),
    ("public_url", Ty::Str),
    ("static_dir", Ty::Str),
    ("secrets_key_file", Ty::Str),
    ("admin_url", Ty::Str),
];

/// `[google]` and `[microsoft]`: the OAuth client for accounts connected in the dashboard.
pub(super) const OAUTH_CLIENT: &[Field] = &[
    ("client_id", Ty::Str),
    ("client_secret", Ty::Str),
    ("client_secret_file", Ty::Str),
    ("tenant", Ty::Str),
    ("url", Ty::Str),
    ("oauth_url", Ty::Str),
];

pub(super) const SECURITY: &[Field] = &[
    ("captcha", Ty::Bool),
    ("rate_limit_per_minute", Ty::Int),
    ("api_key_rate_per_minute", Ty::Int),
    ("trusted_proxies", Ty::Array),
    ("cors_origins", Ty::Array),
    ("webhook_private_targets", Ty::Bool),
];

pub(super) const ADMIN: &[Field] = &[
    ("password_hash", Ty::Str),
    ("password_hash_file", Ty::Str),
    ("session_minutes", Ty::Int),
    ("allowed_hosts", Ty::Array),
];

pub(super) const PAGE: &[Field] = &[
    ("intro", Ty::Str),
    ("accent_color", Ty::Str),
    ("logo_file", Ty::Str),
    ("embed_origins", Ty::Array),
];

pub(super) const SOURCE: &[Field] = &[
    ("id", Ty::Str),
    ("kind", Ty::Str),
    ("url", Ty::Str),
    ("name", Ty::Str),
    ("color", Ty::Str),
    ("username", Ty::Str),
    ("password", Ty::Str),
    ("password_file", Ty::Str),
    ("token", Ty::Str),
    ("token_file", Ty::Str),
    ("calendar", Ty::Str),
    ("client_id", Ty::Str),
    ("client_secret", Ty::Str),
    ("client_secret_file", Ty::Str),
    ("tenant", Ty::Str),
    ("oauth_url", Ty::Str),
    ("timeout_seconds", Ty::Int),
    ("max_size_mb", Ty::Int),
    ("write", Ty::Bool),
    ("tentative_busy", Ty::Bool),
    ("all_day_busy", Ty::Bool),
    ("transparent_busy", Ty::Bool),
    ("sync_interval_minutes", Ty::Int),
    ("max_age_minutes", Ty::Int),
    ("fail_open", Ty::Bool),
    ("role", Ty::Str),
    ("match", Ty::Str),
];

pub(super) const WEEKDAYS: &[Field] = &[
    ("mon", Ty::Array),
    ("tue", Ty::Array),
    ("wed", Ty::Array),
    ("thu", Ty::Array),
    ("fri", Ty::Array),
    ("sat", Ty::Array),
    ("sun", Ty::Array),
];

pub(super) const AVAILABILITY: &[Field] = &[
    ("working_hours", Ty::Table(WEEKDAYS)),
    ("date_overrides", Ty::Map),
    ("blocks", Ty::Array),
    ("min_notice_minutes", Ty::Int),
    ("horizon_days", Ty::Int),
    ("buffer_before_minutes", Ty::Int),
    ("buffer_after_minutes", Ty::Int),
    ("max_bookings_per_day", Ty::Int),
];

pub(super) const BLOCK: &[Field] = &[("label", Ty::Str), ("days", Ty::Array), ("time", Ty::Str)];

pub(super) const EVENT_TYPE: &[Field] = &[
    ("slug", Ty::Str),
    ("title", Ty::Str),
    ("description", Ty::Str),
    ("duration_minutes", Ty::Int),
    ("step_minutes", Ty::Int),
    ("buffer_before_minutes", Ty::Int),
    ("buffer_after_minutes", Ty::Int),
    ("max_per_day", Ty::Int),
    ("repeat", Ty::Array),
    ("max_sessions", Ty::Int),
    ("location", Ty::Table(LOCATION)),
    ("questions", Ty::Array),
    ("confirm", Ty::Str),
    ("confirm_hold_minutes", Ty::Int),
    ("confirm_owner_hours", Ty::Int),
];

pub(super) const LOCATION: &[Field] = &[("kind", Ty::Str), ("value", Ty::Str)];

pub(super) const QUESTION: &[Field] = &[
    ("id", Ty::Str),
    ("label", Ty::Str),
    ("kind", Ty::Str),
    ("required", Ty::Bool),
    ("choices", Ty::Array),
];

pub(super) const MAIL: &[Field] = &[
    ("smtp_host", Ty::Str),
    ("smtp_port", Ty::Int),
    ("tls", Ty::Str),
    ("username", Ty::Str),
    ("password", Ty::Str),
    ("password_file", Ty::Str),
    ("from", Ty::Str),
    ("owner_copy", Ty::Bool),
    ("reminder_hours", Ty::Array),
    ("tls_ca_file", Ty::Str),
    ("max_per_address_per_day", Ty::Int),
    ("max_per_day", Ty::Int),
];

pub(super) const WEBHOOK: &[Field] = &[
    ("id", Ty::Str),
    ("url", Ty::Str),
    ("secret", Ty::Str),
    ("secret_file", Ty::Str),
    ("events", Ty::Array),
];

pub(super) const ALERTS: &[Field] = &[("calendar_failing_minutes", Ty::Int)];

pub(super) const SECTIONS: &[Section] = &[
    Section {
        name: "owner",
        id_key: None,
        fields: OWNER,
    },
    Section {
        name: "server",
        id_key: None,
        fields: SERVER,
    },
    Section {
        name: "security",
        id_key: None,
        fields: SECURITY,
    },
    Section {
        name: "admin",
        id_key: None,
        fields: ADMIN,
    },
    Section {
        name: "page",
        id_key: None,
        fields: PAGE,
    },
    Section {
        name: "sources",
        id_key: Some("id"),
        fields: SOURCE,
    },
    Section {
        name: "availability",
        id_key: None,
        fields: AVAILABILITY,
    },
    Section {
        name: "event_types",
        id_key: Some("slug"),
        fields: EVENT_TYPE,
    },
    Section {
        name: "mail",
        id_key: None,
        fields: MAIL,
    },
    Section {
        name: "google",
        id_key: None,
        fields: OAUTH_CLIENT,
    },
    Section {
        name: "microsoft",
        id_key: None,
        fields: OAUTH_CLIENT,
    },
    Section {
        name: "webhooks",
        id_key: Some("id"),
        fields: WEBHOOK,
    },
    Section {
        name: "alerts",
        id_key: None,
        fields: ALERTS,
    },
];

pub(super) fn field(fields: &[Field], name: &str) -> Option<Ty> {
    fields.iter().find(|(n, _)| *n == name).map(|&(_, ty)| ty)
}

/// The closest known name, for "did you mean" hints on typos.
pub(super) fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (edit_distance(name, k), k))
        .filter(|&(d, k)| d <= 2 && d < k.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

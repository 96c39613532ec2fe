//! Start-up as a library function: `Application::build(config)` opens the database, the sources
//! and the keys, binds both listeners (port 0 in tests) and returns; `run_until_stopped` serves
//! until SIGTERM/SIGINT (or `stop`), then drains requests in flight.
//!
//! Invariant: the public listener serves only the public API, health and the booking page; the
//! admin listener is the only place for owner endpoints (it answers 404 to the public API and
//! the public listener answers 404 to the admin's).

use openslot_wire::errors::ErrorCode;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use poem::endpoint::StaticFilesEndpoint;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::{Endpoint, EndpointExt, Route, Server};
use poem_openapi::OpenApiService;
use tokio::sync::watch;

use crate::booking::open::{OpenError, Opened};
use crate::booking::{BookingService, StoreError};
use crate::config::Config;

use super::admin::{self, AdminAuth};
use super::connections::{self, LimitedAcceptor};
use super::guards::admin_host::AdminHosts;
use super::guards::body_limit::{self, BodyLimit};
use super::guards::captcha::Captcha;
use super::guards::key_limit::KeyLimiter;
use super::guards::rate_limit::RateLimiter;
use super::guards::session::Sessions;
use super::health::HealthApi;
use super::metrics::RequestStats;
use super::public::{KeyGate, PublicApi, SubscriptionsApi};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read or create the key file {path}: {source}")]
    Key {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The database, the keys or the sources.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The OpenAPI document (a bug: the tests generate it).
    #[error(transparent)]
    Spec(#[from] super::spec::SpecError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// How long requests in flight may finish after a stop signal.
const DRAIN: Duration = Duration::from_secs(10);

/// A built, bound, not yet running service.
pub struct Application {
    service: BookingService,
    captcha: Option<Arc<Captcha>>,
    limiter: Arc<RateLimiter>,
    admin_auth: Arc<AdminAuth>,
    login_limiter: Arc<RateLimiter>,
    requests: Arc<RequestStats>,
    public: TcpAcceptor,
    admin: TcpAcceptor,
    public_addr: SocketAddr,
    admin_addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("public_addr", &self.public_addr)
            .field("admin_addr", &self.admin_addr)
            .finish_non_exhaustive()
    }
}

fn random_key() -> [u8; 32] {
    use ring::rand::SecureRandom;
    let mut key = [0u8; 32];
    if ring::rand::SystemRandom::new().fill(&mut key).is_err() {
        key = fastrand::u128(..)
            .to_le_bytes()
            .repeat(2)
            .try_into()
            .unwrap_or([7; 32]);
    }
    key
}

/// The public API's OpenAPI service (also used to print the spec).
fn public_service(
    api: PublicApi,
    health: HealthApi,
) -> OpenApiService<(PublicApi, HealthApi, SubscriptionsApi), ()> {
    let webhooks = SubscriptionsApi {
        service: api.service.clone(),
    };
    OpenApiService::new(
        (api, health, webhooks),
        "OpenSlot",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Free slots of the owner's calendars and bookings of them. Times are RFC 3339; \
             errors are JSON with a stable `error` code. Integrators send an API key made in \
             the owner's dashboard as `Authorization: Bearer osk_<id>_<secret>`: scopes \
             `slots:read`, `bookings:write` (no captcha, the key's own limit), \
             `webhooks:manage`; every answer to a keyed request carries `RateLimit-Limit`, \
             `RateLimit-Remaining` and `RateLimit-Reset` (seconds); a key that is not valid \
             gets 401 `unauthorized`, one without the scope 403 `forbidden`, one over its \
             limit 429 `rate_limited`. A visitor's answers carry the same headers for the \
             per-address limit of booking actions (when it is on; 429 with `Retry-After` \
             over it).",
    )
    .license(license())
}

fn license() -> poem_openapi::LicenseObject {
    poem_openapi::LicenseObject::new(env!("CARGO_PKG_LICENSE"))
        .url("https://www.gnu.org/licenses/agpl-3.0.html")
}

/// The OpenAPI document of the public API, as `openslot openapi` prints it.
pub fn spec_yaml() -> Result<String, StartError> {
    let config = crate::config::from_toml_str(
        "[owner]\nname = \"Owner\"\nemail = \"owner@example.org\"\ntimezone = \"UTC\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n",
        &[],
        std::path::Path::new("."),
    )
    .map_err(|e| StartError::Store(StoreError::Worker(e.to_string())))?;
    let service = crate::booking::open::for_spec(config)?;
    let api = PublicApi {
        service: service.clone(),
        captcha: None,
        limiter: Arc::new(RateLimiter::new(0)),
    };
    let health = HealthApi {
        service,
        names_calendars: false,
    };
    Ok(super::spec::public_yaml(
        &public_service(api, health).spec_yaml(),
    )?)
}

/// A document as served at `.../openapi.yaml`: refined (`spec`), or, should that fail (a bug
/// the drift test catches), poem-openapi's own.
fn spec_endpoint(
    refined: Result<String, super::spec::SpecError>,
    derived: impl FnOnce() -> String,
) -> impl poem::Endpoint<Output = poem::Response> + 'static {
    let yaml = refined.unwrap_or_else(|e| {
        tracing::error!(error = %e, "the OpenAPI document cannot be refined");
        derived()
    });
    poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/x-yaml")
            .header("Content-Disposition", "inline; filename=\"spec.yaml\"")
            .body(yaml.clone())
    })
}

/// A path no endpoint has: JSON, as the spec promises for every error.
async fn no_such_path(_: poem::error::NotFoundError) -> poem::Response {
    super::public::not_found_response()
}

/// A method the path does not answer.
async fn no_such_method(_: poem::error::MethodNotAllowedError) -> poem::Response {
    super::error_response(
        poem::http::StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this path does not answer that method",
    )
}

impl Application {
    /// Opens everything and binds both listeners.
    pub async fn build(
        config: Config,
        clock: fn() -> DateTime<Utc>,
    ) -> Result<Application, StartError> {
        let data_dir = config.server.data_dir.clone();
        let Opened { service, sources } = crate::booking::open::open(config.clone(), clock)?;
        let admin_key = data_dir.join("admin.key");
        let sessions =
            Sessions::load_or_create(&admin_key, config.admin.session()).map_err(|source| {
                StartError::Key {
                    path: admin_key,
                    source,
                }
            })?;
        // Always made: the dashboard may switch the captcha on while the service runs
        // (`BookingService::captcha_on`), and the visitors' limit follows its edits too.
        let captcha = Some(Arc::new(Captcha::new(
            random_key(),
            crate::api::guards::captcha::DEFAULT_MAX_NUMBER,
        )));
        let limiter = Arc::new(RateLimiter::following(service.visitor_limit()));
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr.to_string())
                .into_acceptor()
                .await
                .map_err(|source| StartError::Bind { addr, source })
        };
        let public = bind(config.server.listen).await?;
        let admin = bind(config.server.admin_listen).await?;
        let addr_of = |a: &TcpAcceptor, fallback: SocketAddr| {
            a.local_addr()
                .first()
                .and_then(|l| l.as_socket_addr().copied())
                .unwrap_or(fallback)
        };
        let public_addr = addr_of(&public, config.server.listen);
        let admin_addr = addr_of(&admin, config.server.admin_listen);
        let admin_auth = Arc::new(AdminAuth {
            service: service.clone(),
            sessions,
            sources,
        });
        let login_limiter = Arc::new(RateLimiter::new(admin::LOGIN_ATTEMPTS_PER_MINUTE));
        let (stop, _) = watch::channel(false);
        Ok(Application {
            service,
            captcha,
            limiter,
            admin_auth,
            login_limiter,
            requests: Arc::default(),
            public,
            admin,
            public_addr,
            admin_addr,
            stop,
        })
    }

    pub fn public_addr(&self) -> SocketAddr {
        self.public_addr
    }

    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr
    }

    pub fn service(&self) -> &BookingService {
        &self.service
    }

    /// A handle that stops the running service (as SIGTERM does).
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }

    /// Serves until a stop signal: background syncs, the outbox worker, both listeners.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Application {
            service,
            captcha,
            limiter,
            admin_auth,
            login_limiter,
            requests,
            public,
            admin,
            stop,
            ..
        } = self;
        let shutdown = stop.subscribe();
        let syncs = service.spawn_syncs(shutdown.clone());
        let worker = tokio::spawn(crate::booking::outbox::run(
            service.clone(),
            shutdown.clone(),
        ));
        let notifier = tokio::spawn(crate::notify::worker::run(
            service.clone(),
            shutdown.clone(),
        ));
        let alerts = tokio::spawn(crate::notify::alerts::run(
            service.clone(),
            shutdown.clone(),
        ));
        let pruner = {
            let limiters = [Arc::clone(&limiter), Arc::clone(&login_limiter)];
            let mut shutdown = shutdown.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(60)) => {
                            limiters.iter().for_each(|l| l.retain_recent());
                        }
                        _ = shutdown.changed() => return,
                    }
                }
            })
        };
        let signals = {
            let stop = stop.clone();
            tokio::spawn(async move {
                wait_for_signal().await;
                tracing::info!("stop signal: finishing requests in flight");
                let _ = stop.send(true);
            })
        };

        let counted = Arc::clone(&requests);
        let cors = super::cors::Cors::new(&service.config().security.cors_origins);
        let public_routes = public_routes(&service, captcha, limiter)
            .with(BodyLimit::new(body_limit::PUBLIC_MAX_BODY_BYTES))
            .around(move |ep, req| {
                let counted = Arc::clone(&counted);
                async move { counted.track(&*ep, req).await }
            })
            .boxed();
        let public_routes = match cors {
            Some(cors) => public_routes.with(cors).boxed(),
            None => public_routes,
        };
        let admin_routes = admin_routes(
            &service,
            admin_auth,
            login_limiter,
            requests,
            self.admin_addr,
        )
        .with(BodyLimit::new(body_limit::ADMIN_MAX_BODY_BYTES))
        .with(AdminHosts::new(
            service.config().server.admin_url.as_deref(),
            &service.config().admin.allowed_hosts,
        ))
        .boxed();
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            while !*rx.borrow() {
                if rx.changed().await.is_err() {
                    return;
                }
            }
        };
        let (public_cap, admin_cap) = connections::caps(connections::raise_file_limit());
        let public = LimitedAcceptor::new(public, public_cap, "public");
        let admin = LimitedAcceptor::new(admin, admin_cap, "admin");
        let public_server = Server::new_with_acceptor(public).run_with_graceful_shutdown(
            public_routes,
            stopped(shutdown.clone()),
            Some(DRAIN),
        );
        let admin_server = Server::new_with_acceptor(admin).run_with_graceful_shutdown(
            admin_routes,
            stopped(shutdown.clone()),
            Some(DRAIN),
        );
        let (a, b) = tokio::join!(public_server, admin_server);
        let _ = stop.send(true);
        signals.abort();
        for job in syncs {
            let _ = job.await;
        }
        let _ = worker.await;
        let _ = notifier.await;
        let _ = alerts.await;
        let _ = pruner.await;
        a.and(b)
    }
}

fn public_routes(
    service: &BookingService,
    captcha: Option<Arc<Captcha>>,
    limiter: Arc<RateLimiter>,
) -> poem::endpoint::BoxEndpoint<'static> {
    let api = PublicApi {
        service: service.clone(),
        captcha,
        limiter: Arc::clone(&limiter),
    };
    let health = HealthApi {
        service: service.clone(),
        names_calendars: false,
    };
    let openapi = public_service(api, health);
    let spec = spec_endpoint(super::spec::public_yaml(&openapi.spec_yaml()), || {
        openapi.spec_yaml()
    });
    let gate = Arc::new(KeyGate {
        service: service.clone(),
        limiter: Arc::new(KeyLimiter::following(service.key_limit())),
        visitors: limiter,
    });
    let openapi = openapi.around(move |ep, req| {
        let gate = Arc::clone(&gate);
        async move { gate.call(&*ep, req).await }
    });
    let api_routes = Route::new()
        .at("/openapi.yaml", spec)
        .at(
            super::public::LOGO_PATH,
            poem::get(super::logo::endpoint(service.clone())),
        )
        .at(
            super::accent::PATH,
            poem::get(accent_endpoint(service.clone())),
        )
        .nest("/", openapi)
        .catch_error(no_such_path)
        .catch_error(no_such_method)
        .with(super::request_log::RequestLog)
        .boxed();
    let Some(page) = spa_endpoint(service, "") else {
        return api_routes;
    };
    // The booking page at `/`: its files, and index.html for every other path (the SPA's own
    // routes such as /manage/...); the API keeps its paths. The dashboard is not here: `/admin`
    // is a 404 on the public side, whatever serves it.
    // Files are chosen by the decoded, resolved path (`paths`): `/%61dmin/` is `/admin/`.
    let api = Arc::new(api_routes);
    let framing = Arc::new(super::framing::Framing::new(
        &service.config().page.embed_origins,
    ));
    poem::endpoint::make(move |mut req: poem::Request| {
        let (api, page, framing) = (Arc::clone(&api), Arc::clone(&page), Arc::clone(&framing));
        async move {
            let path = req.uri().path();
            if is_api_path(path) || is_admin_path(path) {
                return api.get_response(req).await;
            }
            match super::paths::canonical(path) {
                Some(file) if !is_admin_path(&file.to_ascii_lowercase()) && !is_api_path(&file) => {
                    if file != path && !set_path(&mut req, &file) {
                        return super::public::not_found_response();
                    }
                    let mut resp = static_file(&page, req).await;
                    framing.apply(&mut resp);
                    resp
                }
                _ => super::public::not_found_response(),
            }
        }
    })
    .boxed()
}

/// `req` asks for `path` (canonical) from now on, with its query; false if that is no URI.
fn set_path(req: &mut poem::Request, path: &str) -> bool {
    let mut uri = super::paths::encode(path);
    if let Some(query) = req.uri().query() {
        uri.push('?');
        uri.push_str(query);
    }
    match uri.parse() {
        Ok(uri) => {
            *req.uri_mut() = uri;
            true
        }
        Err(_) => false,
    }
}

/// A static file with its `Cache-Control` (`static_files`), the page (index.html) for a route
/// of the SPA, or a JSON error that says nothing of the server's disk (the file endpoint's own
/// errors name the absolute path). A missing file with an extension is a 404, not the page.
async fn static_file(
    files: &poem::endpoint::BoxEndpoint<'static>,
    req: poem::Request,
) -> poem::Response {
    use poem::http::StatusCode;
    let path = req.uri().path().to_owned();
    // The page, asked for again in the same way, when the path is a route of the SPA.
    let mut page = poem::Request::builder()
        .method(req.method().clone())
        .uri(poem::http::Uri::from_static("/"))
        .finish();
    *page.headers_mut() = req.headers().clone();
    let (served, answer) = match files.call(req).await {
        Err(e)
            if e.status() == StatusCode::NOT_FOUND && !super::static_files::names_a_file(&path) =>
        {
            ("/", files.call(page).await)
        }
        answer => (path.as_str(), answer),
    };
    match answer {
        Ok(mut resp) => {
            if resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED {
                let value = super::static_files::cache_control(served);
                resp.headers_mut().insert(
                    poem::http::header::CACHE_CONTROL,
                    poem::http::HeaderValue::from_static(value),
                );
            }
            resp
        }
        Err(e) => match e.status() {
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN => super::public::not_found_response(),
            status => {
                let (code, message) = if status == StatusCode::METHOD_NOT_ALLOWED {
                    (ErrorCode::MethodNotAllowed, "only GET is answered here")
                } else {
                    (ErrorCode::Refused, "this request cannot be answered")
                };
                super::error_response(status, code, message)
            }
        },
    }
}

/// A built SPA folder (`server.static_dir`, or its `admin/` for the dashboard), when the folder
/// exists; `static_file` gives index.html for the paths that are the SPA's routes.
fn spa_endpoint(
    service: &BookingService,
    sub_dir: &str,
) -> Option<Arc<poem::endpoint::BoxEndpoint<'static>>> {
    let dir = service
        .config()
        .server
        .static_dir
        .as_ref()
        .map(|d| d.join(sub_dir))
        .filter(|d| d.join("index.html").is_file())?;
    Some(Arc::new(
        StaticFilesEndpoint::new(dir)
            .index_file("index.html")
            .boxed(),
    ))
}

/// The page's accent colour (`[page] accent_color`, or the dashboard's) with the text colours
/// that read on it, as a stylesheet; an edit applies at the next page load.
fn accent_endpoint(service: BookingService) -> impl poem::Endpoint<Output = poem::Response> {
    poem::endpoint::make_sync(move |_req: poem::Request| {
        let accent = service.page_texts().accent_color;
        poem::Response::builder()
            .content_type("text/css; charset=utf-8")
            .header(poem::http::header::CACHE_CONTROL, "no-cache")
            .body(super::accent::stylesheet(accent.as_deref()))
    })
}

/// Paths the API answers (everything else is the booking page).
fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || matches!(path, "/api" | "/healthz" | "/readyz" | "/openapi.yaml")
}

/// The owner's side: the dashboard and its API live on the admin listener only.
fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || path == "/metrics"
}

/// The admin listener: health, the admin API (`/admin/api`, its spec at
/// `/admin/api/openapi.yaml`) and `/metrics`. A missing or bad token is a JSON 401.
fn admin_routes(
    service: &BookingService,
    auth: Arc<AdminAuth>,
    login_limiter: Arc<RateLimiter>,
    requests: Arc<RequestStats>,
    admin_addr: SocketAddr,
) -> poem::endpoint::BoxEndpoint<'static> {
    let health = HealthApi {
        service: service.clone(),
        names_calendars: true,
    };
    let api = admin::apis(&auth, login_limiter);
    let feeds = super::admin_feeds::AdminFeedsApi {
        auth: Arc::clone(&auth),
    };
    let connections = Arc::new(crate::sync::connections::Connections::new(
        service.file_config(),
        admin_addr,
        service.clock(),
    ));
    let oauth_callback = super::admin_oauth::callback(Arc::clone(&connections), Arc::clone(&auth));
    let accounts = super::admin_oauth::AdminOAuthApi {
        auth: Arc::clone(&auth),
        connections,
    };
    let openapi = OpenApiService::new(
        (api, feeds, accounts, health),
        "OpenSlot admin",
        env!("CARGO_PKG_VERSION"),
    )
    .description("The owner's API; every endpoint but login needs `Authorization: Bearer TOKEN`.")
    .license(license());
    let spec = spec_endpoint(super::spec::admin_yaml(&openapi.spec_yaml()), || {
        openapi.spec_yaml()
    });
    let metrics_service = service.clone();
    let metrics = poem::endpoint::make(move |_req: poem::Request| {
        let service = metrics_service.clone();
        let requests = Arc::clone(&requests);
        async move {
            match super::metrics::render(&service, &requests).await {
                Ok(text) => poem::Response::builder()
                    .content_type("text/plain; version=0.0.4; charset=utf-8")
                    .body(text),
                Err(e) => {
                    tracing::error!(error = %e, "metrics failed");
                    poem::Response::builder()
                        .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                        .finish()
                }
            }
        }
    });
    let api_routes = Route::new()
        .at("/metrics", poem::get(metrics))
        .at("/admin/api/openapi.yaml", spec)
        .at(
            super::logo::ADMIN_PATH,
            poem::get(super::logo::endpoint(service.clone())),
        )
        .nest("/admin/oauth", oauth_callback)
        .nest("/", openapi)
        .data(auth)
        .catch_error(|_: poem_openapi::error::AuthorizationError| async { admin::unauthorized() })
        .catch_error(no_such_path)
        .catch_error(no_such_method)
        .with(super::request_log::RequestLog)
        .boxed();
    let Some(dashboard) = spa_endpoint(service, "admin") else {
        return api_routes;
    };
    // The dashboard: `static_dir/admin` (its own wasm, built with the public URL /admin/).
    let page = Arc::new(
        Route::new()
            .nest(
                "/admin",
                poem::endpoint::make(move |req: poem::Request| {
                    let dashboard = Arc::clone(&dashboard);
                    async move { static_file(&dashboard, req).await }
                }),
            )
            .boxed(),
    );
    let api = Arc::new(api_routes);
    poem::endpoint::make(move |req: poem::Request| {
        let (api, page) = (Arc::clone(&api), Arc::clone(&page));
        async move {
            let path = req.uri().path();
            if path == "/" {
                poem::Response::builder()
                    .status(poem::http::StatusCode::FOUND)
                    .header("Location", "/admin/")
                    .finish()
            } else if path.starts_with("/admin/api/")
                || path == "/admin/api"
                || path.starts_with("/admin/oauth/")
                || is_api_path(path)
                || path == "/metrics"
            {
                api.get_response(req).await
            } else {
                page.get_response(req).await
            }
        }
    })
    .boxed()
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        match term {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

//! Builds the application (pool, migrations, bootstrap admin, routes, middleware) on a listener;
//! used by `anju serve` and by the integration tests alike.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{get, web, App, HttpMessage, HttpRequest, HttpResponse, HttpServer, ResponseError};
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::RequestId;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, HttpLimits};
use crate::crypto::DataCipher;
use crate::db::DbPool;
use crate::domain::token::hash_token;
use crate::error::{json_error_handler, path_error_handler, query_error_handler, ApiError};
use crate::http_limits::{BodyIdle, PeerConnections};
use crate::jobs::delivery::{WebhookWorker, WorkerGuard};
use crate::jobs::indexer::Indexer;
use crate::jobs::sweeper::HoldSweeper;
use crate::outbound::{OutboundGuard, Resolver, SystemResolver};
use crate::routes;
use crate::routes::allowed::KnownRoutes;
use crate::search::SearchIndex;
use crate::state::AppState;
use crate::throttle::LoginThrottle;

pub struct Application {
    server: Server,
    port: u16,
    pub state: AppState,
    /// stops the webhook delivery thread with the application
    _webhooks: WorkerGuard,
}

/// Opens the pool, runs the migrations and makes the admin token valid: all the commands that
/// touch only the database need (they must not take the index writer of a running service).
pub fn open_database(config: &Config, now_ms: i64) -> anyhow::Result<DbPool> {
    let pool = crate::db::build_pool(&config.database_url, config.db_pool_size)?;
    let mut conn = pool.get()?;
    let applied = crate::db::run_migrations(&mut conn)?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    // events written before the audit log was a chain (an upgrade) get their hashes now
    let chained = crate::db::audit_chain::seal_unchained(&mut conn, 1_000)?;
    if chained > 0 {
        tracing::info!(chained, "audit events chained");
    }
    crate::db::officials::ensure_bootstrap(
        &mut conn,
        &hash_token(config.admin_token.expose()),
        now_ms,
    )?;
    Ok(pool)
}

/// The database (see `open_database`) plus the search index and its indexer (not yet started).
pub fn prepare_state(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    prepare_state_with(config, clock, Arc::new(SystemResolver))
}

/// `prepare_state` with the resolver outbound requests use (tests give one they control).
pub fn prepare_state_with(
    config: &Config,
    clock: Arc<dyn Clock>,
    resolver: Arc<dyn Resolver>,
) -> anyhow::Result<AppState> {
    let pool = open_database(config, clock.now_ms())?;
    let search = Arc::new(SearchIndex::open_or_create(&config.index_dir)?);
    let indexer = Indexer::new(
        Arc::clone(&search),
        pool.clone(),
        Duration::from_millis(100),
    );
    let outbound = OutboundGuard::new(config.outbound.allow.clone(), resolver);
    // started by `Application::build_with`; other commands only enqueue
    let webhooks = WebhookWorker::new(
        pool.clone(),
        DataCipher::from_config(config),
        Arc::clone(&clock),
        config.webhooks,
        outbound.clone(),
    );
    Ok(AppState {
        pool,
        cipher: DataCipher::from_config(config),
        clock,
        upload: config.upload,
        upload_gate: Arc::new(tokio::sync::Semaphore::new(config.upload.max_parallel)),
        hashing: Arc::new(tokio::sync::Semaphore::new(config.security.hash_threads)),
        group: (!crate::db::is_postgres(&config.database_url))
            .then(|| Arc::new(crate::db::group::GroupWriter::spawn(&config.database_url))),
        kiosk: config.kiosk,
        security: config.security,
        metrics: Arc::new(crate::metrics::Metrics::default()),
        login_throttle: Arc::new(LoginThrottle::new(
            config.kiosk.address_max_failures,
            config.kiosk.address_window_secs * 1000,
        )),
        objection_throttle: Arc::new(LoginThrottle::new(
            config.kiosk.objection_max_per_window,
            config.kiosk.objection_window_secs * 1000,
        )),
        index_dir: config.index_dir.clone(),
        search,
        indexer,
        webhooks,
        outbound,
    })
}

impl Application {
    pub fn build(config: &Config) -> anyhow::Result<Application> {
        Self::build_with_clock(config, Arc::new(SystemClock))
    }

    pub fn build_with_clock(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        Self::build_with(config, clock, Arc::new(SystemResolver))
    }

    /// The application with the given time source and name resolver (tests control both).
    pub fn build_with(
        config: &Config,
        clock: Arc<dyn Clock>,
        resolver: Arc<dyn Resolver>,
    ) -> anyhow::Result<Application> {
        let state = prepare_state_with(config, clock, resolver)?;
        if !config.outbound.allow.is_empty() {
            tracing::info!(allow = %config.outbound.allow, "outbound allow-list in force");
        }
        // catches up from the last applied sequence, then follows the outbox
        state.indexer.spawn();
        if crate::db::is_postgres(&config.database_url) {
            // a start after a bulk load folds its deltas in before the first figure is asked for
            crate::jobs::compactor::compact_at_start(&state.pool)?;
            crate::jobs::compactor::spawn(state.pool.clone(), crate::jobs::compactor::EVERY);
        }
        if config.kiosk.hold_sweep_ms > 0 {
            HoldSweeper::spawn(
                state.pool.clone(),
                Arc::clone(&state.clock),
                Arc::clone(&state.indexer),
                Duration::from_millis(config.kiosk.hold_sweep_ms),
            );
        }
        if config.retention.every_secs > 0 {
            crate::jobs::pruner::Pruner::spawn(
                state.pool.clone(),
                Arc::clone(&state.clock),
                config.retention,
            );
        }
        let listener = TcpListener::bind(&config.listen)?;
        let port = listener.local_addr()?.port();
        let server = run(listener, state.clone(), config.http)?;
        // sends the webhook outbox; never in a request's path
        let webhooks = state.webhooks.spawn()?;
        Ok(Application {
            server,
            port,
            state,
            _webhooks: webhooks,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives every request an id (the caller's `X-Request-Id` if sane, else a new UUID), a tracing
/// span carrying it, one log line when it finishes, and the id echoed in the response.
async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    // the path only: query strings may carry search terms typed by households
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let (res, stages) = crate::profile::collect(next.call(req).instrument(span.clone())).await;
    let mut res = res?;
    res.headers_mut().insert(
        X_REQUEST_ID.clone(),
        HeaderValue::from_str(&id).expect("sanitized id"),
    );
    if let Some(state) = res.request().app_data::<web::Data<AppState>>() {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".into());
        state.metrics.observe(
            res.request().method().as_str(),
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
        state.metrics.observe_stages(&route, &stages);
    }
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            stages = ?stages,
            "request finished"
        )
    });
    Ok(res)
}

#[get("/docs")]
async fn docs_entry() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=\"0; url=/docs/\">\
         <title>anju API</title><a href=\"/docs/\">anju API documentation</a>",
    )
}

pub fn run(listener: TcpListener, state: AppState, http: HttpLimits) -> anyhow::Result<Server> {
    let data = web::Data::new(state);
    let peers = PeerConnections::new(http.max_per_peer);
    let body_idle = web::Data::new(BodyIdle(Duration::from_millis(http.body_idle_ms)));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let openapi = crate::openapi::ApiDoc::openapi();
    let allowed = web::Data::new(KnownRoutes::from_openapi(&openapi));
    let server = HttpServer::new(move || {
        App::new()
            // inner: runs after the request id is set, before routing and any extractor
            .wrap(from_fn(crate::routes::access::authorise))
            .wrap(from_fn(crate::http_limits::guard_connection))
            .wrap(from_fn(request_id))
            .app_data(body_idle.clone())
            .app_data(data.clone())
            .app_data(allowed.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(1024 * 1024)
                    .error_handler(json_error_handler),
            )
            .app_data(web::QueryConfig::default().error_handler(query_error_handler))
            .app_data(web::PathConfig::default().error_handler(path_error_handler))
            .configure(|cfg| app_routes(cfg, openapi.clone()))
            .default_service(web::to(unrouted))
    })
    .workers(workers)
    .client_request_timeout(Duration::from_millis(http.header_timeout_ms))
    .keep_alive(match http.keep_alive_secs {
        0 => actix_web::http::KeepAlive::Disabled,
        secs => actix_web::http::KeepAlive::Timeout(Duration::from_secs(secs)),
    })
    .max_connections((http.max_connections / workers).max(1))
    .on_connect(peers.on_connect())
    .listen(listener)?
    .run();
    Ok(server)
}

/// Every route the application serves: the API's (the route table, documented in
/// `/openapi.json`), then the documentation and the hall's pages, which are not part of the API.
pub fn app_routes(cfg: &mut web::ServiceConfig, openapi: utoipa::openapi::OpenApi) {
    cfg.configure(routes::table::api)
        .service(docs_entry)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi))
        .service(routes::pages::kiosk_page)
        .service(routes::pages::dashboard_page)
        .service(routes::pages::board_page)
        .service(routes::pages::notices_page)
        .service(routes::pages::notice_page)
        .service(routes::pages::page_asset);
}

/// What no route takes: an API path with a method it does not declare answers 405
/// `method_not_allowed` with `Allow` (the methods of its path in the OpenAPI document); any other
/// request 404.
async fn unrouted(req: HttpRequest, allowed: web::Data<KnownRoutes>) -> HttpResponse {
    allowed
        .refuse_method(req.method().as_str(), req.path())
        .unwrap_or_else(|| ApiError::not_found("route").error_response())
}

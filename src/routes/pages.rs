//! The hall's browser pages (kiosk, officials' dashboard, wall board, public notices) and their
//! scripts and styles, embedded in the binary so a hall needs no CDN or internet; they speak only
//! the public API.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, web, HttpResponse};

use crate::error::{ApiError, ApiResult};

/// Self only: no inline script or style, no frames, no other origin; `data:`/`blob:` images for
/// the favicon and the dashboard's downloads.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml; charset=utf-8";

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_str!(concat!("../../assets/", $name)),
        }
    };
}

/// Everything under `/assets/`; the pages themselves are served at their own paths.
static ASSETS: &[Asset] = &[
    asset!("common.css", CSS),
    asset!("common.js", JS),
    asset!("kiosk.css", CSS),
    asset!("kiosk-core.js", JS),
    asset!("kiosk-browse.js", JS),
    asset!("kiosk-hold.js", JS),
    asset!("kiosk.js", JS),
    asset!("dashboard.css", CSS),
    asset!("dashboard.js", JS),
    asset!("board.css", CSS),
    asset!("board.js", JS),
    asset!("notice.css", CSS),
    asset!("notice.js", JS),
    asset!("favicon.svg", SVG),
];

static KIOSK_HTML: &str = include_str!("../../assets/kiosk.html");
static DASHBOARD_HTML: &str = include_str!("../../assets/dashboard.html");
static BOARD_HTML: &str = include_str!("../../assets/board.html");
static NOTICE_HTML: &str = include_str!("../../assets/notice.html");

fn page_response(content_type: &'static str, body: &'static str) -> HttpResponse {
    let mut res = HttpResponse::Ok()
        .content_type(content_type)
        // small and embedded: revalidating every load keeps kiosks on the running binary's pages
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(body);
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    res
}

#[get("/kiosk")]
pub async fn kiosk_page() -> HttpResponse {
    page_response(HTML, KIOSK_HTML)
}

#[get("/dashboard")]
pub async fn dashboard_page() -> HttpResponse {
    page_response(HTML, DASHBOARD_HTML)
}

#[get("/board")]
pub async fn board_page() -> HttpResponse {
    page_response(HTML, BOARD_HTML)
}

/// The public notices (公示), printable, with the objection form: one page for the list and
/// for each notice (its script reads the path).
#[get("/notices")]
pub async fn notices_page() -> HttpResponse {
    page_response(HTML, NOTICE_HTML)
}

#[get("/notices/{id}")]
pub async fn notice_page(_id: web::Path<u64>) -> HttpResponse {
    page_response(HTML, NOTICE_HTML)
}

#[get("/assets/{name}")]
pub async fn page_asset(name: web::Path<String>) -> ApiResult<HttpResponse> {
    ASSETS
        .iter()
        .find(|a| a.name == name.as_str())
        .map(|a| page_response(a.content_type, a.body))
        .ok_or_else(|| ApiError::not_found("asset"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_load_only_embedded_assets() {
        for page in [KIOSK_HTML, DASHBOARD_HTML, BOARD_HTML, NOTICE_HTML] {
            for part in page.split("/assets/").skip(1) {
                let name = part.split('"').next().unwrap_or_default();
                assert!(
                    ASSETS.iter().any(|a| a.name == name),
                    "page refers to /assets/{name}, which is not embedded"
                );
            }
            assert!(!page.contains("http://") && !page.contains("https://"));
            assert!(!page.contains("<script>") && !page.contains(" style="));
        }
    }
}

//! `GET /api/v1/page/logo`: the owner's logo. `[page] logo_file` is read when asked for (the
//! owner may replace the file while serving); otherwise the logo uploaded in the dashboard,
//! held in memory. An SVG is served as an image that may not run script. The admin listener
//! serves the same at [`ADMIN_PATH`], for the dashboard's preview (an `<img>` sends no token;
//! the logo is public anyway).

use crate::booking::BookingService;
use crate::booking::page_logo::Logo;
use crate::config::PageConfig;

/// Where the dashboard loads the logo (on the admin listener).
pub const ADMIN_PATH: &str = "/admin/api/page/logo-image";

/// The logo's address as a page loads it from `base` ([`crate::api::public::LOGO_PATH`] or
/// [`ADMIN_PATH`]): an uploaded one carries its upload time, so a new logo is a new address
/// (it is cached for an hour).
pub fn url(base: &str, logo: &Logo) -> Option<String> {
    match logo {
        Logo::None => None,
        Logo::File => Some(base.to_owned()),
        Logo::Uploaded(l) => Some(format!("{base}?v={}", l.updated_at.timestamp())),
    }
}

pub fn endpoint(service: BookingService) -> impl poem::Endpoint<Output = poem::Response> {
    poem::endpoint::make(move |_req: poem::Request| {
        let service = service.clone();
        async move {
            match service.page_logo() {
                Logo::None => super::public::not_found_response(),
                Logo::Uploaded(logo) => image(&logo.media_type, logo.bytes.clone()),
                Logo::File => from_file(&service.file_config().page).await,
            }
        }
    })
}

async fn from_file(page: &PageConfig) -> poem::Response {
    let (Some(path), Some(media_type)) = (page.logo_file.clone(), page.logo_media_type()) else {
        return super::public::not_found_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) if bytes.len() as u64 <= PageConfig::MAX_LOGO_BYTES => image(media_type, bytes),
        Ok(_) => {
            tracing::warn!(path = %path.display(), "logo file is larger than 512 KB");
            super::public::not_found_response()
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "logo file cannot be read");
            super::public::not_found_response()
        }
    }
}

fn image(media_type: &str, bytes: Vec<u8>) -> poem::Response {
    poem::Response::builder()
        .content_type(media_type)
        .header("Cache-Control", "public, max-age=3600")
        .header("X-Content-Type-Options", "nosniff")
        // An SVG logo is an image, never a document that runs script.
        .header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        )
        .body(bytes)
}

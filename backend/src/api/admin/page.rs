//! The booking page's settings in the dashboard: intro, accent colour, the owner's display
//! name and the logo, edited where the configuration file leaves them unset (what it sets is
//! answered with `*_from_file` and cannot be changed here).

use std::sync::Arc;

use base64::Engine as _;
use openslot_wire::admin::{LogoBody, PageSettingsJson};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorJson, internal};
use crate::booking::BookingService;
use crate::booking::page_logo::Logo;
use crate::booking::page_settings::{PageEdit, PageError};

use super::{AdminAuth, OwnerToken, Part, Tag};

/// The page's settings.
#[derive(Debug)]
pub struct PageApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for PageApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum PageSettingsResponse {
    #[oai(status = 200)]
    Ok(Json<PageSettingsJson>),
    /// A value is wrong, or set in the configuration file (`fields` says which).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// Why an edit was not saved, as an answer.
fn refused(e: PageError) -> PageSettingsResponse {
    match e {
        PageError::Invalid(field, why) => PageSettingsResponse::Invalid(super::invalid(field, why)),
        PageError::Store(e) => PageSettingsResponse::Internal(internal(&e)),
    }
}

/// The page's settings as they apply now.
fn page_json(service: &BookingService) -> PageSettingsJson {
    let t = service.page_texts();
    let logo = service.page_logo();
    let owner = &service.file_config().owner;
    PageSettingsJson {
        intro: t.intro,
        accent_color: t.accent_color,
        intro_from_file: t.intro_from_file,
        accent_from_file: t.accent_from_file,
        display_name: t.display_name,
        display_name_from_file: t.display_name_from_file,
        logo_url: crate::api::logo::url(crate::api::logo::ADMIN_PATH, &logo),
        logo_from_file: logo == Logo::File,
        owner_name: owner.name.clone(),
        owner_timezone: t.timezone.name().to_owned(),
        timezone_from_file: t.timezone_from_file,
    }
}

#[OpenApi(prefix_path = "/admin/api")]
impl PageApi {
    /// The booking page's intro, accent colour, display name and logo as they apply, and
    /// which the configuration file sets (those are read-only here).
    #[oai(
        path = "/page",
        method = "get",
        operation_id = "getPageSettings",
        tag = "Tag::Availability"
    )]
    async fn page(&self, _auth: OwnerToken) -> PageSettingsResponse {
        PageSettingsResponse::Ok(Json(page_json(self.service())))
    }

    /// Saves the intro, accent colour, display name and the owner's time zone
    /// (`owner_timezone`) (absent or empty: none; the zone: UTC) where the configuration file
    /// leaves them unset; they apply at once (`GET /api/v1/page`, the accent's stylesheet, the
    /// free times, mails and calendar entries). A value the file sets must be sent as
    /// it is (or left out).
    #[oai(
        path = "/page",
        method = "put",
        operation_id = "savePageSettings",
        tag = "Tag::Availability"
    )]
    async fn save_page(
        &self,
        _auth: OwnerToken,
        body: Json<PageSettingsJson>,
    ) -> PageSettingsResponse {
        let file = self.service().file_config();
        // Left out: the file's value stands (the dashboard sends what it shows).
        let intro = body.0.intro.clone().or_else(|| file.page.intro.clone());
        let accent = (body.0.accent_color.clone()).or_else(|| file.page.accent_color.clone());
        let name = (body.0.display_name.clone()).or_else(|| file.owner.display_name.clone());
        let zone = if body.0.owner_timezone.is_empty() && file.owner.timezone_from_file {
            file.owner.timezone.name().to_owned()
        } else {
            body.0.owner_timezone.clone()
        };
        let edit = PageEdit {
            intro: intro.as_deref(),
            accent_color: accent.as_deref(),
            display_name: name.as_deref(),
            timezone: Some(zone.as_str()),
        };
        match self.service().save_page(edit).await {
            Ok(_) => {
                tracing::info!("the booking page's texts were edited");
                PageSettingsResponse::Ok(Json(page_json(self.service())))
            }
            Err(e) => refused(e),
        }
    }

    /// Uploads the page's logo (replacing any), where `[page] logo_file` is unset: a PNG,
    /// JPEG, WebP or SVG of at most 512 KB whose bytes match `media_type`; an SVG with
    /// scripts or event handlers is refused. Visitors see it at once.
    #[oai(
        path = "/page/logo",
        method = "put",
        operation_id = "uploadLogo",
        tag = "Tag::Availability"
    )]
    async fn upload_logo(&self, _auth: OwnerToken, body: Json<LogoBody>) -> PageSettingsResponse {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(body.0.data_base64.trim())
        else {
            return PageSettingsResponse::Invalid(super::invalid(
                "data_base64",
                "is not base64 (standard alphabet, padded)",
            ));
        };
        let size = bytes.len();
        match self
            .service()
            .save_logo(Some((body.0.media_type.as_str(), bytes)))
            .await
        {
            Ok(_) => {
                tracing::info!(media_type = %body.0.media_type, size, "a logo was uploaded");
                PageSettingsResponse::Ok(Json(page_json(self.service())))
            }
            Err(e) => refused(e),
        }
    }

    /// Removes the uploaded logo (the page shows none).
    #[oai(
        path = "/page/logo",
        method = "delete",
        operation_id = "removeLogo",
        tag = "Tag::Availability"
    )]
    async fn remove_logo(&self, _auth: OwnerToken) -> PageSettingsResponse {
        match self.service().save_logo(None).await {
            Ok(_) => {
                tracing::info!("the uploaded logo was removed");
                PageSettingsResponse::Ok(Json(page_json(self.service())))
            }
            Err(e) => refused(e),
        }
    }
}

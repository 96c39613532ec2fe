//! From the configured URL to the calendar collection (RFC 4791 section 6, RFC 6764 section 6):
//! the URL itself when it is a calendar; otherwise its current-user-principal (or that of
//! `/.well-known/caldav`), the principal's calendar-home-set, and the calendars in the home
//! that can hold events. `calendar` picks one by display name, URL, path or last segment.

use reqwest::Url;

use super::href::{as_collection, last_segment, resolve, same_collection};
use super::xml::{self, Props};
use super::{CalDav, DiscoveredCalendar, SourceError};

/// A calendar collection found by discovery.
#[derive(Clone, Debug)]
pub(super) struct Found {
    pub url: Url,
    pub name: Option<String>,
    pub color: Option<String>,
}

/// What discovery saw: the calendars of the home, and the configured URL's own collection when
/// the URL is one.
#[derive(Debug, Default)]
pub(super) struct Listing {
    pub calendars: Vec<Found>,
    pub own: Option<Found>,
}

impl CalDav {
    /// A discovery PROPFIND: every discovery property; after a server failure (5xx) the same
    /// with the fewest ([`xml::propfind_minimal`]), since some servers fail on one property of
    /// a resource that lacks it. A failure that remains names the URL asked.
    async fn discovery_propfind(
        &self,
        url: &Url,
        depth: &str,
    ) -> Result<(Url, xml::Multistatus), SourceError> {
        let full = self
            .multistatus("PROPFIND", url, depth, xml::propfind_discovery())
            .await;
        let answer = match full {
            Err(SourceError::Http { status, .. }) if status >= 500 => {
                self.multistatus("PROPFIND", url, depth, xml::propfind_minimal())
                    .await
            }
            other => other,
        };
        answer.map_err(|e| match e {
            SourceError::Http { .. } => SourceError::Discovery {
                url: super::http::redacted(url),
                source: Box::new(e),
            },
            e => e,
        })
    }

    /// PROPFIND Depth 0 for discovery; the props of the resource itself.
    async fn props_of(&self, url: &Url) -> Result<(Url, Props), SourceError> {
        let (answered, ms) = self.discovery_propfind(url, "0").await?;
        // Depth 0 answers for one resource; take the one that names it, else the first.
        let mut responses = ms.responses.into_iter();
        let first = responses.next().ok_or_else(|| {
            SourceError::BadResponse(format!("PROPFIND on {url} answered with no resource"))
        })?;
        Ok((answered, first.props))
    }

    /// The home's listing (or the URL's own calendar), without choosing.
    pub(super) async fn listing(&self) -> Result<Listing, SourceError> {
        let (answered, props) = match self.props_of(&self.url).await {
            Ok(found) => found,
            // A server root that refuses PROPFIND: RFC 6764 bootstrapping may still work.
            Err(e @ (SourceError::NotFound { .. } | SourceError::Discovery { .. })) => {
                return match self.listing_via_well_known().await {
                    Ok(listing) => Ok(listing),
                    Err(w @ SourceError::AuthFailed { .. }) => Err(w),
                    // The configured URL failed: that failure, naming it, is the one to fix.
                    Err(_) if matches!(e, SourceError::Discovery { .. }) => Err(e),
                    Err(w) => Err(w),
                };
            }
            Err(e) => return Err(e),
        };
        if props.is_calendar {
            let own = Found {
                url: as_collection(&answered),
                name: props.display_name.clone(),
                color: props.color.clone(),
            };
            // The other calendars are a courtesy for `discover`; the URL's own one suffices.
            let mut listing = match props.current_user_principal.as_deref() {
                Some(p) => self
                    .listing_from_principal(&answered, p)
                    .await
                    .unwrap_or_default(),
                None => Listing::default(),
            };
            if !listing
                .calendars
                .iter()
                .any(|c| same_collection(&c.url, &own.url))
            {
                listing.calendars.push(own.clone());
            }
            listing.own = Some(own);
            return Ok(listing);
        }
        if let Some(home) = props.calendar_home_set.as_deref() {
            return self.listing_of_home(&answered, home).await;
        }
        if let Some(principal) = props.current_user_principal.as_deref() {
            return self.listing_from_principal(&answered, principal).await;
        }
        match self.listing_via_well_known().await {
            Ok(listing) => Ok(listing),
            // No principal anywhere: the URL may be a home without the properties.
            Err(_) => self.listing_of_home(&answered, answered.as_str()).await,
        }
    }

    /// RFC 6764 section 5: `/.well-known/caldav` redirects to the context path. reqwest turns a
    /// redirected PROPFIND into a GET and follows every hop, which can end at a web page
    /// (Radicale: `/` then `/.web/`), so the principal is asked of the URL the GET ended at and
    /// then of the server root.
    async fn listing_via_well_known(&self) -> Result<Listing, SourceError> {
        let at = |path: &str| {
            self.url
                .join(path)
                .map_err(|e| SourceError::Config(format!("the URL is not valid: {e}")))
        };
        let response = self
            .send("GET", &at("/.well-known/caldav")?, &[], None)
            .await?;
        let context = response.url().clone();
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Err(super::http::status_error(response.status(), &context));
        }
        drop(response);
        let mut last = None;
        let root = at("/")?;
        let candidates = if context == root {
            vec![root]
        } else {
            vec![context, root]
        };
        for candidate in candidates {
            let (answered, props) = match self.props_of(&candidate).await {
                Ok(found) => found,
                Err(e @ SourceError::AuthFailed { status: 401, .. }) => return Err(e),
                Err(e) => {
                    last = Some(e);
                    continue;
                }
            };
            if props.is_calendar {
                return Ok(Listing {
                    calendars: vec![Found {
                        url: as_collection(&answered),
                        name: props.display_name,
                        color: props.color,
                    }],
                    own: None,
                });
            }
            match (props.calendar_home_set, props.current_user_principal) {
                (Some(home), _) => return self.listing_of_home(&answered, &home).await,
                (None, Some(principal)) => {
                    return self.listing_from_principal(&answered, &principal).await;
                }
                (None, None) => {}
            }
        }
        Err(last.unwrap_or_else(|| {
            SourceError::BadResponse(format!(
                "{} names no current-user-principal: set `url` to the calendar's own URL",
                super::http::redacted(&self.url)
            ))
        }))
    }

    async fn listing_from_principal(
        &self,
        base: &Url,
        principal: &str,
    ) -> Result<Listing, SourceError> {
        let principal = resolve(base, principal).ok_or_else(|| {
            SourceError::BadResponse(format!("the principal {principal:?} is not a URL"))
        })?;
        let (answered, props) = self.props_of(&principal).await?;
        let home = props.calendar_home_set.ok_or_else(|| {
            SourceError::BadResponse(
                "the principal has no calendar-home-set: is this a CalDAV server?".to_owned(),
            )
        })?;
        self.listing_of_home(&answered, &home).await
    }

    /// PROPFIND Depth 1 on the home: its calendars that can hold events.
    async fn listing_of_home(&self, base: &Url, home: &str) -> Result<Listing, SourceError> {
        let home = resolve(base, home).ok_or_else(|| {
            SourceError::BadResponse(format!("the calendar home {home:?} is not a URL"))
        })?;
        let (answered, ms) = self.discovery_propfind(&home, "1").await?;
        let calendars = ms
            .responses
            .into_iter()
            .filter(|r| r.props.is_calendar && r.props.holds_events())
            .filter_map(|r| {
                Some(Found {
                    url: as_collection(&resolve(&answered, &r.href)?),
                    name: r.props.display_name,
                    color: r.props.color,
                })
            })
            .collect();
        Ok(Listing {
            calendars,
            own: None,
        })
    }

    /// Discovery, then the choice.
    pub(super) async fn find_collection(&self) -> Result<Url, SourceError> {
        let listing = self.listing().await?;
        choose(&listing, self.choice.as_deref(), &self.url).map(|f| f.url.clone())
    }

    /// Every calendar, the chosen one marked (none marked when the choice fails).
    pub(super) async fn discover_all(&self) -> Result<Vec<DiscoveredCalendar>, SourceError> {
        let listing = self.listing().await?;
        let chosen = choose(&listing, self.choice.as_deref(), &self.url)
            .ok()
            .map(|f| f.url.clone());
        if let Some(url) = &chosen {
            // Later fetches skip discovery.
            let _ = self.collection.set(url.clone());
        }
        Ok(listing
            .calendars
            .iter()
            .map(|c| DiscoveredCalendar {
                url: super::http::redacted(&c.url),
                name: c.name.clone(),
                color: c.color.clone(),
                selected: chosen.as_ref().is_some_and(|u| same_collection(u, &c.url)),
            })
            .collect())
    }
}

/// The calendar `choice` names, else the URL's own calendar, else the only one.
pub(super) fn choose<'l>(
    listing: &'l Listing,
    choice: Option<&str>,
    configured: &Url,
) -> Result<&'l Found, SourceError> {
    let Some(choice) = choice else {
        if let Some(own) = &listing.own {
            return Ok(own);
        }
        return match listing.calendars.as_slice() {
            [one] => Ok(one),
            [] => Err(SourceError::Config(format!(
                "no calendar that can hold events was found at {}",
                super::http::redacted(configured)
            ))),
            several => Err(SourceError::Config(format!(
                "several calendars were found: set `calendar` to one of: {}",
                names(several)
            ))),
        };
    };
    let choice = choice.trim();
    let all = listing.calendars.iter().chain(listing.own.iter());
    let by_url = |c: &&Found| {
        resolve(configured, choice).is_some_and(|u| same_collection(&u, &c.url))
            || last_segment(&c.url) == choice.trim_matches('/')
    };
    all.clone()
        .find(|c| c.name.as_deref() == Some(choice))
        .or_else(|| {
            all.clone().find(|c| {
                c.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(choice))
            })
        })
        .or_else(|| all.clone().find(by_url))
        .ok_or_else(|| {
            SourceError::Config(format!(
                "no calendar is named {choice:?}: set `calendar` to one of: {}",
                names(&listing.calendars)
            ))
        })
}

/// `"Work" (/u/work/), "Home" (/u/home/)`: the names to write in `calendar`.
fn names(calendars: &[Found]) -> String {
    calendars
        .iter()
        .map(|c| match &c.name {
            Some(n) => format!("\"{n}\" ({})", c.url.path()),
            None => format!("\"{}\"", c.url.path()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: &str, name: Option<&str>) -> Found {
        Found {
            url: Url::parse(&format!("http://h{path}")).unwrap(),
            name: name.map(str::to_owned),
            color: None,
        }
    }

    fn check(listing: &Listing, choice: Option<&str>, expected: &str) {
        let configured = Url::parse("http://h/").unwrap();
        let got = match choose(listing, choice, &configured) {
            Ok(f) => f.url.path().to_owned(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "choice {choice:?}");
    }

    #[test]
    fn choosing_a_calendar() {
        let two = Listing {
            calendars: vec![
                found("/u/work/", Some("Work")),
                found("/u/b%20c/", Some("Family")),
            ],
            own: None,
        };
        check(&two, Some("Work"), "/u/work/");
        check(&two, Some("work"), "/u/work/");
        check(&two, Some(" Family "), "/u/b%20c/");
        check(&two, Some("b c"), "/u/b%20c/");
        check(&two, Some("/u/work"), "/u/work/");
        check(&two, Some("http://h/u/work/"), "/u/work/");
        check(
            &two,
            None,
            "error: several calendars were found: set `calendar` to one of: \"Work\" (/u/work/), \"Family\" (/u/b%20c/)",
        );
        check(
            &two,
            Some("Nope"),
            "error: no calendar is named \"Nope\": set `calendar` to one of: \"Work\" (/u/work/), \"Family\" (/u/b%20c/)",
        );
        let one = Listing {
            calendars: vec![found("/u/only/", None)],
            own: None,
        };
        check(&one, None, "/u/only/");
        let own = Listing {
            calendars: two.calendars.clone(),
            own: Some(found("/u/b%20c/", Some("Family"))),
        };
        check(&own, None, "/u/b%20c/");
        check(&own, Some("Work"), "/u/work/");
        check(
            &Listing::default(),
            None,
            "error: no calendar that can hold events was found at http://h/",
        );
    }
}

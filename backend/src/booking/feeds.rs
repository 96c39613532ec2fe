//! The owner's secret feeds, for calendars OpenSlot cannot write to: `bookings.ics` (every
//! booking as an event) and `freebusy.ics` (the merged busy time, no titles). A feed URL is
//! the public URL plus a token signed for the owner's current feed generation; rotating moves
//! the generation on, which turns every earlier URL off at once (a leaked URL is fixed by
//! rotating, not by a new key that would also break every visitor's manage link).

use chrono::{DateTime, Utc};

use super::BookingService;
use super::token::{OWNER, Purpose, TokenKey};
use crate::store::{StoreError, feeds};

/// The two feed URLs, with their tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedUrls {
    pub bookings: String,
    pub freebusy: String,
    /// When the tokens were last rotated (None: never).
    pub rotated_at: Option<DateTime<Utc>>,
}

/// The signed subject of generation `generation` (0 is the plain owner, as before rotation
/// existed, so URLs handed out earlier stay valid until the first rotation).
pub fn subject(generation: i64) -> String {
    if generation == 0 {
        OWNER.to_owned()
    } else {
        format!("{OWNER}-{generation}")
    }
}

/// The URLs of generation `generation` under `public_url`.
pub fn urls(
    public_url: &str,
    tokens: &TokenKey,
    generation: i64,
    rotated_at: Option<DateTime<Utc>>,
) -> FeedUrls {
    let base = public_url.trim_end_matches('/');
    let subject = subject(generation);
    FeedUrls {
        bookings: format!(
            "{base}/api/v1/bookings.ics?token={}",
            tokens.sign(Purpose::BookingsFeed, &subject)
        ),
        freebusy: format!(
            "{base}/api/v1/freebusy.ics?token={}",
            tokens.sign(Purpose::FreebusyFeed, &subject)
        ),
        rotated_at,
    }
}

impl BookingService {
    /// The current feed URLs.
    pub async fn feed_urls(&self) -> Result<FeedUrls, StoreError> {
        let (generation, rotated_at) = self.store().call(|c| feeds::generation(c)).await?;
        Ok(urls(
            &self.config().server.public_url,
            self.tokens(),
            generation,
            rotated_at,
        ))
    }

    /// New feed URLs; every earlier one stops working.
    pub async fn rotate_feeds(&self) -> Result<FeedUrls, StoreError> {
        let now = self.now();
        let generation = self.store().call(move |c| feeds::rotate(c, now)).await?;
        tracing::info!(generation, "feed tokens rotated");
        Ok(urls(
            &self.config().server.public_url,
            self.tokens(),
            generation,
            Some(now),
        ))
    }

    /// Whether `token` opens the feed `purpose` (`BookingsFeed` or `FreebusyFeed`) now.
    pub async fn feed_token_opens(
        &self,
        purpose: Purpose,
        token: &str,
    ) -> Result<bool, StoreError> {
        let (generation, _) = self.store().call(|c| feeds::generation(c)).await?;
        Ok(self.tokens().verify(purpose, &subject(generation), token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generation_signs_urls_of_its_own() {
        let key = TokenKey::from_bytes([7; 32]);
        let first = urls("https://book.example.org/", &key, 0, None);
        assert!(
            first
                .bookings
                .starts_with("https://book.example.org/api/v1/bookings.ics?token=")
        );
        assert!(
            first
                .freebusy
                .starts_with("https://book.example.org/api/v1/freebusy.ics?token=")
        );
        let token = |url: &str| url.split("token=").nth(1).unwrap().to_owned();
        // Generation 0 is the owner's token from before rotation existed.
        assert!(key.verify(Purpose::BookingsFeed, OWNER, &token(&first.bookings)));
        let second = urls("https://book.example.org", &key, 1, None);
        assert_ne!(first.bookings, second.bookings);
        assert!(!key.verify(Purpose::BookingsFeed, &subject(1), &token(&first.bookings)));
        assert!(key.verify(Purpose::BookingsFeed, &subject(1), &token(&second.bookings)));
        assert!(!key.verify(Purpose::FreebusyFeed, &subject(1), &token(&second.bookings)));
    }
}

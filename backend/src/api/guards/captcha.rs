//! Whether the client did the proof of work: a captcha without images or third parties, in
//! the ALTCHA protocol (v1) so that the ALTCHA widget can solve it in the visitor's browser.
//!
//! The server picks a secret number and publishes `challenge = sha256_hex(salt + number)`; the
//! client finds the number by brute force. The challenge is signed (HMAC-SHA256), so the
//! server keeps no state per challenge; the expiry sits in the salt, so changing it breaks the
//! hash. Invariant: an answer is accepted once. Used challenges are remembered until they
//! expire and no longer, which bounds the memory by what clients can solve in one lifetime.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::{Mutex, PoisonError};

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use chrono::{DateTime, Duration, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac};
use serde::{Deserialize, Serialize};

/// The only algorithm offered and accepted.
pub const ALGORITHM: &str = "SHA-256";
/// The largest secret number: the client needs half as many hashes on average. 100 000 takes
/// a browser well under a second, and a bot the same for each booking.
pub const DEFAULT_MAX_NUMBER: u64 = 100_000;
/// How long a challenge can be answered.
pub const DEFAULT_LIFETIME_MINUTES: i64 = 10;
/// Random bytes of the salt, as hex.
const SALT_BYTES: usize = 12;
/// A genuine payload is about 300 bytes; anything much longer is not one.
const MAX_PAYLOAD_LEN: usize = 4096;

/// Base64 as the widget's `btoa` writes it, with or without padding.
const PAYLOAD_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What the widget fetches (in the wire crate: the booking page reads the same type).
pub use openslot_wire::public::Challenge;

/// What the widget sends back, base64 JSON. Other fields the widget adds are ignored.
#[derive(Serialize, Deserialize)]
struct Payload {
    algorithm: String,
    challenge: String,
    number: u64,
    salt: String,
    signature: String,
}

/// Why an answer is refused, worded for the visitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaptchaError {
    #[error("the captcha answer is missing")]
    Missing,
    #[error("the captcha answer is not readable")]
    Malformed,
    #[error("the captcha has expired; please solve a new one")]
    Expired,
    #[error("the captcha answer is wrong")]
    Wrong,
    #[error("the captcha answer was already used; please solve a new one")]
    AlreadyUsed,
}

/// An answer accepted and marked used; see [`Captcha::give_back`].
#[derive(Debug)]
#[must_use = "keep it until the request succeeded, or give it back"]
pub struct Spent(String);

/// Issues and checks challenges under one key.
pub struct Captcha {
    key: hmac::Key,
    max_number: u64,
    lifetime: Duration,
    rng: SystemRandom,
    /// Used challenges and their expiry in Unix seconds.
    used: Mutex<HashMap<String, i64>>,
}

impl fmt::Debug for Captcha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Captcha")
            .field("max_number", &self.max_number)
            .field("lifetime", &self.lifetime)
            .field("remembered", &self.remembered())
            .finish_non_exhaustive()
    }
}

impl Captcha {
    /// `key` signs the challenges (keep it secret; a restart with another key only voids the
    /// challenges in flight); `max_number` is the difficulty, e.g. [`DEFAULT_MAX_NUMBER`].
    pub fn new(key: [u8; 32], max_number: u64) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
            max_number,
            lifetime: Duration::minutes(DEFAULT_LIFETIME_MINUTES),
            rng: SystemRandom::new(),
            used: Mutex::new(HashMap::new()),
        }
    }

    /// Another lifetime than [`DEFAULT_LIFETIME_MINUTES`].
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// A fresh challenge, valid from `now` for the lifetime.
    pub fn challenge(&self, now: DateTime<Utc>) -> Challenge {
        let mut salt_bytes = [0u8; SALT_BYTES];
        self.fill_random(&mut salt_bytes);
        let expires = (now + self.lifetime).timestamp();
        // The closing `&` keeps the expiry from being extended: without it, a client could
        // move leading digits of the number onto the end of the salt (the hashed text stays
        // the same) and so append digits to `expires`.
        let salt = format!("{}?expires={expires}&", hex(&salt_bytes));
        let mut number_bytes = [0u8; 8];
        self.fill_random(&mut number_bytes);
        let number = match self.max_number.checked_add(1) {
            Some(range) => u64::from_le_bytes(number_bytes) % range,
            None => u64::from_le_bytes(number_bytes),
        };
        let challenge = hash_hex(&salt, number);
        let signature = hex(hmac::sign(&self.key, challenge.as_bytes()).as_ref());
        Challenge {
            algorithm: ALGORITHM.to_owned(),
            challenge,
            max_number: self.max_number,
            salt,
            signature,
        }
    }

    /// Accepts `payload` (what the widget sends) once, if it answers a challenge of this key
    /// that has not expired at `now`.
    pub fn verify(&self, payload: &str, now: DateTime<Utc>) -> Result<(), CaptchaError> {
        self.reserve(payload, now).map(|_| ())
    }

    /// [`Self::verify`], and the answer can be handed back with [`Self::give_back`] when the
    /// request it came with did not succeed (a 422 or a 409 must not use up a solved captcha).
    /// The answer is marked used at once, so two requests cannot both spend it.
    pub fn reserve(&self, payload: &str, now: DateTime<Utc>) -> Result<Spent, CaptchaError> {
        let payload = payload.trim();
        if payload.is_empty() {
            return Err(CaptchaError::Missing);
        }
        if payload.len() > MAX_PAYLOAD_LEN {
            return Err(CaptchaError::Malformed);
        }
        let json = PAYLOAD_BASE64
            .decode(payload)
            .map_err(|_| CaptchaError::Malformed)?;
        let answer: Payload = serde_json::from_slice(&json).map_err(|_| CaptchaError::Malformed)?;
        if answer.algorithm != ALGORITHM {
            return Err(CaptchaError::Wrong);
        }
        // First the signature (constant time): from here on the challenge is ours.
        let signature = unhex(&answer.signature).ok_or(CaptchaError::Wrong)?;
        hmac::verify(&self.key, answer.challenge.as_bytes(), &signature)
            .map_err(|_| CaptchaError::Wrong)?;
        // Then the work; it also proves the salt, and with it the expiry, unchanged.
        if hash_hex(&answer.salt, answer.number) != answer.challenge {
            return Err(CaptchaError::Wrong);
        }
        let expires = expiry(&answer.salt).ok_or(CaptchaError::Malformed)?;
        // Never issued that far ahead: not an answer to one of our challenges as issued.
        if expires > (now + self.lifetime).timestamp() {
            return Err(CaptchaError::Wrong);
        }
        let now = now.timestamp();
        if expires <= now {
            return Err(CaptchaError::Expired);
        }
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        used.retain(|_, until| *until > now);
        if used.contains_key(&answer.challenge) {
            return Err(CaptchaError::AlreadyUsed);
        }
        used.insert(answer.challenge.clone(), expires);
        Ok(Spent(answer.challenge))
    }

    /// Makes a reserved answer usable again (its request was refused).
    pub fn give_back(&self, spent: Spent) {
        self.used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&spent.0);
    }

    /// How many used challenges are remembered.
    fn remembered(&self) -> usize {
        self.used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn fill_random(&self, bytes: &mut [u8]) {
        if self.rng.fill(bytes).is_err() {
            // The OS generator does not fail on supported systems; should it, a weaker
            // generator still yields a challenge (the signature, not the randomness, is what
            // makes it unforgeable) instead of taking the booking page down.
            bytes.fill_with(|| fastrand::u8(..));
        }
    }
}

/// Finds the number by brute force, as the widget does, and returns the payload the widget
/// would send; `None` when no number up to `max_number` fits. For tests and API clients.
pub fn solve(challenge: &Challenge) -> Option<String> {
    if challenge.algorithm != ALGORITHM {
        return None;
    }
    let target = unhex(&challenge.challenge)?;
    let mut text = String::with_capacity(challenge.salt.len() + 20);
    let number = (0..=challenge.max_number).find(|number| {
        text.clear();
        text.push_str(&challenge.salt);
        let _ = write!(text, "{number}");
        digest::digest(&digest::SHA256, text.as_bytes()).as_ref() == target.as_slice()
    })?;
    let payload = Payload {
        algorithm: challenge.algorithm.clone(),
        challenge: challenge.challenge.clone(),
        number,
        salt: challenge.salt.clone(),
        signature: challenge.signature.clone(),
    };
    let json = serde_json::to_vec(&payload).ok()?;
    Some(STANDARD.encode(json))
}

fn hash_hex(salt: &str, number: u64) -> String {
    let text = format!("{salt}{number}");
    hex(digest::digest(&digest::SHA256, text.as_bytes()).as_ref())
}

/// The `expires` parameter of a salt like `ab12…?expires=1700000000&`; `None` without the
/// closing `&`, which is what a salt with digits moved onto it looks like.
fn expiry(salt: &str) -> Option<i64> {
    let (_, query) = salt.strip_suffix('&')?.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("expires="))?
        .parse()
        .ok()
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Strict hex (no signs, no spaces), either case.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::Value;

    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn captcha() -> Captcha {
        Captcha::new(KEY, 1000)
    }

    fn solved(captcha: &Captcha) -> String {
        solve(&captcha.challenge(now())).unwrap()
    }

    /// The payload's JSON, changed by `edit`, encoded again.
    fn edited(payload: &str, edit: impl FnOnce(&mut Value)) -> String {
        let mut json: Value = serde_json::from_slice(&STANDARD.decode(payload).unwrap()).unwrap();
        edit(&mut json);
        STANDARD.encode(serde_json::to_vec(&json).unwrap())
    }

    #[test]
    fn solved_challenge_is_accepted_once() {
        let c = captcha();
        let payload = solved(&c);
        assert_eq!(c.verify(&payload, now()), Ok(()));
        assert_eq!(c.verify(&payload, now()), Err(CaptchaError::AlreadyUsed));
        assert_eq!(
            c.verify(&payload, now() + Duration::minutes(5)),
            Err(CaptchaError::AlreadyUsed)
        );
        // Another challenge is still fine.
        assert_eq!(c.verify(&solved(&c), now()), Ok(()));
    }

    #[test]
    fn an_answer_given_back_can_be_used_again_and_only_once_more() {
        let c = captcha();
        let payload = solved(&c);
        let spent = c.reserve(&payload, now()).unwrap();
        assert_eq!(c.verify(&payload, now()), Err(CaptchaError::AlreadyUsed));
        c.give_back(spent);
        assert_eq!(c.verify(&payload, now()), Ok(()));
        assert_eq!(c.verify(&payload, now()), Err(CaptchaError::AlreadyUsed));
    }

    #[test]
    fn default_difficulty_is_solvable() {
        let c = Captcha::new(KEY, DEFAULT_MAX_NUMBER);
        let challenge = c.challenge(now());
        assert_eq!(challenge.max_number, DEFAULT_MAX_NUMBER);
        assert_eq!(c.verify(&solve(&challenge).unwrap(), now()), Ok(()));
    }

    #[test]
    fn challenge_has_the_altcha_shape() {
        let c = captcha();
        let challenge = c.challenge(now());
        let json = serde_json::to_value(&challenge).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["algorithm", "challenge", "maxnumber", "salt", "signature"]
        );
        assert_eq!(json["algorithm"], "SHA-256");
        assert_eq!(json["maxnumber"], 1000);
        let expires = now().timestamp() + 600;
        let (random, query) = challenge.salt.split_once('?').unwrap();
        assert_eq!(random.len(), 2 * SALT_BYTES);
        assert!(random.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(query, format!("expires={expires}&"));
        assert_eq!(challenge.challenge.len(), 64);
        assert_eq!(challenge.signature.len(), 64);
        // The OpenAPI object uses the same name.
        let oai = poem_openapi::types::ToJSON::to_json(&challenge).unwrap();
        assert_eq!(oai, json);
        // Salts are random.
        assert_ne!(c.challenge(now()).salt, challenge.salt);
    }

    #[test]
    fn expired_answers_are_refused() {
        let c = captcha();
        let payload = solved(&c);
        assert_eq!(
            c.verify(&payload, now() + Duration::minutes(10)),
            Err(CaptchaError::Expired)
        );
        assert_eq!(
            c.verify(&payload, now() + Duration::days(365)),
            Err(CaptchaError::Expired)
        );
        let fresh = solved(&c);
        assert_eq!(
            c.verify(&fresh, now() + Duration::minutes(10) - Duration::seconds(1)),
            Ok(())
        );
        let short = Captcha::new(KEY, 10).with_lifetime(Duration::seconds(30));
        let payload = solve(&short.challenge(now())).unwrap();
        assert_eq!(
            short.verify(&payload, now() + Duration::seconds(30)),
            Err(CaptchaError::Expired)
        );
    }

    #[test]
    fn used_challenges_are_forgotten_when_they_expire() {
        let c = captcha();
        assert_eq!(c.verify(&solved(&c), now()), Ok(()));
        assert_eq!(c.verify(&solved(&c), now()), Ok(()));
        assert_eq!(c.remembered(), 2);
        let later = now() + Duration::minutes(11);
        let late = solve(&c.challenge(later)).unwrap();
        assert_eq!(c.verify(&late, later), Ok(()));
        assert_eq!(c.remembered(), 1);
    }

    #[test]
    fn tampered_answers_are_refused() {
        let c = captcha();
        let payload = solved(&c);
        let cases = [
            edited(&payload, |j| {
                let n = j["number"].as_u64().unwrap();
                j["number"] = Value::from(if n == 0 { 1 } else { n - 1 });
            }),
            // A later expiry would give the answer a longer life: the hash no longer fits.
            edited(&payload, |j| {
                let salt = j["salt"].as_str().unwrap();
                let (random, _) = salt.split_once('?').unwrap();
                j["salt"] = Value::from(format!("{random}?expires=9999999999"));
            }),
            edited(&payload, |j| {
                let sig = j["signature"].as_str().unwrap();
                let flipped = if sig.starts_with('0') { "1" } else { "0" };
                j["signature"] = Value::from(format!("{flipped}{}", &sig[1..]));
            }),
            edited(&payload, |j| j["signature"] = Value::from("zz")),
            edited(&payload, |j| j["signature"] = Value::from("")),
            // A challenge of the client's own making, with the signature of another.
            edited(&payload, |j| {
                let salt = format!("00?expires={}", now().timestamp() + 60);
                j["challenge"] = Value::from(hash_hex(&salt, 1));
                j["salt"] = Value::from(salt);
                j["number"] = Value::from(1);
            }),
            edited(&payload, |j| j["algorithm"] = Value::from("SHA-1")),
        ];
        for case in cases {
            assert_eq!(c.verify(&case, now()), Err(CaptchaError::Wrong), "{case}");
        }
        // The genuine answer still works: refusals did not use it up.
        assert_eq!(c.verify(&payload, now()), Ok(()));
    }

    #[test]
    fn another_key_is_refused() {
        let theirs = Captcha::new([8; 32], 1000);
        let payload = solved(&theirs);
        assert_eq!(captcha().verify(&payload, now()), Err(CaptchaError::Wrong));
    }

    #[test]
    fn garbage_is_refused() {
        let c = captcha();
        let payload = solved(&c);
        let base64 = |text: &str| STANDARD.encode(text);
        let cases = [
            ("", CaptchaError::Missing),
            ("  \n", CaptchaError::Missing),
            ("!!!", CaptchaError::Malformed),
            ("garbage", CaptchaError::Malformed),
            (&base64("not json"), CaptchaError::Malformed),
            (&base64("{}"), CaptchaError::Malformed),
            (&base64("null"), CaptchaError::Malformed),
            (
                &edited(&payload, |j| j["number"] = Value::from("12")),
                CaptchaError::Malformed,
            ),
            (
                &edited(&payload, |j| j["number"] = Value::from(-1)),
                CaptchaError::Malformed,
            ),
            (
                &edited(&payload, |j| {
                    j.as_object_mut().unwrap().remove("salt");
                }),
                CaptchaError::Malformed,
            ),
            (&"A".repeat(100_000), CaptchaError::Malformed),
        ];
        for (case, expected) in cases {
            assert_eq!(c.verify(case, now()), Err(expected), "{case:?}");
        }
    }

    #[test]
    fn widget_variations_are_accepted() {
        let c = captcha();
        // Without padding, and with fields the widget adds.
        let payload = edited(&solved(&c), |j| j["took"] = Value::from(1234));
        assert_eq!(c.verify(payload.trim_end_matches('='), now()), Ok(()));
    }

    #[test]
    fn salt_without_expiry_is_refused() {
        // Only a holder of the key could sign one; still no eternal answers.
        let c = captcha();
        for salt in ["00ff", "00ff&", "00ff?other=1&", "00ff?expires=soon&"] {
            let payload = signed_payload(&c, salt);
            assert_eq!(
                c.verify(&payload, now()),
                Err(CaptchaError::Malformed),
                "{salt}"
            );
        }
    }

    #[test]
    fn unsolvable_challenge() {
        let mut challenge = captcha().challenge(now());
        challenge.challenge = "00".repeat(32);
        assert_eq!(solve(&challenge), None);
    }

    #[test]
    fn digits_moved_from_number_to_salt_are_refused() {
        let c = captcha();
        // An answer whose number can be split: "ab" with b not starting with 0.
        let payload = std::iter::repeat_with(|| solved(&c))
            .find(|p| {
                let json: Value = serde_json::from_slice(&STANDARD.decode(p).unwrap()).unwrap();
                let n = json["number"].as_u64().unwrap().to_string();
                n.len() >= 2 && !n[1..].starts_with('0')
            })
            .unwrap();
        let spliced = edited(&payload, |j| {
            let n = j["number"].as_u64().unwrap().to_string();
            let salt = format!("{}{}", j["salt"].as_str().unwrap(), &n[..1]);
            j["salt"] = Value::from(salt);
            j["number"] = Value::from(n[1..].parse::<u64>().unwrap());
        });
        assert_eq!(c.verify(&spliced, now()), Err(CaptchaError::Malformed));
    }

    /// A challenge signed with `c`'s key for `salt`, solved.
    fn signed_payload(c: &Captcha, salt: &str) -> String {
        let challenge = hash_hex(salt, 3);
        let signature = hex(hmac::sign(&c.key, challenge.as_bytes()).as_ref());
        solve(&Challenge {
            algorithm: ALGORITHM.into(),
            challenge,
            max_number: 10,
            salt: salt.to_owned(),
            signature,
        })
        .unwrap()
    }

    #[test]
    fn expiry_beyond_the_lifetime_is_refused() {
        let c = captcha();
        let far = now().timestamp() + 601;
        let payload = signed_payload(&c, &format!("00?expires={far}&"));
        assert_eq!(c.verify(&payload, now()), Err(CaptchaError::Wrong));
        let near = now().timestamp() + 600;
        let payload = signed_payload(&c, &format!("00?expires={near}&"));
        assert_eq!(c.verify(&payload, now()), Ok(()));
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(unhex("000fff"), Some(vec![0, 15, 255]));
        assert_eq!(unhex("000FFF"), Some(vec![0, 15, 255]));
        assert_eq!(unhex("+f"), None);
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("é1"), None);
    }

    #[test]
    fn debug_hides_the_key() {
        let shown = format!("{:?}", captcha());
        assert!(shown.contains("max_number: 1000"), "{shown}");
        assert!(!shown.contains("key"), "{shown}");
    }
}

//! The owner's admin sessions: a login buys an HS256 JWT `{sub: "owner", iat, exp, jti}`.
//!
//! Invariants: only HS256 is accepted (a token whose header says `none` or any other algorithm
//! is refused before its signature is looked at); `exp` is checked against the service's clock
//! (`now` is an argument, fixed in tests) with no leeway. The key is 32 random bytes in
//! `data_dir/admin.key` (0600), separate from `secret.key`: deleting it ends every admin session
//! without breaking a visitor's manage link.

use std::fmt;
use std::io;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::booking::token::{KEY_LEN, key_file};

/// The only subject: there is one owner.
pub const SUBJECT: &str = "owner";

/// What an admin token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at (exclusive), seconds since the epoch.
    pub exp: i64,
    /// A random id per login.
    pub jti: String,
}

/// A token just issued.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why a token was refused. Never shown in detail to the client (all are a 401).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the token is malformed, not HS256, or its signature is wrong")]
    Invalid,
    #[error("the token has expired")]
    Expired,
}

/// Issues and checks admin tokens.
pub struct Sessions {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    length: Duration,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    pub fn from_bytes(key: [u8; KEY_LEN], length: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        // `exp` is checked against the service's clock below, not the crate's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.sub = Some(SUBJECT.to_owned());
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            validation,
            length,
        }
    }

    /// The key in `path` (made on the first start, 0600).
    pub fn load_or_create(path: &Path, length: Duration) -> io::Result<Self> {
        let key = key_file(path)?.map_err(|len| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the admin key file {} has {len} bytes instead of {KEY_LEN}; delete it \
                     (that ends every admin session) or restore it",
                    path.display()
                ),
            )
        })?;
        Ok(Self::from_bytes(key, length))
    }

    /// A new token valid from `now` for the configured session length.
    pub fn issue(&self, now: DateTime<Utc>) -> Result<Issued, jsonwebtoken::errors::Error> {
        let expires_at = now + self.length;
        let claims = Claims {
            sub: SUBJECT.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: random_id(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(Issued { token, expires_at })
    }

    /// The claims of a token made by [`Sessions::issue`] with this key that has not expired
    /// at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, Refused> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| Refused::Invalid)?;
        if now.timestamp() >= data.claims.exp {
            return Err(Refused::Expired);
        }
        Ok(data.claims)
    }
}

/// 128 random bits, hex (token ids, block ids).
pub fn random_id() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        bytes = fastrand::u128(..).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::TimeZone;

    fn sessions(byte: u8) -> Sessions {
        Sessions::from_bytes([byte; KEY_LEN], Duration::minutes(60))
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
    }

    fn b64(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        let s = sessions(1);
        let issued = s.issue(now()).unwrap();
        assert_eq!(issued.expires_at, now() + Duration::minutes(60));
        let claims = s.verify(&issued.token, now()).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.iat),
            (SUBJECT, now().timestamp())
        );
        assert_eq!(claims.jti.len(), 32);
        let last = now() + Duration::minutes(60) - Duration::seconds(1);
        assert!(s.verify(&issued.token, last).is_ok());
        assert_eq!(
            s.verify(&issued.token, now() + Duration::minutes(60)),
            Err(Refused::Expired),
            "no leeway"
        );
        assert_ne!(s.issue(now()).unwrap().token, issued.token, "a new jti");
        assert!(!format!("{issued:?}").contains(&issued.token));
    }

    #[test]
    fn foreign_tampered_and_unsigned_tokens_are_refused() {
        let s = sessions(1);
        let token = s.issue(now()).unwrap().token;
        assert_eq!(sessions(2).verify(&token, now()), Err(Refused::Invalid));

        let (head, rest) = token.split_once('.').unwrap();
        let (body, sig) = rest.split_once('.').unwrap();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap();
        claims["exp"] = serde_json::json!(now().timestamp() + 999_999);
        let longer = b64(&claims.to_string());
        assert_eq!(
            s.verify(&format!("{head}.{longer}.{sig}"), now()),
            Err(Refused::Invalid)
        );
        let mut bad_sig = sig.to_owned().into_bytes();
        bad_sig[3] = if bad_sig[3] == b'A' { b'B' } else { b'A' };
        let bad_sig = String::from_utf8(bad_sig).unwrap();
        assert_eq!(
            s.verify(&format!("{head}.{body}.{bad_sig}"), now()),
            Err(Refused::Invalid)
        );

        for alg in ["none", "None", "HS384", "HS512", "RS256"] {
            let header = b64(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
            for signature in ["", sig] {
                assert_eq!(
                    s.verify(&format!("{header}.{body}.{signature}"), now()),
                    Err(Refused::Invalid),
                    "{alg}"
                );
            }
        }
        for junk in ["", "a.b", "a.b.c", "...", &token[..token.len() - 1]] {
            assert_eq!(s.verify(junk, now()), Err(Refused::Invalid), "{junk}");
        }
    }

    #[test]
    fn other_subjects_are_refused() {
        let s = sessions(1);
        let claims = Claims {
            sub: "visitor".into(),
            iat: now().timestamp(),
            exp: now().timestamp() + 60,
            jti: "x".into(),
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&[1; KEY_LEN]),
        )
        .unwrap();
        assert_eq!(s.verify(&token, now()), Err(Refused::Invalid));
    }

    #[test]
    fn the_key_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("admin.key");
        let a = Sessions::load_or_create(&path, Duration::minutes(5)).unwrap();
        let token = a.issue(now()).unwrap().token;
        let b = Sessions::load_or_create(&path, Duration::minutes(5)).unwrap();
        assert!(b.verify(&token, now()).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").unwrap();
        assert!(Sessions::load_or_create(&path, Duration::minutes(5)).is_err());
    }
}

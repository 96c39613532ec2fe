//! PLACEHOLDER (issue 4): agreed signatures; replaced by the guards branch.
use chrono::{DateTime, Utc};

pub const DEFAULT_MAX_NUMBER: u64 = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum CaptchaError {
    #[error("the captcha is missing")]
    Missing,
}

#[derive(Clone, Debug, serde::Serialize, poem_openapi::Object)]
pub struct Challenge {
    pub algorithm: String,
    pub challenge: String,
    #[oai(rename = "maxnumber")]
    #[serde(rename = "maxnumber")]
    pub max_number: u64,
    pub salt: String,
    pub signature: String,
}

#[derive(Debug)]
pub struct Captcha;

impl Captcha {
    pub fn new(_key: [u8; 32], _max_number: u64) -> Self {
        Captcha
    }
    pub fn challenge(&self, _now: DateTime<Utc>) -> Challenge {
        Challenge {
            algorithm: "SHA-256".into(),
            challenge: String::new(),
            max_number: 1,
            salt: String::new(),
            signature: String::new(),
        }
    }
    pub fn verify(&self, payload: &str, _now: DateTime<Utc>) -> Result<(), CaptchaError> {
        if payload.is_empty() {
            Err(CaptchaError::Missing)
        } else {
            Ok(())
        }
    }
}

pub fn solve(_c: &Challenge) -> Option<String> {
    Some("x".into())
}

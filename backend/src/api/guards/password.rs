//! The owner's password: argon2id PHC strings (`openslot hash-password` makes them, the admin
//! login checks against the one in `[admin]`).
//!
//! Invariant: the password itself is never stored, logged or compared byte by byte; argon2's
//! verification compares the derived hashes in constant time.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("the password is empty")]
    Empty,
    #[error("the system's random number generator failed")]
    Random,
    #[error("argon2 failed: {0}")]
    Argon2(String),
}

/// The argon2id PHC string of `password` (the crate's default parameters, a random 16-byte
/// salt from the system).
pub fn hash(password: &str) -> Result<String, HashError> {
    use ring::rand::SecureRandom;
    if password.is_empty() {
        return Err(HashError::Empty);
    }
    let mut salt = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| HashError::Random)?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Argon2(e.to_string()))
}

/// Whether `password` matches the PHC string `phc` (argon2 with the parameters written in it).
/// A string that is not a valid hash matches nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify("correct horse", &phc));
        assert!(!verify("correct horse ", &phc));
        assert!(!verify("", &phc));
        assert_ne!(
            hash("correct horse").unwrap(),
            phc,
            "a fresh salt each time"
        );
        assert!(matches!(hash(""), Err(HashError::Empty)));
        assert!(!verify("x", "not a hash"));
    }
}

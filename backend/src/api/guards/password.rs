//! The owner's password: argon2id PHC strings (`openslot hash-password` makes them, the admin
//! login checks against the one in `[admin]`).
//!
//! Invariant: the password itself is never stored, logged or compared byte by byte; argon2's
//! verification compares the derived hashes in constant time.
//!
//! Invariant: at most `CONCURRENT_CHECKS` verifications run at once (each takes argon2's
//! memory, 19 MiB with the defaults), whatever the number of clients: a login that cannot start
//! within `CHECK_WAIT` is turned away (`Busy`), so wrong logins from many addresses cannot
//! grow the process that also serves the visitors.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::phc::Output;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher, Version};
use tokio::sync::Semaphore;

/// How many password checks run at once.
pub const CONCURRENT_CHECKS: usize = 2;

/// How long a login waits for its turn before it is turned away.
pub const CHECK_WAIT: Duration = Duration::from_secs(2);

/// Too many logins at once: try again shortly.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks at once")]
pub struct Busy;

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
    verify_in(password, phc, &mut Vec::new())
}

/// [`verify`] with argon2's working memory in `memory` (grown to the hash's size, kept for the
/// next check): a fresh 19 MiB allocation per check is not given back to the system at once
/// (aligned allocations fragment the heap; 90 checks kept 200 MB).
fn verify_in(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    let mut out = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        &mut memory[..blocks],
    );
    // `Output`'s comparison is constant-time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|computed| &computed == expected)
}

/// A password check for the checking threads.
struct Check {
    password: String,
    phc: String,
    answer: tokio::sync::oneshot::Sender<bool>,
}

/// The threads that run argon2: always the same `CONCURRENT_CHECKS` threads, so the memory
/// argon2 takes and the allocator keeps afterwards stays with them (on tokio's blocking pool
/// every new thread kept its own 19 MiB: 450 MB after 90 logins).
fn checkers() -> Option<&'static std::sync::mpsc::Sender<Check>> {
    static CHECKERS: OnceLock<Option<std::sync::mpsc::Sender<Check>>> = OnceLock::new();
    CHECKERS
        .get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<Check>();
            let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
            let mut started = 0;
            for i in 0..CONCURRENT_CHECKS {
                let rx = std::sync::Arc::clone(&rx);
                let spawned = std::thread::Builder::new()
                    .name(format!("password-check-{i}"))
                    .spawn(move || {
                        let mut memory = Vec::new();
                        loop {
                            let next = match rx.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => return,
                            };
                            let Ok(check) = next else { return };
                            let ok = verify_in(&check.password, &check.phc, &mut memory);
                            let _ = check.answer.send(ok);
                        }
                    });
                if spawned.is_ok() {
                    started += 1;
                }
            }
            (started > 0).then_some(tx)
        })
        .as_ref()
}

/// [`verify`] on the checking threads, at most `CONCURRENT_CHECKS` at once; an empty password
/// matches nothing and costs nothing.
pub async fn verify_bounded(password: String, phc: String) -> Result<bool, Busy> {
    if password.is_empty() {
        return Ok(false);
    }
    static TURNS: Semaphore = Semaphore::const_new(CONCURRENT_CHECKS);
    let _turn = tokio::time::timeout(CHECK_WAIT, TURNS.acquire())
        .await
        .map_err(|_| Busy)?
        .map_err(|_| Busy)?;
    let (answer, answered) = tokio::sync::oneshot::channel();
    checkers()
        .ok_or(Busy)?
        .send(Check {
            password,
            phc,
            answer,
        })
        .map_err(|_| Busy)?;
    answered.await.map_err(|_| Busy)
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
        // The hash `openslot hash-password` made before the checks kept their memory.
        let old = "$argon2id$v=19$m=19456,t=2,p=1$zcCAYuC0R4cGEQbJoq4gpQ$AC8L/K/GfB72PjSGEOsNcG5TI6N5VCCs36Ympvsjz/8";
        assert!(verify("hunter2", old));
        assert!(!verify("hunter3", old));
        // Other parameters and variants, one memory for all.
        let mut memory = Vec::new();
        for (m, t, p) in [(8, 1, 1), (64, 3, 2), (19456, 2, 1)] {
            for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d] {
                let params = Params::new(m, t, p, None).unwrap();
                let phc = Argon2::new(algorithm, Version::V0x13, params)
                    .hash_password_with_salt(b"pw", b"saltsaltsalt")
                    .unwrap()
                    .to_string();
                assert!(verify_in("pw", &phc, &mut memory), "{phc}");
                assert!(!verify_in("pW", &phc, &mut memory), "{phc}");
            }
        }
        assert!(!verify("pw", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_two_checks_run_at_once_and_the_rest_are_turned_away() {
        let phc = hash("correct horse").unwrap();
        assert!(matches!(
            verify_bounded("correct horse".into(), phc.clone()).await,
            Ok(true)
        ));
        assert!(matches!(
            verify_bounded(String::new(), phc.clone()).await,
            Ok(false)
        ));
        let started = std::time::Instant::now();
        let checks: Vec<_> = (0..400)
            .map(|_| tokio::spawn(verify_bounded("wrong".into(), phc.clone())))
            .collect();
        let (mut done, mut busy) = (0, 0);
        for check in checks {
            match check.await.unwrap() {
                Ok(ok) => {
                    assert!(!ok);
                    done += 1;
                }
                Err(Busy) => busy += 1,
            }
        }
        // Two at a time for about CHECK_WAIT: far fewer than 400 fit, the rest wait no longer.
        assert!(busy > 0, "{done} checked, none turned away");
        assert!(done >= CONCURRENT_CHECKS, "{done}");
        assert!(
            started.elapsed() < CHECK_WAIT * 3,
            "{:?}",
            started.elapsed()
        );
    }
}

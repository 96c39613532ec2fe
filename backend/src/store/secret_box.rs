//! Encryption at rest of the secrets of dashboard sources (passwords, tokens): ChaCha20-Poly1305
//! from `ring`, a random 96-bit nonce per value, the row's id as associated data (a ciphertext
//! moved to another row does not open), and a 32-byte key read from `server.secrets_key_file`.
//!
//! Invariants: a value that does not open (another key, a moved or damaged row) is an error,
//! never a plaintext fallback; the key file is created 0600 with random bytes when absent, and
//! a key file that others may read, or of the wrong length, is refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// The length of the key file, in bytes.
pub const KEY_LEN: usize = 32;

/// Why the key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or create the secrets key {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the secrets key {path} may be read by others (mode {mode:o}): run `chmod 600 {path}`")]
    Permissions { path: PathBuf, mode: u32 },
    #[error("the secrets key {path} holds {found} bytes, not {KEY_LEN}")]
    Length { path: PathBuf, found: usize },
    #[error("no random numbers from the system")]
    Random,
}

/// Why a value did not open.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error(
        "the stored secret cannot be decrypted: it was saved with another secrets key \
         (server.secrets_key_file) or the row was changed; enter the password again"
    )]
    WrongKey,
    #[error("the stored secret is damaged (the nonce is {0} bytes, not 12)")]
    BadNonce(usize),
}

/// A sealed value as stored: the ciphertext with its tag, and its nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
}

/// The key, ready to seal and open.
pub struct SecretBox {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

impl SecretBox {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        // A 32-byte key is the one length ChaCha20-Poly1305 takes: this cannot fail.
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .unwrap_or_else(|_| unreachable!("a 32-byte ChaCha20 key"));
        SecretBox {
            key: LessSafeKey::new(unbound),
            rng: SystemRandom::new(),
        }
    }

    /// Reads the key at `path`, or creates it (0600, random) when there is no file.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                check_private(path)?;
                let key: [u8; KEY_LEN] =
                    bytes.as_slice().try_into().map_err(|_| KeyError::Length {
                        path: path.to_owned(),
                        found: bytes.len(),
                    })?;
                Ok(Self::from_bytes(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_LEN];
                SystemRandom::new()
                    .fill(&mut key)
                    .map_err(|_| KeyError::Random)?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(io)?;
                file.write_all(&key).map_err(io)?;
                file.sync_all().map_err(io)?;
                Ok(Self::from_bytes(key))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Seals `plaintext` for the row `id`.
    pub fn seal(&self, id: &str, plaintext: &[u8]) -> Result<Sealed, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| KeyError::Random)?;
        let mut in_out = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(id.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| KeyError::Random)?;
        Ok(Sealed {
            ciphertext: in_out,
            nonce: nonce.to_vec(),
        })
    }

    /// Opens a value sealed for the row `id`.
    pub fn open(&self, id: &str, sealed: &Sealed) -> Result<Vec<u8>, OpenError> {
        let nonce = Nonce::try_assume_unique_for_key(&sealed.nonce)
            .map_err(|_| OpenError::BadNonce(sealed.nonce.len()))?;
        let mut in_out = sealed.ciphertext.clone();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(id.as_bytes()), &mut in_out)
            .map_err(|_| OpenError::WrongKey)?;
        Ok(plain.to_vec())
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), KeyError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_for_its_row_only() {
        let b = SecretBox::from_bytes([1; KEY_LEN]);
        let sealed = b.seal("work", b"wonder land").unwrap();
        assert!(!sealed.ciphertext.windows(6).any(|w| w == b"wonder"));
        assert_eq!(b.open("work", &sealed).unwrap(), b"wonder land");
        assert_eq!(b.open("home", &sealed), Err(OpenError::WrongKey));
        let other = SecretBox::from_bytes([2; KEY_LEN]);
        assert_eq!(other.open("work", &sealed), Err(OpenError::WrongKey));
        let mut damaged = sealed.clone();
        damaged.ciphertext[0] ^= 1;
        assert_eq!(b.open("work", &damaged), Err(OpenError::WrongKey));
        damaged.nonce.pop();
        assert_eq!(b.open("work", &damaged), Err(OpenError::BadNonce(11)));
    }

    #[test]
    fn every_value_gets_its_own_nonce() {
        let b = SecretBox::from_bytes([1; KEY_LEN]);
        let (x, y) = (b.seal("a", b"same").unwrap(), b.seal("a", b"same").unwrap());
        assert_ne!(x.nonce, y.nonce);
        assert_ne!(x.ciphertext, y.ciphertext);
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secrets.key");
        let sealed = SecretBox::load_or_create(&path)
            .unwrap()
            .seal("a", b"pw")
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap().len(), KEY_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let again = SecretBox::load_or_create(&path).unwrap();
        assert_eq!(again.open("a", &sealed).unwrap(), b"pw");
    }

    #[test]
    fn a_short_or_shared_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.key");
        std::fs::write(&path, [0u8; 16]).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            let e = SecretBox::load_or_create(&path).unwrap_err().to_string();
            assert!(e.contains("holds 16 bytes, not 32"), "{e}");
            std::fs::write(&path, [0u8; KEY_LEN]).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = SecretBox::load_or_create(&path).unwrap_err().to_string();
            assert!(e.contains("may be read by others (mode 644)"), "{e}");
        }
    }
}

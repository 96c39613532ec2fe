//! Signed tokens: a booking id or a feed URL alone is useless without its token.
//!
//! A token is HMAC-SHA256 over `openslot:{purpose}:{subject}`, so a token made for one purpose
//! or subject proves nothing about another (a manage link cannot open the feeds). The key is
//! 32 random bytes in a file of the data directory, made on the first start and read back on
//! every later one: restarting must not invalidate the links visitors already hold.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// The key file's name in the data directory.
pub const KEY_FILE_NAME: &str = "secret.key";

/// Length of the key file, in bytes.
pub const KEY_LEN: usize = 32;

/// The subject of the feed tokens: there is one owner, so one bookings feed and one
/// free/busy feed.
pub const OWNER: &str = "owner";

/// What a token opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Look up, cancel or reschedule one booking; the subject is the booking id.
    Manage,
    /// `bookings.ics`, with [`OWNER`] as the subject.
    BookingsFeed,
    /// Confirm one pending booking (the link mailed to the visitor); the subject is its id.
    Confirm,
    /// `freebusy.ics`, with [`OWNER`] as the subject.
    FreebusyFeed,
}

impl Purpose {
    /// The name in the signed message; no `:`, which keeps the message unambiguous.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manage => "manage",
            Self::BookingsFeed => "bookings-feed",
            Self::Confirm => "confirm",
            Self::FreebusyFeed => "freebusy-feed",
        }
    }
}

/// The signing key. Its bytes never leave it: not in `Debug`, not in logs.
pub struct TokenKey {
    key: hmac::Key,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &bytes),
        }
    }

    /// The key in the file at `path`, or, when there is no file, a new random key written
    /// there (see [`key_file`]). A file of any other length than 32 bytes is an error:
    /// replacing it would silently break every link already handed out.
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        let bytes = key_file(path)?.map_err(|len| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the token key file {} has {len} bytes instead of {KEY_LEN}; \
                     it is not replaced, because that would invalidate every manage and feed \
                     link; restore it, or delete it to issue new links",
                    path.display(),
                ),
            )
        })?;
        Ok(Self::from_bytes(bytes))
    }

    /// The token for `subject` under `purpose`: base64url without padding, 43 characters.
    pub fn sign(&self, purpose: Purpose, subject: &str) -> String {
        let tag = hmac::sign(&self.key, message(purpose, subject).as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// Whether `token` was made by [`TokenKey::sign`] with this key, purpose and subject. The
    /// comparison takes the same time however much of the token is right; anything that is
    /// not a well-formed token is simply false.
    pub fn verify(&self, purpose: Purpose, subject: &str, token: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        hmac::verify(&self.key, message(purpose, subject).as_bytes(), &tag).is_ok()
    }
}

/// The 32 bytes of the key file at `path`, or, when there is no file, new random bytes written
/// there (mode 0600, through a temporary file and a rename, so that a crash never leaves a
/// half-written key). `Ok(Err(len))`: the file exists with another length (the caller says
/// what replacing it would break).
pub fn key_file(path: &Path) -> io::Result<Result<[u8; KEY_LEN], usize>> {
    match fs::read(path) {
        Ok(bytes) => Ok(<[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| bytes.len())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_key_file(path).map(Ok),
        Err(e) => Err(e),
    }
}

fn create_key_file(path: &Path) -> io::Result<[u8; KEY_LEN]> {
    let mut bytes = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| io::Error::other("the system's random number generator failed"))?;
    let temp = temp_path(path);
    // A leftover from a crash may have other permissions; start afresh.
    match fs::remove_file(&temp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let written = write_private(&temp, &bytes).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    Ok(bytes)
}

fn message(purpose: Purpose, subject: &str) -> String {
    format!("openslot:{}:{subject}", purpose.as_str())
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Writes a new file readable by its owner only, flushed to disk before the rename.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> TokenKey {
        TokenKey::from_bytes([byte; KEY_LEN])
    }

    #[test]
    fn round_trip() {
        let k = key(1);
        for (purpose, subject) in [
            (Purpose::Manage, "b_123"),
            (Purpose::Manage, ""),
            (Purpose::BookingsFeed, OWNER),
            (Purpose::FreebusyFeed, OWNER),
        ] {
            let token = k.sign(purpose, subject);
            assert_eq!(token.len(), 43);
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{token} is not URL safe"
            );
            assert!(k.verify(purpose, subject, &token));
            // Deterministic: the link can be shown again.
            assert_eq!(k.sign(purpose, subject), token);
        }
    }

    #[test]
    fn other_purpose_subject_or_key_refused() {
        let k = key(1);
        let token = k.sign(Purpose::Manage, "b_123");
        assert!(!k.verify(Purpose::Manage, "b_124", &token));
        assert!(!k.verify(Purpose::Manage, "b_12", &token));
        assert!(!k.verify(Purpose::BookingsFeed, "b_123", &token));
        assert!(!key(2).verify(Purpose::Manage, "b_123", &token));
        let feed = k.sign(Purpose::BookingsFeed, OWNER);
        assert!(!k.verify(Purpose::FreebusyFeed, OWNER, &feed));
        assert!(!k.verify(Purpose::Manage, OWNER, &feed));
    }

    #[test]
    fn malformed_tokens_refused() {
        let k = key(1);
        let token = k.sign(Purpose::Manage, "b_123");
        let mut tampered = token.clone().into_bytes();
        tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let cases = [
            tampered.as_str(),
            &token[..42],
            &token[..20],
            "",
            "garbage",
            "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
            &format!("{token}="),
            &format!("{token}A"),
            &format!(" {token}"),
        ];
        for case in cases {
            assert!(!k.verify(Purpose::Manage, "b_123", case), "{case:?}");
        }
        // The standard alphabet's spelling of the same bytes is not the token.
        let standard = token.replace('-', "+").replace('_', "/");
        if standard != token {
            assert!(!k.verify(Purpose::Manage, "b_123", &standard));
        }
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", key(7)), "TokenKey(..)");
    }

    #[test]
    fn key_file_is_made_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.key");
        let first = TokenKey::load_or_create(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap().len(), KEY_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!temp_path(&path).exists());
        let token = first.sign(Purpose::Manage, "b_1");
        let again = TokenKey::load_or_create(&path).unwrap();
        assert!(again.verify(Purpose::Manage, "b_1", &token));
        let bytes: [u8; KEY_LEN] = fs::read(&path).unwrap().try_into().unwrap();
        assert!(TokenKey::from_bytes(bytes).verify(Purpose::Manage, "b_1", &token));
    }

    #[test]
    fn two_new_keys_differ() {
        let dir = tempfile::tempdir().unwrap();
        let a = TokenKey::load_or_create(&dir.path().join("a")).unwrap();
        let b = TokenKey::load_or_create(&dir.path().join("b")).unwrap();
        let token = a.sign(Purpose::Manage, "x");
        assert!(!b.verify(Purpose::Manage, "x", &token));
    }

    #[test]
    fn stale_temp_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.key");
        fs::write(temp_path(&path), b"half").unwrap();
        TokenKey::load_or_create(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap().len(), KEY_LEN);
    }

    #[test]
    fn wrong_length_file_is_an_error_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.key");
        for bytes in [&b""[..], &[0u8; 31], &[0u8; 33], b"not a key at all"] {
            fs::write(&path, bytes).unwrap();
            let e = TokenKey::load_or_create(&path).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
            assert!(e.to_string().contains("token.key"), "{e}");
            assert_eq!(fs::read(&path).unwrap(), bytes);
        }
    }

    #[test]
    fn unreadable_location_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("token.key");
        assert!(TokenKey::load_or_create(&path).is_err());
    }
}

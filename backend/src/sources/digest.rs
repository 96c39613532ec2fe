//! HTTP Digest authentication (RFC 7616) for servers that ask for it instead of Basic (Baïkal's
//! default, Apache's mod_auth_digest in front of a CalDAV server): the `WWW-Authenticate`
//! challenges of a 401 parsed, and the `Authorization` answer to one computed.
//!
//! Pure: the caller brings the client nonce and the nonce count. Supported: MD5, SHA-256 and
//! SHA-512-256, their `-sess` forms, `qop=auth` (or no qop, RFC 2069), `userhash`. Not:
//! `qop=auth-int` (a hash of the body), which no CalDAV server we know asks for alone.
//! The password only ever enters a hash; nothing here prints it.

use md5::{Digest as _, Md5};

/// A hash function of RFC 7616 section 6.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Md5,
    Sha256,
    Sha512_256,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512_256 => "SHA-512-256",
        }
    }

    /// Preference when a server offers several (RFC 7616 3.7: the strongest understood).
    fn strength(self) -> u8 {
        match self {
            Algorithm::Md5 => 0,
            Algorithm::Sha512_256 => 1,
            Algorithm::Sha256 => 2,
        }
    }

    /// Lowercase hex of the hash of `data`.
    fn hex(self, data: &str) -> String {
        let bytes: Vec<u8> = match self {
            Algorithm::Md5 => Md5::digest(data.as_bytes()).to_vec(),
            Algorithm::Sha256 => ring::digest::digest(&ring::digest::SHA256, data.as_bytes())
                .as_ref()
                .to_vec(),
            Algorithm::Sha512_256 => {
                ring::digest::digest(&ring::digest::SHA512_256, data.as_bytes())
                    .as_ref()
                    .to_vec()
            }
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One `Digest` challenge OpenSlot can answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub algorithm: Algorithm,
    /// `MD5-sess` and the like: the first hash also covers the nonces.
    pub sess: bool,
    /// `qop=auth` offered; `false`: the RFC 2069 form without qop.
    pub qop_auth: bool,
    pub userhash: bool,
    /// The nonce expired, the credentials were fine.
    pub stale: bool,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("the server asks for Digest authentication in a form OpenSlot does not support ({0})")]
    Unsupported(String),
}

/// What the `WWW-Authenticate` headers of a 401 offer.
#[derive(Debug, PartialEq, Eq)]
pub struct Offer {
    pub basic: bool,
    /// The best Digest challenge; `Ok(None)`: no Digest challenge at all.
    pub digest: Result<Option<Challenge>, DigestError>,
}

/// Reads every challenge of these header values (a value may hold several, RFC 9110 11.6.1).
pub fn offer<'a>(headers: impl IntoIterator<Item = &'a str>) -> Offer {
    let mut basic = false;
    let mut best: Option<Challenge> = None;
    let mut refused = Vec::new();
    for header in headers {
        for (scheme, params) in challenges(header) {
            if scheme.eq_ignore_ascii_case("basic") {
                basic = true;
            } else if scheme.eq_ignore_ascii_case("digest") {
                match digest_challenge(&params) {
                    Ok(c) => {
                        if best
                            .as_ref()
                            .is_none_or(|b| c.algorithm.strength() > b.algorithm.strength())
                        {
                            best = Some(c);
                        }
                    }
                    Err(why) => refused.push(why),
                }
            }
        }
    }
    let digest = match (best, refused.is_empty()) {
        (Some(c), _) => Ok(Some(c)),
        (None, true) => Ok(None),
        (None, false) => Err(DigestError::Unsupported(refused.join("; "))),
    };
    Offer { basic, digest }
}

fn digest_challenge(params: &[(String, String)]) -> Result<Challenge, String> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let algorithm_name = get("algorithm").unwrap_or("MD5");
    let upper = algorithm_name.to_ascii_uppercase();
    let (base, sess) = match upper.strip_suffix("-SESS") {
        Some(b) => (b, true),
        None => (upper.as_str(), false),
    };
    let algorithm = match base {
        "MD5" => Algorithm::Md5,
        "SHA-256" => Algorithm::Sha256,
        "SHA-512-256" => Algorithm::Sha512_256,
        _ => return Err(format!("algorithm {algorithm_name}")),
    };
    let qop_auth = match get("qop") {
        None => false,
        Some(q) if q.split(',').any(|x| x.trim().eq_ignore_ascii_case("auth")) => true,
        Some(q) => return Err(format!("qop {q}")),
    };
    let (Some(realm), Some(nonce)) = (get("realm"), get("nonce")) else {
        return Err("no realm or nonce".to_owned());
    };
    let yes = |name| get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(Challenge {
        realm: realm.to_owned(),
        nonce: nonce.to_owned(),
        opaque: get("opaque").map(str::to_owned),
        algorithm,
        sess,
        qop_auth,
        userhash: yes("userhash"),
        stale: yes("stale"),
    })
}

/// The challenges of one header value: scheme and parameters (names as sent, values unquoted).
fn challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c == ',' || c == '=' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        let after = rest.trim_start();
        if let Some(value) = after.strip_prefix('=')
            && !value.starts_with('=')
        {
            // name=value of the current challenge.
            let value = value.trim_start();
            let (v, tail) = if let Some(quoted) = value.strip_prefix('"') {
                unquote(quoted)
            } else {
                let e = value
                    .find(|c: char| c == ',' || c.is_ascii_whitespace())
                    .unwrap_or(value.len());
                (value[..e].to_owned(), &value[e..])
            };
            if let Some((_, params)) = out.last_mut() {
                params.push((token.to_owned(), v));
            }
            rest = tail;
        } else if token.is_empty() {
            // A stray `=`: skip it.
            rest = &rest[1..];
        } else {
            out.push((token.to_owned(), Vec::new()));
            // A token68 (`Negotiate abc==`) belongs to the scheme: skip its padding.
            rest = rest.trim_start_matches('=');
        }
    }
}

/// The value of a quoted-string after its opening quote, and what follows its closing one.
fn unquote(text: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    value.push(next);
                }
            }
            '"' => return (value, &text[i + 1..]),
            c => value.push(c),
        }
    }
    (value, "")
}

/// A quoted-string of `text`.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// One request's part of the answer.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The request target: path and query.
    pub uri: &'a str,
    /// A fresh client nonce.
    pub cnonce: &'a str,
    /// How many requests used this server nonce, this one included (1, 2, ...).
    pub nc: u32,
}

/// The `Authorization` header value answering `challenge` for `request`.
pub fn authorization(challenge: &Challenge, user: &str, password: &str, r: Request<'_>) -> String {
    let alg = challenge.algorithm;
    let nc = format!("{:08x}", r.nc);
    let mut ha1 = alg.hex(&format!("{user}:{}:{password}", challenge.realm));
    if challenge.sess {
        ha1 = alg.hex(&format!("{ha1}:{}:{}", challenge.nonce, r.cnonce));
    }
    let ha2 = alg.hex(&format!("{}:{}", r.method, r.uri));
    let response = if challenge.qop_auth {
        alg.hex(&format!(
            "{ha1}:{}:{nc}:{}:auth:{ha2}",
            challenge.nonce, r.cnonce
        ))
    } else {
        alg.hex(&format!("{ha1}:{}:{ha2}", challenge.nonce))
    };
    let username = if challenge.userhash {
        format!(
            "username={}",
            quoted(&alg.hex(&format!("{user}:{}", challenge.realm)))
        )
    } else if user.is_ascii() && !user.chars().any(|c| c.is_ascii_control()) {
        format!("username={}", quoted(user))
    } else {
        // RFC 7616 3.4.4: the extended notation of RFC 8187.
        let encoded: String = user
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        format!("username*=UTF-8''{encoded}")
    };
    let sess = if challenge.sess { "-sess" } else { "" };
    let mut out = format!(
        "Digest {username}, realm={}, uri={}, algorithm={}{sess}, nonce={}",
        quoted(&challenge.realm),
        quoted(r.uri),
        alg.name(),
        quoted(&challenge.nonce)
    );
    if challenge.qop_auth {
        out.push_str(&format!(", nc={nc}, cnonce={}, qop=auth", quoted(r.cnonce)));
    }
    out.push_str(&format!(", response={}", quoted(&response)));
    if let Some(opaque) = &challenge.opaque {
        out.push_str(&format!(", opaque={}", quoted(opaque)));
    }
    if challenge.userhash {
        out.push_str(", userhash=true");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameters of the answer, unquoted.
    fn params(answer: &str) -> Vec<(String, String)> {
        let c = challenges(answer);
        assert_eq!(c.len(), 1, "{answer}");
        assert_eq!(c[0].0, "Digest");
        c[0].1.clone()
    }

    fn param(answer: &str, name: &str) -> Option<String> {
        params(answer)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// RFC 7616 section 3.9.1: the server offers SHA-256 and MD5.
    const RFC_3_9_1: [&str; 2] = [
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, \
         nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
         opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, \
         nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
         opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
    ];

    fn rfc_request() -> Request<'static> {
        Request {
            method: "GET",
            uri: "/dir/index.html",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            nc: 1,
        }
    }

    #[test]
    fn rfc_7616_example_sha_256_and_md5() {
        let offer = offer(RFC_3_9_1);
        assert!(!offer.basic);
        let best = offer.digest.unwrap().unwrap();
        assert_eq!(best.algorithm, Algorithm::Sha256, "the stronger one");
        assert_eq!(best.realm, "http-auth@example.org");
        assert!(best.qop_auth && !best.sess && !best.userhash && !best.stale);
        let answer = authorization(&best, "Mufasa", "Circle of Life", rfc_request());
        assert_eq!(
            param(&answer, "response").as_deref(),
            Some("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
            "{answer}"
        );
        assert_eq!(param(&answer, "username").as_deref(), Some("Mufasa"));
        assert_eq!(param(&answer, "uri").as_deref(), Some("/dir/index.html"));
        assert_eq!(param(&answer, "nc").as_deref(), Some("00000001"));
        assert_eq!(param(&answer, "qop").as_deref(), Some("auth"));
        assert_eq!(param(&answer, "algorithm").as_deref(), Some("SHA-256"));
        assert_eq!(
            param(&answer, "opaque").as_deref(),
            Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        );
        assert!(!answer.contains("Circle"), "{answer}");

        let md5 = offer_of(RFC_3_9_1[1]);
        assert_eq!(md5.algorithm, Algorithm::Md5);
        let answer = authorization(&md5, "Mufasa", "Circle of Life", rfc_request());
        assert_eq!(
            param(&answer, "response").as_deref(),
            Some("8ca523f5e9506fed4657c9700eebdbec"),
            "{answer}"
        );
    }

    fn offer_of(header: &str) -> Challenge {
        offer([header]).digest.unwrap().unwrap()
    }

    /// RFC 7616 section 3.9.2: SHA-512-256, userhash, a non-ASCII user name. The hashes printed
    /// there do not match its own inputs (RFC erratum 4897); the values here are SHA-512/256 of
    /// those inputs, as OpenSSL (Python's hashlib) computes them too.
    #[test]
    fn rfc_7616_example_userhash() {
        let c = offer_of(
            "Digest realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256, \
             nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", \
             opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, userhash=true",
        );
        assert!(c.userhash);
        let answer = authorization(
            &c,
            "J\u{e4}s\u{f8}n Doe",
            "Secret, or not?",
            Request {
                method: "GET",
                uri: "/doe.json",
                cnonce: "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
                nc: 1,
            },
        );
        assert_eq!(
            param(&answer, "username").as_deref(),
            Some("793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"),
            "{answer}"
        );
        assert_eq!(
            param(&answer, "response").as_deref(),
            Some("3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"),
            "{answer}"
        );
        assert_eq!(param(&answer, "userhash").as_deref(), Some("true"));
    }

    /// RFC 2617 section 3.5 (MD5, qop=auth), and its RFC 2069 form without qop.
    #[test]
    fn rfc_2617_example_and_the_form_without_qop() {
        let header = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
                      nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", \
                      opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
        let c = offer_of(header);
        let r = Request {
            method: "GET",
            uri: "/dir/index.html",
            cnonce: "0a4f113b",
            nc: 1,
        };
        let answer = authorization(&c, "Mufasa", "Circle Of Life", r);
        assert_eq!(
            param(&answer, "response").as_deref(),
            Some("6629fae49393a05397450978507c4ef1")
        );
        let old = offer_of(&header.replace("qop=\"auth,auth-int\", ", ""));
        assert!(!old.qop_auth);
        let answer = authorization(&old, "Mufasa", "Circle Of Life", r);
        assert_eq!(param(&answer, "qop"), None);
        assert_eq!(param(&answer, "nc"), None);
        // H(H(A1):nonce:H(A2)) with the same A1 and A2.
        let ha1 = Algorithm::Md5.hex("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = Algorithm::Md5.hex("GET:/dir/index.html");
        let expected =
            Algorithm::Md5.hex(&format!("{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:{ha2}"));
        assert_eq!(param(&answer, "response"), Some(expected));
    }

    #[test]
    fn sess_hashes_the_nonces_into_the_first_hash() {
        let c = offer_of("Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=MD5-sess");
        assert!(c.sess);
        let r = Request {
            method: "PUT",
            uri: "/cal/x.ics?a=b",
            cnonce: "c",
            nc: 10,
        };
        let answer = authorization(&c, "u", "p", r);
        let a = Algorithm::Md5;
        let ha1 = a.hex(&format!("{}:n:c", a.hex("u:r:p")));
        let ha2 = a.hex("PUT:/cal/x.ics?a=b");
        let expected = a.hex(&format!("{ha1}:n:0000000a:c:auth:{ha2}"));
        assert_eq!(param(&answer, "response"), Some(expected));
        assert_eq!(param(&answer, "algorithm").as_deref(), Some("MD5-sess"));
        assert_eq!(param(&answer, "nc").as_deref(), Some("0000000a"));
    }

    #[test]
    fn offers_are_read_from_several_headers_and_challenges() {
        let o = offer(["Basic realm=\"x\", Digest realm=\"r\", nonce=\"a,b\", qop=\"auth\""]);
        assert!(o.basic);
        let c = o.digest.unwrap().unwrap();
        assert_eq!(c.nonce, "a,b");
        assert_eq!(c.algorithm, Algorithm::Md5);

        let o = offer([
            "Negotiate abc==",
            "Digest realm=\"r\", nonce=\"n\", stale=TRUE",
            "Bearer",
        ]);
        assert!(!o.basic);
        let c = o.digest.unwrap().unwrap();
        assert!(c.stale && !c.qop_auth);

        assert_eq!(offer(["Basic realm=\"x\""]).digest, Ok(None));
        assert_eq!(offer(Vec::<&str>::new()).digest, Ok(None));

        let e = offer(["Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""])
            .digest
            .unwrap_err();
        assert!(e.to_string().contains("qop auth-int"), "{e}");
        let e = offer(["Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1"])
            .digest
            .unwrap_err();
        assert!(e.to_string().contains("algorithm SHA-1"), "{e}");
        // A usable challenge wins over one that is not.
        let o = offer([
            "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1",
            "Digest realm=\"r\", nonce=\"n\", algorithm=MD5",
        ]);
        assert_eq!(o.digest.unwrap().unwrap().algorithm, Algorithm::Md5);
    }

    #[test]
    fn quoted_values_escape_and_unescape() {
        let c = offer_of(r#"Digest realm="a \"b\" \\c", nonce="n""#);
        assert_eq!(c.realm, r#"a "b" \c"#);
        let answer = authorization(
            &c,
            "us\"er",
            "p",
            Request {
                method: "GET",
                uri: "/",
                cnonce: "c",
                nc: 1,
            },
        );
        assert_eq!(param(&answer, "realm").as_deref(), Some(r#"a "b" \c"#));
        assert_eq!(param(&answer, "username").as_deref(), Some("us\"er"));
        let answer = authorization(
            &c,
            "Jäsøn",
            "p",
            Request {
                method: "GET",
                uri: "/",
                cnonce: "c",
                nc: 1,
            },
        );
        assert_eq!(
            param(&answer, "username*").as_deref(),
            Some("UTF-8''J%C3%A4s%C3%B8n")
        );
    }
}

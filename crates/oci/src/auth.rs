//! Registry credentials: `WWW-Authenticate` challenges (RFC 7235, as the Docker token spec
//! uses them), Basic credentials, and Docker `config.json` (`kubernetes.io/dockerconfigjson`
//! Secrets) looked up by registry host as the Docker CLI does.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;

/// Registry credentials. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Credentials {
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// One authentication challenge of a `401 Unauthorized` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`:
    /// get a token from the realm (with Basic credentials when there are some).
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    /// `Basic realm="..."`: send the credentials with every request.
    Basic,
    /// Any other scheme, lowercased.
    Other(String),
}

/// Parses the challenges of one `WWW-Authenticate` header value, in order. Unparseable
/// input yields what could be read before it.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut out = Vec::new();
    let mut p = Parser {
        s: header.as_bytes(),
        i: 0,
    };
    loop {
        p.skip_separators();
        let Some(scheme) = p.token() else { break };
        let mut params: BTreeMap<String, String> = BTreeMap::new();
        loop {
            p.skip_ws();
            // A parameter is `name = value`; a token not followed by `=` starts the next
            // challenge (or is a token68, which none of the schemes here use).
            let save = p.i;
            let Some(name) = p.token() else { break };
            p.skip_ws();
            if !p.eat(b'=') {
                p.i = save;
                break;
            }
            p.skip_ws();
            let value = if p.peek() == Some(b'"') {
                p.quoted()
            } else {
                p.token()
            };
            let Some(value) = value else { break };
            params.insert(name.to_ascii_lowercase(), value);
            p.skip_ws();
            if !p.eat(b',') {
                break;
            }
        }
        let challenge = match scheme.to_ascii_lowercase().as_str() {
            "bearer" => match params.remove("realm") {
                Some(realm) => Challenge::Bearer {
                    realm,
                    service: params.remove("service"),
                    scope: params.remove("scope"),
                },
                None => Challenge::Other("bearer".into()),
            },
            "basic" => Challenge::Basic,
            other => Challenge::Other(other.to_string()),
        };
        out.push(challenge);
    }
    out
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    /// An RFC 7230 token.
    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/:".contains(&c) {
                self.i += 1;
            } else {
                break;
            }
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    /// A quoted string with backslash escapes; None when unterminated.
    fn quoted(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    if let Some(n) = self.peek() {
                        out.push(n);
                        self.i += 1;
                    }
                }
                other => out.push(other),
            }
        }
        None
    }
}

/// Why no credentials came out of a Docker config.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DockerConfigError {
    #[error("unable to parse the Docker config: {0}")]
    Parse(String),
    #[error("no auth config for '{0}'")]
    NoEntry(String),
}

/// The credentials a Docker `config.json` holds for `registry` (`host` or `host:port`), found
/// as the Docker CLI finds them: the `auths` entry named exactly so, else the first entry
/// whose key reduces to that host once a scheme and path are cut (`https://host/v1/`). A
/// non-empty `auth` (base64 `user:password`) wins over `username` and `password`. Both may
/// come out empty: the entry exists but grants anonymous access.
pub fn docker_config_credentials(
    config: &[u8],
    registry: &str,
) -> Result<Credentials, DockerConfigError> {
    #[derive(serde::Deserialize)]
    struct Config {
        #[serde(default)]
        auths: BTreeMap<String, Entry>,
    }
    #[derive(serde::Deserialize, Default)]
    struct Entry {
        #[serde(default)]
        username: String,
        #[serde(default)]
        password: String,
        #[serde(default)]
        auth: String,
    }
    let config: Config =
        serde_json::from_slice(config).map_err(|e| DockerConfigError::Parse(e.to_string()))?;
    let entry = config.auths.get(registry).or_else(|| {
        config
            .auths
            .iter()
            .find(|(key, _)| hostname_of(key) == registry)
            .map(|(_, e)| e)
    });
    let entry = entry.ok_or_else(|| DockerConfigError::NoEntry(registry.to_string()))?;
    if entry.auth.is_empty() {
        return Ok(Credentials::basic(&entry.username, &entry.password));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(entry.auth.trim())
        .map_err(|_| {
            DockerConfigError::Parse(format!(
                "the 'auth' field of '{registry}' is not valid base64"
            ))
        })?;
    let decoded = String::from_utf8(decoded).map_err(|_| {
        DockerConfigError::Parse(format!("the 'auth' field of '{registry}' is not UTF-8"))
    })?;
    let (user, password) = decoded.split_once(':').ok_or_else(|| {
        DockerConfigError::Parse(format!(
            "the 'auth' field of '{registry}' is not 'username:password'"
        ))
    })?;
    Ok(Credentials::basic(user, password.trim_end_matches('\0')))
}

/// Docker's `ConvertToHostname`: the key without `http://`/`https://` and without a path.
fn hostname_of(key: &str) -> &str {
    let stripped = key
        .strip_prefix("http://")
        .or_else(|| key.strip_prefix("https://"))
        .unwrap_or(key);
    stripped.split('/').next().unwrap_or(stripped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_token_challenges() {
        let c = parse_challenges(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:stefanprodan/charts/podinfo:pull""#,
        );
        assert_eq!(
            c,
            [Challenge::Bearer {
                realm: "https://ghcr.io/token".into(),
                service: Some("ghcr.io".into()),
                scope: Some("repository:stefanprodan/charts/podinfo:pull".into()),
            }]
        );
        // Unquoted values, odd spacing and case, an escaped quote.
        let c = parse_challenges(
            r#"bearer  realm=https://auth.docker.io/token , service="registry.docker.io" ,scope="a\"b""#,
        );
        assert_eq!(
            c,
            [Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("a\"b".into()),
            }]
        );
    }

    #[test]
    fn parses_several_challenges_in_one_header() {
        let c = parse_challenges(r#"Basic realm="Registry Realm", Bearer realm="https://a/t""#);
        assert_eq!(
            c,
            [
                Challenge::Basic,
                Challenge::Bearer {
                    realm: "https://a/t".into(),
                    service: None,
                    scope: None
                }
            ]
        );
        assert_eq!(
            parse_challenges(r#"Negotiate, Basic realm="x""#),
            [Challenge::Other("negotiate".into()), Challenge::Basic]
        );
        // A Bearer challenge without a realm cannot be answered.
        assert_eq!(
            parse_challenges(r#"Bearer service="x""#),
            [Challenge::Other("bearer".into())]
        );
        assert_eq!(parse_challenges(""), []);
        assert_eq!(parse_challenges(r#"Bearer realm="unterminated"#).len(), 1);
    }

    #[test]
    fn docker_config_entries_are_found_by_host() {
        let config = br#"{"auths":{
            "https://index.docker.io/v1/":{"auth":"ZG9ja2VyOmh1YjpwYXNz"},
            "127.0.0.1:5000":{"username":"fleet","password":"s3cret"},
            "ghcr.io":{"username":"","password":""}
        }}"#;
        assert_eq!(
            docker_config_credentials(config, "127.0.0.1:5000").unwrap(),
            Credentials::basic("fleet", "s3cret")
        );
        // `auth` is base64 `user:password`; the password may hold colons.
        assert_eq!(
            docker_config_credentials(config, "index.docker.io").unwrap(),
            Credentials::basic("docker", "hub:pass")
        );
        assert_eq!(
            docker_config_credentials(config, "ghcr.io").unwrap(),
            Credentials::basic("", "")
        );
        assert_eq!(
            docker_config_credentials(config, "127.0.0.1:5001").unwrap_err(),
            DockerConfigError::NoEntry("127.0.0.1:5001".into())
        );
        assert!(matches!(
            docker_config_credentials(b"{", "x").unwrap_err(),
            DockerConfigError::Parse(_)
        ));
    }

    #[test]
    fn debug_output_hides_the_password() {
        let shown = format!("{:?}", Credentials::basic("u", "hunter2"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

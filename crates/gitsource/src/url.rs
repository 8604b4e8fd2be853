use crate::error::{Error, Result};

/// The transports this crate speaks. `file://` exists for tests and benches; the
/// controller's CRD validation only admits http, https and ssh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
    Ssh,
    Git,
    File,
}

/// A remote URL split into the parts the transport callbacks need.
#[derive(Clone, Debug)]
pub(crate) struct RemoteUrl {
    /// What libgit2 is given.
    pub raw: String,
    /// What error messages show.
    pub redacted: String,
    pub scheme: Scheme,
    pub host: String,
    pub port: Option<u16>,
    pub username: Option<String>,
    /// Password or token embedded in the URL, kept so messages can be scrubbed of it.
    pub password: Option<String>,
}

impl RemoteUrl {
    pub fn parse(raw: &str) -> Result<RemoteUrl> {
        let invalid =
            |reason: &str| Error::invalid("URL", format!("'{}': {reason}", redact_url(raw)));
        if raw.trim() != raw || raw.is_empty() {
            return Err(invalid("empty or surrounded by whitespace"));
        }
        let u = ::url::Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
        let scheme = match u.scheme() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            "ssh" => Scheme::Ssh,
            "git" => Scheme::Git,
            "file" => Scheme::File,
            other => {
                return Err(invalid(&format!(
                    "unsupported scheme '{other}' (want http, https, ssh or git)"
                )));
            }
        };
        let host = u
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_string();
        if scheme != Scheme::File && host.is_empty() {
            return Err(invalid("no host"));
        }
        let username = (!u.username().is_empty()).then(|| percent_decode(u.username()));
        let password = u.password().map(percent_decode);
        Ok(RemoteUrl {
            raw: raw.to_string(),
            redacted: redact_url(raw),
            scheme,
            host,
            port: u.port(),
            username,
            password,
        })
    }
}

/// Whether `url` is an `ssh://` URL, i.e. whether its credentials are an SSH identity and
/// known hosts rather than a username/password or bearer token.
///
/// ```
/// assert!(gitsource::is_ssh_url("ssh://git@example.com/org/repo.git"));
/// assert!(!gitsource::is_ssh_url("https://example.com/org/repo.git"));
/// ```
pub fn is_ssh_url(url: &str) -> bool {
    RemoteUrl::parse(url).is_ok_and(|u| u.scheme == Scheme::Ssh)
}

/// Returns `url` without userinfo, query or fragment, for use in messages.
///
/// ```
/// assert_eq!(
///     gitsource::redact_url("https://user:s3cret@example.com/repo.git?token=x"),
///     "https://example.com/repo.git"
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    match ::url::Url::parse(url) {
        Ok(mut u) if u.has_host() || u.scheme() == "file" => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        // Not a URL we can take apart: keep only what cannot be a secret.
        _ => match url.rfind('@') {
            Some(at) => format!("<redacted>@{}", cut_query(&url[at + 1..])),
            None => cut_query(url).to_string(),
        },
    }
}

fn cut_query(s: &str) -> &str {
    s.split(['?', '#']).next().unwrap_or_default()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Replaces every occurrence of each secret in `message` so libgit2's text can be shown.
pub(crate) fn scrub(message: &str, url: &RemoteUrl, secrets: &[&str]) -> String {
    let mut out = message.replace(&url.raw, &url.redacted);
    for s in secrets
        .iter()
        .copied()
        .chain(url.password.as_deref())
        .filter(|s| s.len() >= 3)
    {
        out = out.replace(s, "<redacted>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_userinfo_query_and_fragment() {
        assert_eq!(
            redact_url("https://user:pa%40ss@example.com:8443/r.git?sig=abc#x"),
            "https://example.com:8443/r.git"
        );
        assert_eq!(
            redact_url("ssh://git@example.com/org/r.git"),
            "ssh://example.com/org/r.git"
        );
        assert_eq!(redact_url("http://tok@host/r"), "http://host/r");
        assert_eq!(
            redact_url("git@github.com:org/repo.git"),
            "<redacted>@github.com:org/repo.git"
        );
        assert_eq!(redact_url("not a url?secret=1"), "not a url");
    }

    #[test]
    fn parses_host_port_and_credentials() {
        let u = RemoteUrl::parse("ssh://deploy@[::1]:2222/srv/repo.git").unwrap();
        assert_eq!(
            (u.scheme, u.host.as_str(), u.port),
            (Scheme::Ssh, "::1", Some(2222))
        );
        assert_eq!(u.username.as_deref(), Some("deploy"));
        let u = RemoteUrl::parse("https://me:p%40ss@example.com/r.git").unwrap();
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(u.redacted, "https://example.com/r.git");
    }

    #[test]
    fn refuses_unsupported_schemes_without_echoing_secrets() {
        let err = RemoteUrl::parse("ext::sh -c touch% /tmp/pwned").unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
        let err = RemoteUrl::parse("ftp://user:hunter2@example.com/r").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(RemoteUrl::parse(" https://example.com/r").is_err());
    }

    #[test]
    fn scrubs_secrets_from_messages() {
        let u = RemoteUrl::parse("https://u:topsecret@example.com/r.git").unwrap();
        let msg = scrub(
            "failed for https://u:topsecret@example.com/r.git: token abcdef",
            &u,
            &["abcdef"],
        );
        assert_eq!(
            msg,
            "failed for https://example.com/r.git: token <redacted>"
        );
    }
}

//! Sprig's `urlParse`/`urlJoin` over a port of Go's `net/url` parsing, escaping and
//! `URL.String()` (the `url` crate normalises differently).

use std::collections::BTreeMap;

use crate::func::{FuncError, FuncMap};
use crate::value::{Str, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if (mode == Mode::Host || mode == Mode::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => false,
                Mode::Host | Mode::Zone => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

/// Go's `url.unescape`; errors are Go's `EscapeError`/`InvalidHostError` texts.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                n += 1;
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(b.len());
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::fmt::quote(&String::from_utf8_lossy(&b[i..end]))
                    ));
                }
                let esc = &s[i..i + 3];
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && esc != "%25" {
                    return Err(format!("invalid URL escape {}", crate::fmt::quote(esc)));
                }
                if mode == Mode::Zone {
                    let v = unhex(b[i + 1]) << 4 | unhex(b[i + 2]);
                    if esc != "%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(format!("invalid URL escape {}", crate::fmt::quote(esc)));
                    }
                }
                i += 3;
            }
            c => {
                if (mode == Mode::Host || mode == Mode::Zone) && c < 0x80 && should_escape(c, mode)
                {
                    return Err(format!(
                        "invalid character {} in host name",
                        crate::fmt::quote(&(c as char).to_string())
                    ));
                }
                i += 1;
            }
        }
    }
    if n == 0 {
        return Ok(s.to_string());
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(unhex(b[i + 1]) << 4 | unhex(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(super::text::lossy(&out))
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

fn valid_encoded(s: &str, mode: Mode) -> bool {
    s.bytes()
        .all(|c| b"!$&'()*+,;=:@[]%".contains(&c) || !should_escape(c, mode))
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    /// `(username, password)`; `None` when there is no userinfo.
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    raw_path: String,
    omit_host: bool,
    force_query: bool,
    raw_query: String,
    fragment: String,
    raw_fragment: String,
}

impl Url {
    /// Go's `url.Parse`, with `parse "URL": …` errors.
    fn parse(raw: &str) -> Result<Url, String> {
        let (u, frag) = match raw.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (raw, None),
        };
        let wrap = |e: String| format!("parse {}: {e}", crate::fmt::quote(u));
        let mut url = Url::parse_inner(u).map_err(wrap)?;
        if let Some(f) = frag.filter(|f| !f.is_empty()) {
            let frag = unescape(f, Mode::Fragment)
                .map_err(|e| format!("parse {}: {e}", crate::fmt::quote(raw)))?;
            url.raw_fragment = if escape(&frag, Mode::Fragment) == f {
                String::new()
            } else {
                f.to_string()
            };
            url.fragment = frag;
        }
        Ok(url)
    }

    fn parse_inner(raw: &str) -> Result<Url, String> {
        if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        let mut url = Url::default();
        if raw == "*" {
            url.path = "*".into();
            return Ok(url);
        }
        let (scheme, mut rest) = get_scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((r, q)) = rest.split_once('?') {
            rest = r;
            url.raw_query = q.to_string();
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Ok(url);
            }
            if rest.split('/').next().unwrap_or("").contains(':') {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let authority_and_path = &rest[2..];
            let (authority, path) = match authority_and_path.find('/') {
                Some(i) => authority_and_path.split_at(i),
                None => (authority_and_path, ""),
            };
            rest = path;
            let (user, host) = parse_authority(&url.scheme, authority)?;
            url.user = user;
            url.host = host;
        } else if !url.scheme.is_empty() && rest.starts_with('/') {
            url.omit_host = true;
        }
        let path = unescape(rest, Mode::Path)?;
        url.raw_path = if escape(&path, Mode::Path) == rest {
            String::new()
        } else {
            rest.to_string()
        };
        url.path = path;
        Ok(url)
    }

    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path, Mode::Path)
            && unescape(&self.raw_path, Mode::Path).as_deref() == Ok(self.path.as_str())
        {
            return self.raw_path.clone();
        }
        if self.path == "*" {
            return "*".into();
        }
        escape(&self.path, Mode::Path)
    }

    fn escaped_fragment(&self) -> String {
        if !self.raw_fragment.is_empty()
            && valid_encoded(&self.raw_fragment, Mode::Fragment)
            && unescape(&self.raw_fragment, Mode::Fragment).as_deref() == Ok(self.fragment.as_str())
        {
            return self.raw_fragment.clone();
        }
        escape(&self.fragment, Mode::Fragment)
    }

    fn userinfo_string(&self) -> Option<String> {
        self.user.as_ref().map(|(name, password)| {
            let mut s = escape(name, Mode::UserPassword);
            if let Some(p) = password {
                s.push(':');
                s.push_str(&escape(p, Mode::UserPassword));
            }
            s
        })
    }

    fn hostname(&self) -> String {
        let mut host = self.host.as_str();
        if let Some(colon) = host.rfind(':')
            && valid_optional_port(&host[colon..])
        {
            host = &host[..colon];
        }
        if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
            host = &host[1..host.len() - 1];
        }
        host.to_string()
    }

    /// Go's `URL.String()`.
    fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            if (!self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some())
                && (!self.omit_host || !self.host.is_empty() || self.user.is_some())
            {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(ui) = self.userinfo_string() {
                    buf.push_str(&ui);
                    buf.push('@');
                }
                if !self.host.is_empty() {
                    buf.push_str(&escape(&self.host, Mode::Host));
                }
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().unwrap_or("").contains(':') {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&self.escaped_fragment());
        }
        buf
    }
}

fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

type UserInfo = Option<(String, Option<String>)>;

fn parse_authority(scheme: &str, authority: &str) -> Result<(UserInfo, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(scheme, at.map_or(authority, |i| &authority[i + 1..]))?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..i];
    let valid = userinfo
        .chars()
        .all(|r| r.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(r));
    if !valid {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => (unescape(userinfo, Mode::UserPassword)?, None),
        Some((name, password)) => (
            unescape(name, Mode::UserPassword)?,
            Some(unescape(password, Mode::UserPassword)?),
        ),
    };
    Ok((Some(user), host))
}

fn parse_host(scheme: &str, host: &str) -> Result<String, String> {
    if let Some(open) = host.rfind('[') {
        if open > 0 {
            return Err("invalid IP-literal".into());
        }
        let Some(close) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let colon_port = &host[close + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                crate::fmt::quote(colon_port)
            ));
        }
        let hostname = &host[1..close];
        let unescaped = match hostname.find("%25") {
            Some(z) => {
                unescape(&hostname[..z], Mode::Host)? + &unescape(&hostname[z..], Mode::Zone)?
            }
            None => unescape(hostname, Mode::Host)?,
        };
        let addr_part = unescaped.split('%').next().unwrap_or("");
        match addr_part.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(_)) => {}
            Ok(std::net::IpAddr::V4(_)) => return Err("invalid IP-literal".into()),
            Err(_) => {
                return Err(format!(
                    "invalid host: ParseAddr({}): unable to parse IP",
                    crate::fmt::quote(&unescaped)
                ));
            }
        }
        return Ok(format!(
            "[{unescaped}]{}",
            unescape(colon_port, Mode::Host)?
        ));
    }
    if let Some(first) = host.find(':') {
        let last = host.rfind(':').unwrap_or(first);
        // Go keeps the first colon for http(s) (strict colons) and the last otherwise.
        let i = if last != first && scheme != "http" && scheme != "https" {
            last
        } else {
            first
        };
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                crate::fmt::quote(colon_port)
            ));
        }
    }
    unescape(host, Mode::Host)
}

fn dict_string(d: &crate::value::Map, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(other) => Err(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            super::conv::kind_of(&other)
        )
        .into()),
    }
}

pub(super) fn register(m: &mut FuncMap) {
    m.add(
        "urlParse",
        "func(v string) map[string]interface {}",
        |_, a| {
            let url = Url::parse(super::conv::str_arg(a, 0))
                .map_err(|e| FuncError::new(format!("unable to parse url: {e}")))?;
            let mut d: BTreeMap<Str, Value> = BTreeMap::new();
            let mut put = |k: &str, v: String| {
                d.insert(Str::from(k), Value::string(v));
            };
            put("scheme", url.scheme.clone());
            put("host", url.host.clone());
            put("hostname", url.hostname());
            put("path", url.path.clone());
            put("query", url.raw_query.clone());
            put("opaque", url.opaque.clone());
            put("fragment", url.fragment.clone());
            put("userinfo", url.userinfo_string().unwrap_or_default());
            Ok(Value::map(d))
        },
    );
    m.add(
        "urlJoin",
        "func(d map[string]interface {}) string",
        |_, a| {
            let d = match &a[0] {
                Value::Map(m) => m.clone(),
                _ => crate::value::Map::new(),
            };
            let mut url = Url {
                scheme: dict_string(&d, "scheme")?,
                host: dict_string(&d, "host")?,
                path: dict_string(&d, "path")?,
                raw_query: dict_string(&d, "query")?,
                opaque: dict_string(&d, "opaque")?,
                fragment: dict_string(&d, "fragment")?,
                ..Url::default()
            };
            let userinfo = dict_string(&d, "userinfo")?;
            if !userinfo.is_empty() {
                let tmp = Url::parse(&format!("proto://{userinfo}@host")).map_err(|e| {
                    FuncError::new(format!("unable to parse userinfo in dict: {e}"))
                })?;
                url.user = tmp.user;
            }
            Ok(Value::string(url.to_go_string()))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_like_net_url() {
        let u = Url::parse("proto://auth@host:80/path?query#fragment").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.hostname().as_str()),
            ("proto", "host:80", "host")
        );
        assert_eq!(u.userinfo_string().as_deref(), Some("auth"));
        assert_eq!(u.to_go_string(), "proto://auth@host:80/path?query#fragment");
        let u = Url::parse("https://a%20b@x/p%3Fq/r s#f g").unwrap();
        assert_eq!(u.path, "/p?q/r s");
        assert_eq!(u.to_go_string(), "https://a%20b@x/p%3Fq/r%20s#f%20g");
        assert_eq!(Url::parse("mailto:me@x").unwrap().opaque, "me@x");
        assert_eq!(
            Url::parse(":x").err().unwrap(),
            r#"parse ":x": missing protocol scheme"#
        );
        assert_eq!(
            Url::parse("http://x/%zz").err().unwrap(),
            r#"parse "http://x/%zz": invalid URL escape "%zz""#
        );
        assert_eq!(
            Url::parse("http://x:y/").err().unwrap(),
            r#"parse "http://x:y/": invalid port ":y" after host"#
        );
    }
}

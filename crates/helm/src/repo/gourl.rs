#[derive(Clone, Copy, PartialEq, Eq)]
enum Enc {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Enc) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Enc::Host | Enc::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Enc::Path => return c == b'?',
            Enc::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Enc::Fragment => return false,
            Enc::Host | Enc::Zone => {}
        },
        _ => {}
    }
    if mode == Enc::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

fn unescape(s: &str, mode: Enc) -> Result<String, String> {
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                n += 1;
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(b.len());
                    return Err(escape_error(&b[i..end]));
                }
                let esc = &b[i..i + 3];
                if mode == Enc::Host && unhex(b[i + 1]) < 8 && esc != b"%25" {
                    return Err(escape_error(esc));
                }
                if mode == Enc::Zone {
                    let v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
                    if esc != b"%25" && v != b' ' && should_escape(v, Enc::Host) {
                        return Err(escape_error(esc));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Enc::Host | Enc::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        gotemplate::fmt::quote(&String::from_utf8_lossy(&[c]))
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
        match b[i] {
            b'%' => {
                out.push((unhex(b[i + 1]) << 4) | unhex(b[i + 2]));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    // Go strings hold any bytes; a Rust String cannot, so invalid UTF-8 is replaced.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn escape_error(b: &[u8]) -> String {
    format!(
        "invalid URL escape {}",
        gotemplate::fmt::quote(&String::from_utf8_lossy(b))
    )
}

fn escape(s: &str, mode: Enc) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            out.push('%');
            out.push(HEX[usize::from(c >> 4)] as char);
            out.push(HEX[usize::from(c & 15)] as char);
        } else {
            out.push(c as char);
        }
    }
    out
}

fn valid_encoded(s: &str, mode: Enc) -> bool {
    s.bytes().all(|c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, mode)
    })
}

#[derive(Clone, Debug)]
struct UserInfo {
    username: String,
    password: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Url {
    scheme: String,
    opaque: String,
    user: Option<UserInfo>,
    host: String,
    pub(super) path: String,
    pub(super) raw_path: String,
    omit_host: bool,
    force_query: bool,
    pub(super) raw_query: String,
    fragment: String,
    raw_fragment: String,
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

fn valid_optional_port(port: &str) -> bool {
    port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
}

fn valid_userinfo(s: &str) -> bool {
    s.chars().all(|r| {
        r.is_ascii_alphanumeric()
            || matches!(
                r,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    })
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
                gotemplate::fmt::quote(colon_port)
            ));
        }
        let colon_port = unescape(colon_port, Enc::Host)?;
        let hostname = &host[1..close.max(1)];
        let unescaped = match hostname.find("%25") {
            Some(z) => unescape(&hostname[..z], Enc::Host)? + &unescape(&hostname[z..], Enc::Zone)?,
            None => unescape(hostname, Enc::Host)?,
        };
        // netip.ParseAddr: an IPv6 address, optionally with a zone; IPv4 is refused
        // inside brackets.
        let (addr, zone) = match unescaped.split_once('%') {
            Some((a, z)) => (a, Some(z)),
            None => (unescaped.as_str(), None),
        };
        if addr.parse::<std::net::Ipv4Addr>().is_ok() && zone.is_none() {
            return Err("invalid IP-literal".into());
        }
        if addr.parse::<std::net::Ipv6Addr>().is_err() || zone == Some("") {
            return Err(format!(
                "invalid host: ParseAddr({}): unable to parse IP",
                gotemplate::fmt::quote(&unescaped)
            ));
        }
        return Ok(format!("[{unescaped}]{colon_port}"));
    }
    if let Some(first) = host.find(':') {
        let last = host.rfind(':').unwrap_or(first);
        // Go 1.26 (Helm v3.22's toolchain) allows several colons only outside HTTP.
        let i = if last != first && !(scheme == "http" || scheme == "https") {
            last
        } else {
            first
        };
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                gotemplate::fmt::quote(colon_port)
            ));
        }
    }
    unescape(host, Enc::Host)
}

impl Url {
    /// Go's `url.Parse`; the error text is Go's `*url.Error`.
    pub(super) fn parse(raw: &str) -> Result<Url, String> {
        let (u, frag) = match raw.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (raw, None),
        };
        let wrap = |what: &str, e: String| format!("parse {}: {e}", gotemplate::fmt::quote(what));
        let mut url = Url::parse_no_fragment(u).map_err(|e| wrap(u, e))?;
        if let Some(f) = frag.filter(|f| !f.is_empty()) {
            url.fragment = unescape(f, Enc::Fragment).map_err(|e| wrap(raw, e))?;
            url.raw_fragment = if escape(&url.fragment, Enc::Fragment) == f {
                String::new()
            } else {
                f.to_string()
            };
        }
        Ok(url)
    }

    fn parse_no_fragment(raw: &str) -> Result<Url, String> {
        if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        let mut url = Url::default();
        if raw == "*" {
            url.path = "*".into();
            return Ok(url);
        }
        let (scheme, rest) = get_scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        let mut rest = rest;
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
            if rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let (authority, path) = match rest[2..].find('/') {
                Some(i) => (&rest[2..2 + i], &rest[2 + i..]),
                None => (&rest[2..], ""),
            };
            let (user, host) = parse_authority(&url.scheme, authority)?;
            url.user = user;
            url.host = host;
            rest = path;
        } else if !url.scheme.is_empty() && rest.starts_with('/') {
            url.omit_host = true;
        }
        url.set_path(rest)?;
        Ok(url)
    }

    fn set_path(&mut self, p: &str) -> Result<(), String> {
        self.path = unescape(p, Enc::Path)?;
        self.raw_path = if escape(&self.path, Enc::Path) == p {
            String::new()
        } else {
            p.to_string()
        };
        Ok(())
    }

    pub(super) fn is_abs(&self) -> bool {
        !self.scheme.is_empty()
    }

    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path, Enc::Path)
            && unescape(&self.raw_path, Enc::Path).is_ok_and(|p| p == self.path)
        {
            return self.raw_path.clone();
        }
        if self.path == "*" {
            return "*".into();
        }
        escape(&self.path, Enc::Path)
    }

    fn escaped_fragment(&self) -> String {
        if !self.raw_fragment.is_empty()
            && valid_encoded(&self.raw_fragment, Enc::Fragment)
            && unescape(&self.raw_fragment, Enc::Fragment).is_ok_and(|f| f == self.fragment)
        {
            return self.raw_fragment.clone();
        }
        escape(&self.fragment, Enc::Fragment)
    }

    /// Go's `ResolveReference` (RFC 3986 section 5.2).
    pub(super) fn resolve_reference(&self, r: &Url) -> Url {
        let mut url = r.clone();
        if r.scheme.is_empty() {
            url.scheme = self.scheme.clone();
        }
        if !r.scheme.is_empty() || !r.host.is_empty() || r.user.is_some() {
            let _ = url.set_path(&resolve_path(&r.escaped_path(), ""));
            return url;
        }
        if !r.opaque.is_empty() {
            url.user = None;
            url.host.clear();
            url.path.clear();
            return url;
        }
        if r.path.is_empty() && !r.force_query && r.raw_query.is_empty() {
            url.raw_query = self.raw_query.clone();
            if r.fragment.is_empty() {
                url.fragment = self.fragment.clone();
                url.raw_fragment = self.raw_fragment.clone();
            }
        }
        if r.path.is_empty() && !self.opaque.is_empty() {
            url.opaque = self.opaque.clone();
            url.user = None;
            url.host.clear();
            url.path.clear();
            return url;
        }
        url.host = self.host.clone();
        url.user = self.user.clone();
        let _ = url.set_path(&resolve_path(&self.escaped_path(), &r.escaped_path()));
        url
    }
}

fn parse_authority(scheme: &str, authority: &str) -> Result<(Option<UserInfo>, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(scheme, at.map_or(authority, |i| &authority[i + 1..]))?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..i];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => UserInfo {
            username: unescape(userinfo, Enc::UserPassword)?,
            password: None,
        },
        Some((u, p)) => UserInfo {
            username: unescape(u, Enc::UserPassword)?,
            password: Some(unescape(p, Enc::UserPassword)?),
        },
    };
    Ok((Some(user), host))
}

/// Go's `resolvePath`: merges and removes dot segments.
fn resolve_path(base: &str, r: &str) -> String {
    let full = if r.is_empty() {
        base.to_string()
    } else if !r.starts_with('/') {
        let i = base.rfind('/').map_or(0, |i| i + 1);
        format!("{}{r}", &base[..i])
    } else {
        r.to_string()
    };
    if full.is_empty() {
        return String::new();
    }
    let mut dst = String::from("/");
    let mut first = true;
    let mut elem = "";
    let mut remaining = full.as_str();
    let mut found = true;
    while found {
        (elem, remaining, found) = match remaining.split_once('/') {
            Some((e, r)) => (e, r, true),
            None => (remaining, "", false),
        };
        match elem {
            "." => first = false,
            ".." => {
                match dst[1..].rfind('/') {
                    Some(i) => dst.truncate(i + 1),
                    None => dst.truncate(1),
                }
                first = dst.len() == 1;
            }
            _ => {
                if !first {
                    dst.push('/');
                }
                dst.push_str(elem);
                first = false;
            }
        }
    }
    if elem == "." || elem == ".." {
        dst.push('/');
    }
    if dst.len() > 1 && dst.as_bytes()[1] == b'/' {
        dst.remove(0);
    }
    dst
}

impl std::fmt::Display for Url {
    /// Go's `URL.String`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let no_authority = self.host.is_empty() && self.user.is_none();
            let omitted = no_authority && (self.scheme.is_empty() || self.omit_host);
            if !omitted {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(ui) = &self.user {
                    buf.push_str(&escape(&ui.username, Enc::UserPassword));
                    if let Some(p) = &ui.password {
                        buf.push(':');
                        buf.push_str(&escape(p, Enc::UserPassword));
                    }
                    buf.push('@');
                }
                if !self.host.is_empty() {
                    buf.push_str(&escape(&self.host, Enc::Host));
                }
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
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
        f.write_str(&buf)
    }
}

//! Sprig's OS, network and path functions: `env`/`expandenv` (which Helm removes),
//! `getHostByName`, Go's `path` package, and `path/filepath` as it behaves on Linux (the
//! same rules with `/`).

use super::conv::str_arg;
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(m: &mut FuncMap) {
    m.add("env", "func(key string) string", |_, a| {
        Ok(Value::string(
            std::env::var(str_arg(a, 0)).unwrap_or_default(),
        ))
    });
    m.add("expandenv", "func(s string) string", |_, a| {
        Ok(Value::string(expand(str_arg(a, 0), |name| {
            std::env::var(name).unwrap_or_default()
        })))
    });
    type PathFn = fn(&str) -> String;
    let path_fns: [(&str, &str, PathFn); 4] = [
        ("base", "osBase", base),
        ("dir", "osDir", dir),
        ("clean", "osClean", clean),
        ("ext", "osExt", |p| ext(p).to_string()),
    ];
    for (name, os_name, f) in path_fns {
        m.add(name, "func(path string) string", move |_, a| {
            Ok(Value::string(f(str_arg(a, 0))))
        });
        m.add(os_name, "func(path string) string", move |_, a| {
            Ok(Value::string(f(str_arg(a, 0))))
        });
    }
    m.add("getHostByName", "func(name string) string", |_, a| {
        get_host_by_name(str_arg(a, 0))
            .map(Value::string)
            .map_err(crate::func::FuncError::from)
    });
    for name in ["isAbs", "osIsAbs"] {
        m.add(name, "func(path string) bool", |_, a| {
            Ok(Value::Bool(str_arg(a, 0).starts_with('/')))
        });
    }
}

/// Sprig's `getHostByName`: one of the host's addresses, picked at random; a name that
/// does not resolve makes Go's `rand.Intn(0)` panic.
fn get_host_by_name(name: &str) -> Result<String, String> {
    use std::net::ToSocketAddrs;
    let mut addrs: Vec<String> = Vec::new();
    if let Ok(resolved) = (name, 0u16).to_socket_addrs() {
        for a in resolved {
            let ip = a.ip().to_string();
            if !addrs.contains(&ip) {
                addrs.push(ip);
            }
        }
    }
    if addrs.is_empty() {
        return Err("invalid argument to Intn".into());
    }
    let i = super::crypto::random_below(addrs.len() as u64) as usize;
    Ok(addrs.swap_remove(i))
}

/// Go's `os.Expand`: `$name`, `${name}` and the shell's one-character specials.
pub fn expand(s: &str, mut mapping: impl FnMut(&str) -> String) -> String {
    fn is_special(c: u8) -> bool {
        matches!(
            c,
            b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-' | b'0'..=b'9'
        )
    }
    fn shell_name(s: &[u8]) -> (&[u8], usize) {
        if s[0] == b'{' {
            if s.len() > 2 && is_special(s[1]) && s[2] == b'}' {
                return (&s[1..2], 3);
            }
            for i in 1..s.len() {
                if s[i] == b'}' {
                    if i == 1 {
                        return (&[], 2);
                    }
                    return (&s[1..i], i + 1);
                }
            }
            return (&[], 1);
        }
        if is_special(s[0]) {
            return (&s[..1], 1);
        }
        let n = s
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        (&s[..n], n)
    }
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut j = 0;
    while j < b.len() {
        if b[j] == b'$' && j + 1 < b.len() {
            out.extend_from_slice(&b[i..j]);
            let (name, w) = shell_name(&b[j + 1..]);
            if name.is_empty() && w > 0 {
                // Bad syntax: Go drops the characters.
            } else if name.is_empty() {
                out.push(b'$');
            } else {
                out.extend_from_slice(mapping(&String::from_utf8_lossy(name)).as_bytes());
            }
            j += w;
            i = j + 1;
        }
        j += 1;
    }
    out.extend_from_slice(&b[i.min(b.len())..]);
    super::text::lossy(&out)
}

/// Go's `path.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`.
pub fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`.
pub fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => return "",
            '.' => return &p[i..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_go() {
        assert_eq!(clean("/foo/../foo/../bar"), "/bar");
        assert_eq!(clean("a/../../b/./c/"), "../b/c");
        assert_eq!(clean("/../.."), "/");
        assert_eq!(clean(""), ".");
        assert_eq!(base("foo/bar/"), "bar");
        assert_eq!(base("///"), "/");
        assert_eq!(dir("foo/bar/baz"), "foo/bar");
        assert_eq!(dir("foo"), ".");
        assert_eq!(dir("/foo"), "/");
        assert_eq!(ext("/foo/bar/baz.txt"), ".txt");
        assert_eq!(ext("/foo.d/bar"), "");
    }

    #[test]
    fn expands_like_os_expand() {
        let env = |n: &str| match n {
            "HOME" => "/root".to_string(),
            "1" => "one".to_string(),
            _ => String::new(),
        };
        assert_eq!(
            expand("$HOME/x ${HOME} $1 ${} ${x $", env),
            "/root/x /root one  x $"
        );
        assert_eq!(expand("a$", env), "a$");
        assert_eq!(expand("$-x", env), "x");
    }
}

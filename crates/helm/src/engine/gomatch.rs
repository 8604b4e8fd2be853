//! Go's `path/filepath.Match` (`/`-separated), for `--show-only` patterns.

/// Whether `name` matches the shell pattern; a malformed pattern matches nothing, as
/// Helm ignores `filepath.Match`'s error.
pub(super) fn matches(pattern: &str, name: &str) -> bool {
    m(pattern.as_bytes(), name.as_bytes()).unwrap_or(false)
}

fn m(p: &[u8], s: &[u8]) -> Option<bool> {
    let (mut pi, mut si) = (0, 0);
    let (mut star_p, mut star_s) = (None, 0);
    while si < s.len() || pi < p.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star_p = Some(pi);
                    star_s = si;
                    pi += 1;
                    continue;
                }
                b'?' if si < s.len() && s[si] != b'/' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' if si < s.len() => {
                    let (ok, next) = class(p, pi, s[si])?;
                    if ok && s[si] != b'/' {
                        pi = next;
                        si += 1;
                        continue;
                    }
                }
                b'\\' if pi + 1 < p.len() && si < s.len() && p[pi + 1] == s[si] => {
                    pi += 2;
                    si += 1;
                    continue;
                }
                c if c != b'*'
                    && c != b'?'
                    && c != b'['
                    && c != b'\\'
                    && si < s.len()
                    && s[si] == c =>
                {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        // Backtrack: the last star takes one more byte, never a separator.
        match star_p {
            Some(sp) if star_s < s.len() && s[star_s] != b'/' => {
                star_s += 1;
                si = star_s;
                pi = sp + 1;
            }
            _ => return Some(false),
        }
    }
    Some(true)
}

fn class(p: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = p.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let &b = p.get(i)?;
        if b == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if b == b'\\' {
            i += 1;
            *p.get(i)?
        } else {
            b
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&b'-') && p.get(i + 1).is_some_and(|&x| x != b']') {
            i += 1;
            hi = if p[i] == b'\\' {
                i += 1;
                *p.get(i)?
            } else {
                p[i]
            };
            i += 1;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Some((matched != negate, i))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn star_stops_at_separators() {
        assert!(matches(
            "templates/subdir/role*",
            "templates/subdir/rolebinding.yaml"
        ));
        assert!(!matches("templates/*", "templates/subdir/role.yaml"));
        assert!(matches("templates/[r-s]ole.yaml", "templates/role.yaml"));
        assert!(matches("t?mplates/x", "templates/x"));
    }
}

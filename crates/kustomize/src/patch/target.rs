//! Patch target selectors: group/version/kind (exact), name/namespace (anchored regexes, as
//! kustomize's `SelectorRegex`), label and annotation selectors (Kubernetes selector syntax).

use serde_json::Value;

use crate::resource::Resource;

/// A `target:` selector.
#[derive(Debug, Clone)]
pub struct Target {
    group: String,
    version: String,
    kind: String,
    name: Option<regex::Regex>,
    namespace: Option<regex::Regex>,
    labels: Selector,
    annotations: Selector,
}

fn anchored(pattern: &str) -> Result<Option<regex::Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|e| e.to_string())
}

impl Target {
    /// Reads a `target:` mapping.
    pub fn from_value(v: &Value) -> Result<Self, String> {
        let field = |name: &str| {
            v.get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Ok(Self {
            group: field("group"),
            version: field("version"),
            kind: field("kind"),
            name: anchored(&field("name"))?,
            namespace: anchored(&field("namespace"))?,
            labels: Selector::parse(&field("labelSelector"))?,
            annotations: Selector::parse(&field("annotationSelector"))?,
        })
    }

    /// Whether the selector picks this resource.
    pub fn matches(&self, r: &Resource) -> bool {
        let gvk = r.gvk();
        let exact = |want: &str, have: &str| want.is_empty() || want == have;
        if !exact(&self.group, &gvk.group)
            || !exact(&self.version, &gvk.version)
            || !exact(&self.kind, &gvk.kind)
        {
            return false;
        }
        // kustomize's selector also accepts the id the resource was loaded with, so targets
        // written against a base keep working after prefixes, suffixes and namespaces.
        let original = r.previous_ids().first();
        if let Some(re) = &self.name
            && !re.is_match(r.name())
            && !original.is_some_and(|o| re.is_match(&o.name))
        {
            return false;
        }
        if let Some(re) = &self.namespace {
            // kustomize's effective namespace: `default` when unset, a marker for cluster kinds.
            let effective = |ns: &str| match ns {
                _ if !r.is_namespaced() => "_non_namespaceable_".to_string(),
                "" => "default".to_string(),
                ns => ns.to_string(),
            };
            if !re.is_match(&effective(r.namespace()))
                && !original.is_some_and(|o| re.is_match(&effective(&o.namespace)))
            {
                return false;
            }
        }
        let map = |key: &str| r.value().get("metadata").and_then(|m| m.get(key)).cloned();
        self.labels.matches(map("labels").as_ref())
            && self.annotations.matches(map("annotations").as_ref())
    }
}

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq)]
enum Req {
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

/// A Kubernetes label selector (`a=b,c!=d,e in (f,g),h notin (i),j,!k`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector(Vec<Req>);

impl Selector {
    /// Parses selector syntax; empty selects everything.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0usize, 0usize);
        for (i, c) in s.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&s[start..]);
        let mut reqs = Vec::new();
        for part in parts.iter().map(|p| p.trim()) {
            if part.is_empty() {
                if s.trim().is_empty() {
                    continue;
                }
                return Err(format!(
                    "unable to parse requirement: found '', expected: identifier in selector {s:?}"
                ));
            }
            reqs.push(parse_req(part).ok_or_else(|| {
                format!("unable to parse requirement {part:?} in selector {s:?}")
            })?);
        }
        Ok(Self(reqs))
    }

    /// Whether a `labels`/`annotations` map satisfies every requirement.
    pub fn matches(&self, map: Option<&Value>) -> bool {
        let get = |k: &str| map.and_then(|m| m.get(k)).and_then(Value::as_str);
        self.0.iter().all(|req| match req {
            Req::Exists(k) => map.and_then(|m| m.get(k)).is_some(),
            Req::NotExists(k) => map.and_then(|m| m.get(k)).is_none(),
            Req::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            Req::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
        })
    }
}

fn parse_req(part: &str) -> Option<Req> {
    let key = |k: &str| {
        let k = k.trim();
        (!k.is_empty() && !k.contains(char::is_whitespace)).then(|| k.to_string())
    };
    if let Some(k) = part.strip_prefix('!') {
        return Some(Req::NotExists(key(k)?));
    }
    if let Some(open) = part.find('(') {
        let inner = part[open + 1..].strip_suffix(')')?;
        let values: Vec<String> = inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        let mut head = part[..open].split_whitespace();
        let (k, op) = (head.next()?, head.next()?);
        if head.next().is_some() {
            return None;
        }
        return match op {
            "in" => Some(Req::In(key(k)?, values)),
            "notin" => Some(Req::NotIn(key(k)?, values)),
            _ => None,
        };
    }
    for (sep, negate) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((k, v)) = part.split_once(sep) {
            let v = v.trim().to_string();
            return Some(if negate {
                Req::NotIn(key(k)?, vec![v])
            } else {
                Req::In(key(k)?, vec![v])
            });
        }
    }
    Some(Req::Exists(key(part)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sel(s: &str, labels: Value) -> bool {
        Selector::parse(s).unwrap().matches(Some(&labels))
    }

    #[test]
    fn selector_syntax() {
        let l = json!({"app": "web", "tier": "front"});
        assert!(sel("", l.clone()));
        assert!(sel("app=web", l.clone()));
        assert!(sel("app==web,tier", l.clone()));
        assert!(!sel("app!=web", l.clone()));
        assert!(sel("env!=prod", l.clone()));
        assert!(sel("app in (web, api)", l.clone()));
        assert!(!sel("app notin (web,api)", l.clone()));
        assert!(sel("env notin (prod)", l.clone()));
        assert!(sel("!env", l.clone()));
        assert!(!sel("!app", l.clone()));
        assert!(!sel("env", l.clone()));
        assert!(!Selector::parse("env").unwrap().matches(None));
        assert!(Selector::parse("a b").is_err());
        assert!(Selector::parse("a,,b").is_err());
    }

    fn res(v: Value) -> Resource {
        Resource::from_value(v).unwrap()
    }

    #[test]
    fn target_matching() {
        let dep = res(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web-1", "labels": {"app": "web"}, "annotations": {"x": "y"}}}));
        let t = |v: Value| Target::from_value(&v).unwrap().matches(&dep);
        assert!(t(json!({"kind": "Deployment", "name": "web-.*"})));
        assert!(!t(json!({"name": "web"})));
        assert!(!t(json!({"name": "eb-1"})));
        assert!(t(json!({"group": "apps", "version": "v1"})));
        assert!(!t(json!({"kind": "Service"})));
        assert!(t(json!({"namespace": "default"})));
        assert!(!t(json!({"namespace": "other"})));
        assert!(t(
            json!({"labelSelector": "app=web", "annotationSelector": "x"})
        ));
        assert!(!t(json!({"annotationSelector": "x=z"})));
        assert!(Target::from_value(&json!({"name": "("})).is_err());
    }
}

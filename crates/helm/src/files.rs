//! The data behind a chart's `.Files` in templates (Helm's `engine.files`): every
//! non-template file of the chart by its path.

use std::collections::BTreeMap;

use base64::Engine as _;

use crate::chart::File;
use crate::gomatch::Glob;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    files: BTreeMap<String, Vec<u8>>,
}

impl Files {
    pub fn new(from: &[File]) -> Files {
        Files {
            files: from
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        }
    }

    /// Contents, or empty when there is no such file.
    pub fn get_bytes(&self, name: &str) -> &[u8] {
        self.files.get(name).map_or(&[], Vec::as_slice)
    }

    /// Contents as a string (Go converts bytes unchanged; invalid UTF-8 is replaced here).
    pub fn get(&self, name: &str) -> String {
        String::from_utf8_lossy(self.get_bytes(name)).into_owned()
    }

    /// The files whose path matches a gobwas/glob pattern (`*` stops at `/`, `**` does
    /// not); a pattern that does not compile matches everything, as in Helm.
    pub fn glob(&self, pattern: &str) -> Files {
        let files = match Glob::compile(pattern) {
            Some(g) => self
                .files
                .iter()
                .filter(|(n, _)| g.matches(n))
                .map(|(n, d)| (n.clone(), d.clone()))
                .collect(),
            None => self.files.clone(),
        };
        Files { files }
    }

    /// The file's lines, without a final empty line for a trailing newline.
    pub fn lines(&self, name: &str) -> Vec<String> {
        let data = self.get(name);
        if data.is_empty() {
            return Vec::new();
        }
        let data = data.strip_suffix('\n').unwrap_or(&data);
        data.split('\n').map(str::to_string).collect()
    }

    /// A ConfigMap `data` body: base name → contents, as YAML.
    pub fn as_config(&self) -> String {
        self.as_yaml_map(|d| String::from_utf8_lossy(d).into_owned())
    }

    /// A Secret `data` body: base name → base64 contents, as YAML.
    pub fn as_secrets(&self) -> String {
        self.as_yaml_map(|d| base64::engine::general_purpose::STANDARD.encode(d))
    }

    fn as_yaml_map(&self, value: impl Fn(&[u8]) -> String) -> String {
        let mut m = serde_json::Map::new();
        for (name, data) in &self.files {
            let base = name.rsplit('/').next().unwrap_or(name);
            m.insert(base.to_string(), serde_json::Value::String(value(data)));
        }
        // The engine's toYAML: an error renders as empty, the final newline is dropped.
        match crate::yaml::to_yaml(&serde_json::Value::Object(m)) {
            Ok(s) => s.strip_suffix('\n').unwrap_or(&s).to_string(),
            Err(_) => String::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Files sorted by path (Go's `range` over the map order in templates).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(n, d)| (n.as_str(), d.as_slice()))
    }
}

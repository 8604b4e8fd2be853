//! Release records as Helm 3 stores them (`release.Release`), so that `helm list`,
//! `helm history` and `helm get` read tk's releases and tk reads Helm's.
//!
//! Storage is a Secret `sh.helm.release.v1.<name>.v<N>` of type `helm.sh/release.v1`
//! whose `data.release` holds base64(gzip(JSON)) (and the API server base64s it once
//! more on the wire).

use std::collections::BTreeMap;
use std::io::{Read, Write};

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::chart::{Chart, File, Lock, Metadata, de_null_default};
use crate::values::Values;
use crate::{Error, Result};

pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// Labels Helm owns on a release Secret; user labels with these names are dropped.
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];
/// Decoded records larger than this are refused (gzip bombs in a tenant's Secret).
pub const MAX_DECODED_SIZE: u64 = 64 << 20;

/// `sh.helm.release.v1.<name>.v<version>`
pub fn secret_name(name: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{name}.v{version}")
}

/// Helm's release status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Unknown,
    Deployed,
    Uninstalled,
    Superseded,
    Failed,
    Uninstalling,
    PendingInstall,
    PendingUpgrade,
    PendingRollback,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Deployed => "deployed",
            Status::Uninstalled => "uninstalled",
            Status::Superseded => "superseded",
            Status::Failed => "failed",
            Status::Uninstalling => "uninstalling",
            Status::PendingInstall => "pending-install",
            Status::PendingUpgrade => "pending-upgrade",
            Status::PendingRollback => "pending-rollback",
        }
    }

    pub fn is_pending(self) -> bool {
        matches!(
            self,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback
        )
    }
}

/// A timestamp as Helm writes it: RFC 3339 with nanoseconds, `""` for Go's zero time.
/// The text is kept as read so that records round-trip unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Time(pub Option<String>);

impl Time {
    pub fn zero() -> Time {
        Time(None)
    }

    /// A UTC time from a Unix timestamp, formatted as Go's `time.Time` marshals.
    pub fn from_unix(secs: i64, nanos: u32) -> Time {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let mut s = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        );
        if nanos > 0 {
            let frac = format!("{nanos:09}");
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push('Z');
        Time(Some(s))
    }

    pub fn now() -> Time {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Time::from_unix(d.as_secs() as i64, d.subsec_nanos())
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_none()
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_deref().unwrap_or(""))
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        Ok(Time(
            s.filter(|s| !s.is_empty() && s != "0001-01-01T00:00:00Z"),
        ))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Info {
    #[serde(default)]
    pub first_deployed: Time,
    #[serde(default)]
    pub last_deployed: Time,
    #[serde(default)]
    pub deleted: Time,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub description: String,
    #[serde(default)]
    pub status: Status,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub notes: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HookExecution {
    #[serde(default)]
    pub started_at: Time,
    #[serde(default)]
    pub completed_at: Time,
    /// `Unknown`, `Running`, `Succeeded`, `Failed`; empty when never run.
    #[serde(default, deserialize_with = "de_null_default")]
    pub phase: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hook {
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub name: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub kind: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub path: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub manifest: String,
    /// `pre-install`, `post-upgrade`, `test`, ...
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub events: Vec<String>,
    #[serde(default)]
    pub last_run: HookExecution,
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "de_null_default"
    )]
    pub weight: i64,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub delete_policies: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub output_log_policies: Vec<String>,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// A Helm release (`release.Release`). `labels` are not part of the JSON: Helm keeps
/// them as labels of the storage Secret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseRecord {
    pub name: String,
    pub info: Info,
    /// The chart as released. Helm stores neither sub-charts nor `Raw` in records.
    pub chart: Chart,
    /// The user-supplied values.
    pub config: Values,
    pub manifest: String,
    pub hooks: Vec<Hook>,
    pub version: i64,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
}

/// The JSON shape of `chart.Chart`.
#[derive(Serialize, Deserialize)]
struct ChartJson {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    lock: Option<Lock>,
    #[serde(
        default,
        serialize_with = "ser_files",
        deserialize_with = "de_null_default"
    )]
    templates: Vec<File>,
    #[serde(default)]
    values: Option<Values>,
    #[serde(default, serialize_with = "ser_schema", deserialize_with = "de_schema")]
    schema: Option<Vec<u8>>,
    #[serde(
        default,
        serialize_with = "ser_files",
        deserialize_with = "de_null_default"
    )]
    files: Vec<File>,
}

fn ser_files<S: Serializer>(files: &Vec<File>, s: S) -> Result<S::Ok, S::Error> {
    // A Go nil slice (nothing loaded) marshals as null.
    if files.is_empty() {
        s.serialize_none()
    } else {
        files.serialize(s)
    }
}

fn ser_schema<S: Serializer>(schema: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match schema {
        None => s.serialize_none(),
        Some(b) => s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

fn de_schema<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    s.map(|s| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    })
    .transpose()
}

#[derive(Serialize, Deserialize)]
struct ReleaseJson {
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<Info>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chart: Option<ChartJson>,
    #[serde(
        default,
        skip_serializing_if = "Values::is_empty",
        deserialize_with = "de_null_default"
    )]
    config: Values,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    manifest: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    hooks: Vec<Hook>,
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "de_null_default"
    )]
    version: i64,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    namespace: String,
}

impl ReleaseRecord {
    /// The record as Go's `json.Marshal(release)` writes it.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let c = &self.chart;
        let json = ReleaseJson {
            name: self.name.clone(),
            info: Some(self.info.clone()),
            chart: Some(ChartJson {
                metadata: Some(c.metadata.clone()),
                lock: c.lock.clone(),
                templates: c.templates.clone(),
                values: Some(c.values.clone()),
                schema: c.schema.clone(),
                files: c.files.clone(),
            }),
            config: self.config.clone(),
            manifest: self.manifest.clone(),
            hooks: self.hooks.clone(),
            version: self.version,
            namespace: self.namespace.clone(),
        };
        crate::gojson::to_vec(&json).map_err(|e| Error::Release(format!("json: {e}")))
    }

    /// Reads a record's JSON (numbers in values become `f64`, as in Go).
    pub fn from_json(data: &[u8]) -> Result<ReleaseRecord> {
        let r: ReleaseJson =
            serde_json::from_slice(data).map_err(|e| Error::Release(format!("json: {e}")))?;
        let chart = r.chart.map(|c| Chart {
            metadata: c.metadata.unwrap_or_default(),
            lock: c.lock,
            templates: c.templates,
            values: float_values(c.values.unwrap_or_default()),
            schema: c.schema,
            files: c.files,
            raw: Vec::new(),
            dependencies: Vec::new(),
        });
        Ok(ReleaseRecord {
            name: r.name,
            info: r.info.unwrap_or_default(),
            chart: chart.unwrap_or_default(),
            config: float_values(r.config),
            manifest: r.manifest,
            hooks: r.hooks,
            version: r.version,
            namespace: r.namespace,
            labels: BTreeMap::new(),
        })
    }

    /// The Secret's `data.release` value (before the API server's own base64):
    /// base64(gzip(json)).
    pub fn encode(&self) -> Result<String> {
        let json = self.to_json()?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&json)
            .map_err(|e| Error::Release(format!("gzip: {e}")))?;
        let bytes = gz
            .finish()
            .map_err(|e| Error::Release(format!("gzip: {e}")))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Reads a Secret's `data.release` value; gzip is optional, as in Helm. The
    /// decompressed size is capped at [`MAX_DECODED_SIZE`].
    pub fn decode(data: &str) -> Result<ReleaseRecord> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(data.trim().as_bytes())
            .map_err(|e| Error::Release(format!("illegal base64 data in release record: {e}")))?;
        let json = if raw.len() > 3 && raw[..3] == [0x1f, 0x8b, 0x08] {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(raw.as_slice())
                .take(MAX_DECODED_SIZE + 1)
                .read_to_end(&mut out)
                .map_err(|e| Error::Release(format!("gzip: {e}")))?;
            if out.len() as u64 > MAX_DECODED_SIZE {
                return Err(Error::Release(format!(
                    "release record is larger than {MAX_DECODED_SIZE} bytes when decompressed"
                )));
            }
            out
        } else {
            raw
        };
        ReleaseRecord::from_json(&json)
    }

    /// The labels of the storage Secret: the release's own labels, then Helm's
    /// (`name`, `owner=helm`, `status`, `version`), plus `createdAt` on create and
    /// `modifiedAt` on update (Unix seconds).
    pub fn secret_labels(
        &self,
        created_at: Option<i64>,
        modified_at: Option<i64>,
    ) -> BTreeMap<String, String> {
        let mut l: BTreeMap<String, String> = self
            .labels
            .iter()
            .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(t) = created_at {
            l.insert("createdAt".into(), t.to_string());
        }
        if let Some(t) = modified_at {
            l.insert("modifiedAt".into(), t.to_string());
        }
        l.insert("name".into(), self.name.clone());
        l.insert("owner".into(), "helm".into());
        l.insert("status".into(), self.info.status.as_str().into());
        l.insert("version".into(), self.version.to_string());
        l
    }

    /// The user labels from a storage Secret's labels (Helm's `filterSystemLabels`).
    pub fn labels_from_secret(labels: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        labels
            .iter()
            .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

fn float_values(v: Values) -> Values {
    match crate::yaml::numbers_to_f64(serde_json::Value::Object(v)) {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("an object stays an object"),
    }
}

//! Chart repository indexes (`index.yaml`) as Helm's `repo.IndexFile` and Flux's
//! source-controller read, query and store them.
//!
//! - [`IndexFile::from_bytes`] is Flux's `IndexFromBytes`: JSON or YAML, empty
//!   input and a missing `apiVersion` refused, null entries and entries failing chart
//!   validation dropped, each chart's versions sorted newest first (Helm's `SortEntries`).
//! - [`IndexFile::chart_version`] is Flux's `getChartVersion` (`HelmChart.spec.version`).
//! - [`IndexFile::to_json_pretty`] is the `json.MarshalIndent` Flux stores as the
//!   HelmRepository artifact.
//! - [`resolve_reference_url`] is Helm's `repo.ResolveReferenceURL` (chart download URLs).
//!
//! ```
//! use helm::repo::{IndexFile, resolve_reference_url};
//! let index = IndexFile::from_bytes(br#"
//! apiVersion: v1
//! entries:
//!   demo:
//!     - {name: demo, version: 1.0.0, urls: [demo-1.0.0.tgz]}
//!     - {name: demo, version: 1.1.0-rc.1, urls: [demo-1.1.0-rc.1.tgz]}
//!     - {name: demo, version: 0.9.0, urls: [demo-0.9.0.tgz]}
//! "#).unwrap();
//! assert_eq!(index.chart_version("demo", "*").unwrap().version(), "1.0.0");
//! assert_eq!(index.chart_version("demo", ">=1.1.0-0").unwrap().version(), "1.1.0-rc.1");
//! let cv = index.chart_version("demo", "<1").unwrap();
//! assert_eq!(
//!     resolve_reference_url("https://charts.example.com/stable?token=x", &cv.urls[0]).unwrap(),
//!     "https://charts.example.com/stable/demo-0.9.0.tgz?token=x"
//! );
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value as Json};
use versionrange::{Constraint, Version};

use crate::chart::{API_VERSION_V1, Metadata};
use crate::{Error, Result};

/// Flux's `MaxIndexSize`: the largest index a HelmRepository may serve (50 MiB).
pub const MAX_INDEX_SIZE: u64 = 50 << 20;
/// Flux's `MaxChartSize`: the largest chart archive it downloads (10 MiB).
pub const MAX_CHART_SIZE: u64 = 10 << 20;
/// Flux's `MaxChartFileSize`: the largest single file inside a chart (5 MiB).
pub const MAX_CHART_FILE_SIZE: u64 = 5 << 20;

/// Helm's `APIVersionV1` for index files.
pub const INDEX_API_VERSION: &str = "v1";

/// Chart validation errors that index loading tolerates: JFrog Artifactory strips the
/// `alias` of dependencies, which makes some indexes repeat a dependency name
/// (helm/helm#12748).
const SKIPPABLE_VALIDATION: &str = "validation: more than one dependency with name or alias";

/// One version of a chart in the index: its Chart.yaml (embedded, as Go embeds
/// `*chart.Metadata`) and where to download it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartVersion {
    pub metadata: Metadata,
    /// Download locations, absolute or relative to the repository URL.
    pub urls: Vec<String>,
    pub created: Timestamp,
    pub removed: bool,
    /// `sha256` of the archive, hex.
    pub digest: String,
    /// Helm 2 fields, ignored but kept so that an index writes back as it was read.
    pub checksum: String,
    pub engine: String,
    pub tiller_version: String,
    pub url: String,
    /// Go tells a nil `urls` (written `null`) from an empty one (`[]`).
    urls_nil: bool,
}

impl Default for ChartVersion {
    /// Go's zero value: no URLs (`null`), zero time.
    fn default() -> ChartVersion {
        ChartVersion {
            metadata: Metadata::default(),
            urls: Vec::new(),
            created: Timestamp::default(),
            removed: false,
            digest: String::new(),
            checksum: String::new(),
            engine: String::new(),
            tiller_version: String::new(),
            url: String::new(),
            urls_nil: true,
        }
    }
}

impl ChartVersion {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn version(&self) -> &str {
        &self.metadata.version
    }
}

/// A chart repository index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexFile {
    /// ChartMuseum's `serverInfo`; numbers are `f64` as Go decodes them.
    pub server_info: Map<String, Json>,
    pub api_version: String,
    pub generated: Timestamp,
    /// Versions of each chart, newest first once loaded.
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    pub public_keys: Vec<String>,
    pub annotations: BTreeMap<String, String>,
    /// Go's nil `entries` map (written `null`).
    entries_nil: bool,
    /// Charts whose version list was `null` rather than a list.
    nil_lists: BTreeSet<String>,
}

impl Default for IndexFile {
    /// Go's zero value (`entries` written `null`).
    fn default() -> IndexFile {
        IndexFile {
            server_info: Map::new(),
            api_version: String::new(),
            generated: Timestamp::default(),
            entries: BTreeMap::new(),
            public_keys: Vec::new(),
            annotations: BTreeMap::new(),
            entries_nil: true,
            nil_lists: BTreeSet::new(),
        }
    }
}

impl IndexFile {
    /// Flux's `IndexFromBytes` with the default cap of [`MAX_INDEX_SIZE`].
    pub fn from_bytes(data: &[u8]) -> Result<IndexFile> {
        IndexFile::from_bytes_limited(data, MAX_INDEX_SIZE)
    }

    /// Flux's `IndexFromBytes`, refusing input larger than `max_size` bytes (Flux's
    /// `--helm-index-max-size`).
    ///
    /// Valid JSON is read as Go's `encoding/json` reads it (strict types, unknown keys
    /// ignored); anything else as `sigs.k8s.io/yaml.UnmarshalStrict` (scalars become
    /// text in string fields, unknown keys are errors).
    pub fn from_bytes_limited(data: &[u8], max_size: u64) -> Result<IndexFile> {
        if data.len() as u64 > max_size {
            return Err(Error::Unsafe(format!(
                "index exceeds the maximum index file size of {max_size} bytes"
            )));
        }
        if data.is_empty() {
            return Err(Error::Parse("empty index.yaml file".into()));
        }
        let (doc, mode) = match serde_json::from_slice::<Json>(data) {
            Ok(doc) => (doc, decode::Mode::Json),
            // Go would take this as JSON; a clear refusal beats guessing further.
            Err(e) if e.to_string().starts_with("recursion limit exceeded") => {
                return Err(Error::Parse(format!(
                    "index is nested too deeply to be read: {e}"
                )));
            }
            Err(_) => (crate::yaml::to_json_raw(data)?, decode::Mode::Yaml),
        };
        let mut index = decode::index(&doc, mode).map_err(Error::Parse)?;
        if index.api_version.is_empty() {
            return Err(Error::Parse("no API version specified".into()));
        }
        for versions in index.entries.values_mut() {
            versions.retain_mut(|cv| {
                if cv.metadata.api_version.is_empty() {
                    cv.metadata.api_version = API_VERSION_V1.into();
                }
                match cv.metadata.validate() {
                    Ok(()) => true,
                    Err(e) => e.to_string().starts_with(SKIPPABLE_VALIDATION),
                }
            });
        }
        index.sort_entries();
        Ok(index)
    }

    /// An empty index as Helm's `NewIndexFile` makes it (without its `time.Now()`).
    pub fn new() -> IndexFile {
        IndexFile {
            api_version: INDEX_API_VERSION.into(),
            entries_nil: false,
            ..IndexFile::default()
        }
    }

    /// Helm's `SortEntries`: each chart's versions newest first, by SemVer precedence;
    /// versions that do not parse go last. Go's unstable sort decides the order of
    /// equal versions, so it is Go's sort that runs here.
    pub fn sort_entries(&mut self) {
        for versions in self.entries.values_mut() {
            let mut keyed: Vec<(Option<Version>, ChartVersion)> = std::mem::take(versions)
                .into_iter()
                .map(|cv| (Version::parse(cv.version()).ok(), cv))
                .collect();
            // sort.Reverse(ChartVersions): Less(i, j) asks ChartVersions.Less(j, i).
            gosort::sort(&mut keyed, &|x, y| chart_versions_less(&y.0, &x.0));
            *versions = keyed.into_iter().map(|(_, cv)| cv).collect();
        }
    }

    /// Flux's `getChartVersion`: an exact version string first; then the newest version
    /// matching `version` as a Masterminds constraint, where `""` and `"*"` mean the
    /// newest release (no pre-releases). Versions that are not strict SemVer (a leading
    /// `v` allowed) are skipped; equal versions go to the newest `created`.
    pub fn chart_version(&self, name: &str, version: &str) -> Result<&ChartVersion> {
        let Some(versions) = self.entries.get(name) else {
            return Err(Error::Chart("no chart name found".into()));
        };
        if versions.is_empty() {
            return Err(Error::Chart("no chart version found".into()));
        }
        if !version.is_empty()
            && let Some(cv) = versions.iter().find(|cv| cv.version() == version)
        {
            return Ok(cv);
        }
        let latest_stable = version.is_empty() || version == "*";
        let constraint = Constraint::parse(if latest_stable { "*" } else { version })
            .map_err(constraint_error)?;
        let mut matched: Vec<(Version, &ChartVersion)> = versions
            .iter()
            .filter_map(|cv| {
                let v = Version::parse_tag(cv.version()).ok()?;
                constraint.check(&v).then_some((v, cv))
            })
            .collect();
        if matched.is_empty() {
            return Err(Error::Chart(format!(
                "no '{name}' chart with version matching '{version}' found"
            )));
        }
        // Flux's sort.SliceStable "less" is the negation of (older, or as old and
        // created earlier): not a strict order when everything ties, so the stable sort
        // itself decides which of fully equal entries comes first.
        gosort::stable(&mut matched, &|l, r| {
            !(l.0 < r.0 || (l.0 == r.0 && l.1.created.before(&r.1.created)))
        });
        Ok(matched[0].1)
    }

    /// The bytes of Go's `json.MarshalIndent(index, "", "  ")` for Helm's
    /// `repo.IndexFile`: Go's field order and `omitempty` rules, `null` for nil lists
    /// and maps, map keys sorted, Go's string escapes and float formatting.
    pub fn to_json_pretty(&self) -> Result<Vec<u8>> {
        let entries = if self.entries_nil && self.entries.is_empty() {
            None
        } else {
            let mut entries = BTreeMap::new();
            for (name, versions) in &self.entries {
                let list = if versions.is_empty() && self.nil_lists.contains(name) {
                    None
                } else {
                    Some(
                        versions
                            .iter()
                            .map(ChartVersionJson::new)
                            .collect::<Result<_>>()?,
                    )
                };
                entries.insert(name.as_str(), list);
            }
            Some(entries)
        };
        let doc = IndexJson {
            server_info: &self.server_info,
            api_version: &self.api_version,
            generated: self.generated.to_json_text()?,
            entries,
            public_keys: &self.public_keys,
            annotations: &self.annotations,
        };
        let mut out = Vec::new();
        let mut ser =
            serde_json::Serializer::with_formatter(&mut out, gojson_pretty::Formatter::new());
        doc.serialize(&mut ser)
            .map_err(|e| Error::Parse(format!("cannot encode index as JSON: {e}")))?;
        Ok(out)
    }
}

/// Masterminds/semver v3.5's texts (the version Helm v3.22 pins): the constraint piece
/// is quoted.
fn constraint_error(e: versionrange::Error) -> Error {
    Error::Chart(match e {
        versionrange::Error::InvalidConstraint { input } => {
            format!("improper constraint: {}", gotemplate::fmt::quote(&input))
        }
        versionrange::Error::InvalidVersion { reason, .. } => reason,
    })
}

/// Helm's `ChartVersions.Less`: a version that does not parse is "less" than anything.
fn chart_versions_less(a: &Option<Version>, b: &Option<Version>) -> bool {
    match (a, b) {
        (None, _) => true,
        (_, None) => false,
        (Some(a), Some(b)) => a < b,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexJson<'a> {
    #[serde(skip_serializing_if = "map_is_empty")]
    server_info: &'a Map<String, Json>,
    api_version: &'a str,
    generated: String,
    entries: Option<BTreeMap<&'a str, Option<Vec<ChartVersionJson<'a>>>>>,
    #[serde(skip_serializing_if = "slice_is_empty")]
    public_keys: &'a [String],
    #[serde(skip_serializing_if = "btree_is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// Go's `ChartVersion`: the embedded metadata's fields first, then its own.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChartVersionJson<'a> {
    #[serde(flatten)]
    metadata: &'a Metadata,
    urls: Option<&'a [String]>,
    created: String,
    #[serde(skip_serializing_if = "is_false")]
    removed: bool,
    #[serde(skip_serializing_if = "str_is_empty")]
    digest: &'a str,
    #[serde(skip_serializing_if = "str_is_empty")]
    checksum: &'a str,
    #[serde(skip_serializing_if = "str_is_empty")]
    engine: &'a str,
    #[serde(skip_serializing_if = "str_is_empty")]
    tiller_version: &'a str,
    #[serde(skip_serializing_if = "str_is_empty")]
    url: &'a str,
}

impl<'a> ChartVersionJson<'a> {
    fn new(cv: &'a ChartVersion) -> Result<ChartVersionJson<'a>> {
        Ok(ChartVersionJson {
            metadata: &cv.metadata,
            urls: (!(cv.urls_nil && cv.urls.is_empty())).then_some(cv.urls.as_slice()),
            created: cv.created.to_json_text()?,
            removed: cv.removed,
            digest: &cv.digest,
            checksum: &cv.checksum,
            engine: &cv.engine,
            tiller_version: &cv.tiller_version,
            url: &cv.url,
        })
    }
}

fn map_is_empty(m: &&Map<String, Json>) -> bool {
    m.is_empty()
}

fn slice_is_empty(s: &&[String]) -> bool {
    s.is_empty()
}

fn btree_is_empty(m: &&BTreeMap<String, String>) -> bool {
    m.is_empty()
}

fn str_is_empty(s: &&str) -> bool {
    s.is_empty()
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Helm's `repo.ResolveReferenceURL`: an absolute `reference` is returned as written;
/// a relative one is resolved against `repo_url` taken as a directory (a trailing
/// slash added), and the result keeps the repository URL's query string (signed or
/// token-bearing repository URLs).
pub fn resolve_reference_url(repo_url: &str, reference: &str) -> Result<String> {
    let parsed_ref = gourl::Url::parse(reference)
        .map_err(|e| Error::Parse(format!("failed to parse {reference} as URL: {e}")))?;
    if parsed_ref.is_abs() {
        return Ok(reference.to_string());
    }
    let mut base = gourl::Url::parse(repo_url)
        .map_err(|e| Error::Parse(format!("failed to parse {repo_url} as URL: {e}")))?;
    base.raw_path = format!(
        "{}/",
        base.raw_path.strip_suffix('/').unwrap_or(&base.raw_path)
    );
    base.path = format!("{}/", base.path.strip_suffix('/').unwrap_or(&base.path));
    let mut resolved = base.resolve_reference(&parsed_ref);
    resolved.raw_query = base.raw_query.clone();
    Ok(resolved.to_string())
}

/// An instant as Go's `time.Time` carries it through JSON: the instant and the UTC
/// offset it was written with. Text is RFC 3339 in, Go's `RFC3339Nano` out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    secs: i64,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
}

/// Go's zero `time.Time`, 0001-01-01T00:00:00Z, in Unix seconds.
const GO_ZERO_SECS: i64 = -62_135_596_800;

impl Default for Timestamp {
    /// Go's zero time (`0001-01-01T00:00:00Z`), which is what Go writes for an absent one.
    fn default() -> Timestamp {
        Timestamp {
            secs: GO_ZERO_SECS,
            nanos: 0,
            offset: 0,
        }
    }
}

impl Timestamp {
    /// A UTC instant from Unix seconds and nanoseconds (clamped to below one second).
    pub fn from_unix(secs: i64, nanos: u32) -> Timestamp {
        Timestamp {
            secs,
            nanos: nanos.min(999_999_999),
            offset: 0,
        }
    }

    /// Go's `time.Time.UnmarshalJSON` of a string: what `time.Parse(time.RFC3339, s)`
    /// accepts (Go 1.26 leaves its stricter RFC 3339 checks switched off), at most nine
    /// fractional digits kept. Errors carry Go's `time.ParseError` text.
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp> {
        go_time::parse(s.as_bytes()).map_err(Error::Parse)
    }

    /// The JSON string Go's `Time.MarshalJSON` writes, which refuses offsets of a day or
    /// more (`+24:00` parses, but cannot be written back).
    pub fn to_json_text(&self) -> Result<String> {
        if self.offset.unsigned_abs() / 3600 >= 24 {
            return Err(Error::Parse(
                "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: timezone hour outside of range [0,23]"
                    .into(),
            ));
        }
        Ok(self.to_string())
    }

    pub fn is_zero(&self) -> bool {
        self.secs == GO_ZERO_SECS && self.nanos == 0
    }

    /// Go's `Before`: compares instants, offsets aside.
    pub fn before(&self, other: &Timestamp) -> bool {
        (self.secs, self.nanos) < (other.secs, other.nanos)
    }

    pub fn unix_secs(&self) -> i64 {
        self.secs
    }
}

/// Go's `RFC3339Nano`: fraction without trailing zeros, `Z` for a zero offset.
impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let local = self.secs + i64::from(self.offset);
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let sod = local.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )?;
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        if self.offset == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let off = self.offset.unsigned_abs() / 60;
        write!(f, "{sign}{:02}:{:02}", off / 60, off % 60)
    }
}

/// Go's `time.Parse` with the `RFC3339` layout.
mod go_time;

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Decoding the index document (already JSON) into the Go structs' shapes, with Go's
/// rules for both ways Flux reads it.
mod decode;

/// Go's `encoding/json` text for `MarshalIndent(v, "", "  ")`: serde_json's pretty
/// layout (identical to Go's) with Go's escapes and float formatting.
mod gojson_pretty;

/// Go's `sort.Sort` (pattern-defeating quicksort) and `sort.Stable` (insertion-sorted
/// blocks merged with SymMerge), step for step: which of two equal elements comes
/// first is part of what Helm and Flux pick, so only Go's algorithms give Go's answer.
mod gosort;

/// The subset of Go's `net/url` that `ResolveReferenceURL` goes through: `Parse`,
/// `IsAbs`, `ResolveReference` and `String`, with Go's escaping rules, so that
/// chart URLs come out byte for byte as Helm and Flux compute them.
mod gourl;

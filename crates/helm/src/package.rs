//! Chart archives as Helm's `chartutil.Save` writes them, and the changes Flux's
//! source-controller makes to a chart before packaging it: values files merged into
//! `values.yaml` (`mergeChartValues`, `OverwriteChartDefaultValues`) and build metadata
//! added to the version.
//!
//! ```
//! use helm::{loader, package};
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n").unwrap();
//! std::fs::write(dir.path().join("values.yaml"), "replicas: 1\n").unwrap();
//! std::fs::write(dir.path().join("values-prod.yaml"), "replicas: 3\nimage: {tag: v2}\n").unwrap();
//! let mut chart = loader::load(dir.path(), &loader::Limits::default()).unwrap();
//!
//! let used = package::merge_values_files(
//!     &mut chart,
//!     &["values.yaml".into(), "values-prod.yaml".into()],
//!     false,
//! ).unwrap();
//! assert_eq!(used, ["values.yaml", "values-prod.yaml"]);
//! assert_eq!(package::set_version_metadata(&mut chart, "4").unwrap(), "0.1.0+4");
//! assert_eq!(package::file_name(&chart), "demo-0.1.0+4.tgz");
//!
//! let mut tgz = Vec::new();
//! package::save(&chart, &mut tgz).unwrap();
//! let back = loader::load_archive(tgz.as_slice(), &loader::Limits::default()).unwrap();
//! assert_eq!(back.metadata.version, "0.1.0+4");
//! assert_eq!(serde_json::Value::Object(back.values).to_string(), r#"{"image":{"tag":"v2"},"replicas":3.0}"#);
//! ```

use std::io::Write;

use flate2::{Compression, GzBuilder};
use serde_json::Value as Json;

use crate::chart::{API_VERSION_V1, API_VERSION_V2, Chart, Lock, Metadata};
use crate::repo::Timestamp;
use crate::values::Values;
use crate::{Error, Result};

/// The gzip header comment Helm writes.
pub const GZIP_COMMENT: &str = "Helm";
/// The gzip header "extra" bytes Helm writes (`chartutil.headerBytes`).
pub const GZIP_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

const VALUES_FILE: &str = "values.yaml";
const SCHEMA_FILE: &str = "values.schema.json";

/// `<name>-<version>.tgz`, the file name Helm gives an archive.
pub fn file_name(chart: &Chart) -> String {
    format!("{}-{}.tgz", chart.name(), chart.metadata.version)
}

/// Helm's `chartutil.Save` into `out`, entries dated now (rounded to the second, as Go's
/// tar writer does).
pub fn save(chart: &Chart, out: impl Write) -> Result<()> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() + u64::from(now.subsec_nanos() >= 500_000_000);
    save_with_mtime(chart, out, i64::try_from(secs).unwrap_or(i64::MAX))
}

/// [`save`] with every entry dated `mtime` (Unix seconds), for reproducible archives.
///
/// The archive is a gzip stream with Helm's header (comment `Helm`, [`GZIP_EXTRA`]) of a
/// USTAR tar: `<name>/Chart.yaml` (the metadata as `sigs.k8s.io/yaml` writes it, keys
/// sorted; an apiVersion v1 chart leaves its dependencies to requirements.yaml),
/// `<name>/Chart.lock` (v2 charts with a lock), `values.yaml` as loaded,
/// `values.schema.json`, templates, other files, then each dependency under
/// `<name>/charts/<dependency>/`, all mode 0644.
///
/// On error `out` holds a partial archive (Helm removes its file): write to a temporary
/// file and rename it into place.
pub fn save_with_mtime(chart: &Chart, out: impl Write, mtime: i64) -> Result<()> {
    // Go validates (and so sanitises) the top chart's metadata in place before writing.
    let mut top = chart.metadata.clone();
    top.validate()
        .map_err(|e| Error::Chart(format!("chart validation: {e}")))?;
    let gz = GzBuilder::new()
        .extra(GZIP_EXTRA)
        .comment(GZIP_COMMENT)
        .mtime(0)
        .operating_system(255)
        .write(out, Compression::default());
    let mut tar = tar_writer::TarWriter::new(gz, mtime.max(0));
    write_chart(&mut tar, chart, &top, "")?;
    let gz = tar.finish().map_err(write_error)?;
    gz.finish().map_err(write_error)?;
    Ok(())
}

fn write_error(e: std::io::Error) -> Error {
    Error::Io {
        context: "error writing chart archive".into(),
        source: e,
    }
}

/// Helm's `writeTarContents` for one chart and, recursively, its dependencies.
fn write_chart<W: Write>(
    tar: &mut tar_writer::TarWriter<W>,
    chart: &Chart,
    metadata: &Metadata,
    prefix: &str,
) -> Result<()> {
    let name = &metadata.name;
    if name != path_base(name) {
        return Err(Error::Chart(format!(
            "{} is not a valid chart name",
            gotemplate::fmt::quote(name)
        )));
    }
    let base = if prefix.is_empty() {
        name.clone()
    } else {
        format!("{prefix}/{name}")
    };
    let mut put = |file: &str, data: &[u8]| -> Result<()> {
        let path = crate::loader::clean_path(&format!("{base}/{file}"));
        if !path.starts_with(&format!("{base}/")) {
            return Err(Error::Unsafe(format!(
                "chart {} has a file named {} that lies outside the chart directory; rename or remove it",
                gotemplate::fmt::quote(name),
                gotemplate::fmt::quote(file)
            )));
        }
        tar.append(&path, data).map_err(write_error)
    };

    put("Chart.yaml", &chart_yaml(metadata)?)?;
    if metadata.api_version == API_VERSION_V2
        && let Some(lock) = &chart.lock
    {
        put("Chart.lock", &lock_yaml(name, lock)?)?;
    }
    for f in chart.raw.iter().filter(|f| f.name == VALUES_FILE) {
        put(VALUES_FILE, &f.data)?;
    }
    if let Some(schema) = &chart.schema {
        if !is_valid_json(schema) {
            return Err(Error::Chart(format!("Invalid JSON in {SCHEMA_FILE}")));
        }
        put(SCHEMA_FILE, schema)?;
    }
    for f in chart.templates.iter().chain(&chart.files) {
        put(&f.name, &f.data)?;
    }
    let charts = format!("{base}/charts");
    for dep in &chart.dependencies {
        write_chart(tar, dep, &dep.metadata, &charts)?;
    }
    Ok(())
}

/// Go's `filepath.Base` on a Unix path.
fn path_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    t.rsplit('/').next().unwrap_or(t)
}

/// Chart.yaml as `sigs.k8s.io/yaml.Marshal(metadata)` writes it.
fn chart_yaml(metadata: &Metadata) -> Result<Vec<u8>> {
    let mut md = metadata.clone();
    // A v1 chart's dependencies live in requirements.yaml, which is one of its files.
    if md.api_version == API_VERSION_V1 {
        md.dependencies.clear();
    }
    let json = serde_json::to_value(&md)
        .map_err(|e| Error::Chart(format!("cannot encode Chart.yaml: {e}")))?;
    Ok(crate::yaml::to_yaml(&json)?.into_bytes())
}

/// Chart.lock as Go writes a `chart.Lock`: `generated` goes through `time.Time`, so it
/// is rewritten in Go's RFC 3339 form.
fn lock_yaml(chart: &str, lock: &Lock) -> Result<Vec<u8>> {
    let generated = Timestamp::parse_rfc3339(&lock.generated).map_err(|e| {
        Error::Chart(format!(
            "chart {}: Chart.lock field generated: {e}; regenerate the lock with `helm dependency update`",
            gotemplate::fmt::quote(chart)
        ))
    })?;
    let mut json = serde_json::to_value(lock)
        .map_err(|e| Error::Chart(format!("cannot encode Chart.lock: {e}")))?;
    json["generated"] = Json::String(generated.to_string());
    Ok(crate::yaml::to_yaml(&json)?.into_bytes())
}

/// Go's `json.Valid`. Go strings may hold any bytes, so invalid UTF-8 is replaced first
/// rather than refused.
fn is_valid_json(data: &[u8]) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(&String::from_utf8_lossy(data)).is_ok()
}

/// Flux's `transform.MergeMaps`: `b` over `a`, maps merged recursively, anything else
/// (lists, scalars, `null`) replaced.
pub fn merge_maps(a: &Values, b: &Values) -> Values {
    let mut out = a.clone();
    for (k, v) in b {
        if let (Json::Object(bv), Some(Json::Object(av))) = (v, out.get(k)) {
            let merged = merge_maps(av, bv);
            out.insert(k.clone(), Json::Object(merged));
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    out
}

/// Flux's `mergeChartValues`: each of `files` (paths inside the chart, cleaned) is read
/// and merged over the previous ones. `values.yaml` is the chart's own values; other
/// files come from the chart's files (not templates or sub-charts). Returns the merged
/// values and the files that contributed, as written in `files`.
pub fn merge_chart_values(
    chart: &Chart,
    files: &[String],
    ignore_missing: bool,
) -> Result<(Values, Vec<String>)> {
    let mut merged = Values::new();
    let mut used = Vec::with_capacity(files.len());
    for p in files {
        let clean = crate::loader::clean_path(p);
        if clean == VALUES_FILE {
            merged = merge_maps(&merged, &chart.values);
            used.push(p.clone());
            continue;
        }
        let Some(file) = chart.files.iter().find(|f| f.name == clean) else {
            if ignore_missing {
                continue;
            }
            return Err(Error::Values(format!(
                "no values file found at path '{p}'; list only files of chart {} in valuesFiles, or set ignoreMissingValuesFiles",
                gotemplate::fmt::quote(chart.name())
            )));
        };
        let values = crate::yaml::to_map(&file.data)
            .map_err(|e| Error::Values(format!("unmarshaling values from '{p}' failed: {e}")))?;
        merged = merge_maps(&merged, &values);
        used.push(p.clone());
    }
    Ok((merged, used))
}

/// Flux's `OverwriteChartDefaultValues`: `values` become the chart's values and its
/// `values.yaml` (written as `sigs.k8s.io/yaml` does, keys sorted; empty for no values).
/// Returns whether anything changed; the chart must have a values.yaml.
pub fn overwrite_default_values(chart: &mut Chart, values: Values) -> Result<bool> {
    let data = if values.is_empty() {
        Vec::new()
    } else {
        crate::yaml::to_yaml(&Json::Object(values.clone()))?.into_bytes()
    };
    let Some(raw) = chart.raw.iter_mut().find(|f| f.name == VALUES_FILE) else {
        return Err(Error::Values(format!(
            "failed to locate values file: {VALUES_FILE} (chart {} has none to overwrite)",
            gotemplate::fmt::quote(&chart.metadata.name)
        )));
    };
    if raw.data == data {
        return Ok(false);
    }
    raw.data.clone_from(&data);
    for f in chart.files.iter_mut().filter(|f| f.name == VALUES_FILE) {
        f.data.clone_from(&data);
    }
    chart.values = values;
    Ok(true)
}

/// Flux's values-files step of a chart build: [`merge_chart_values`] then
/// [`overwrite_default_values`]. Returns the files used.
///
/// As in Flux, when every file is missing and ignored the chart's values become empty.
pub fn merge_values_files(
    chart: &mut Chart,
    files: &[String],
    ignore_missing: bool,
) -> Result<Vec<String>> {
    let (merged, used) = merge_chart_values(chart, files, ignore_missing)?;
    overwrite_default_values(chart, merged)?;
    Ok(used)
}

/// Flux's version metadata for a build: the chart's version parsed as SemVer (Masterminds,
/// lenient) and written back canonical with `metadata` as its build metadata
/// (`v1.2` with `"3"` becomes `1.2.0+3`; an empty `metadata` removes it). Returns the
/// new version.
pub fn set_version_metadata(chart: &mut Chart, metadata: &str) -> Result<String> {
    let v = versionrange::Version::parse(&chart.metadata.version).map_err(|e| {
        let reason = match e {
            versionrange::Error::InvalidVersion { reason, .. } => reason,
            other => other.to_string(),
        };
        Error::Chart(format!(
            "failed to parse version from chart metadata as SemVer: {reason} (chart {} version {})",
            gotemplate::fmt::quote(&chart.metadata.name),
            gotemplate::fmt::quote(&chart.metadata.version)
        ))
    })?;
    // Masterminds' validateMetadata: dot-separated, non-empty [0-9A-Za-z-] identifiers.
    let valid = metadata
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if !metadata.is_empty() && !valid {
        return Err(Error::Chart(format!(
            "failed to set SemVer metadata on chart version: invalid metadata string {}",
            gotemplate::fmt::quote(metadata)
        )));
    }
    let version =
        versionrange::Version::new(v.major(), v.minor(), v.patch(), v.prerelease(), metadata)
            .to_string();
    chart.metadata.version.clone_from(&version);
    Ok(version)
}

/// The tar stream Go's `archive/tar` writes for Helm's headers (name, mode 0644, size,
/// mtime): USTAR, splitting long names into prefix and name where it can, else a PAX
/// `path` record.
mod tar_writer {
    use std::io::{self, Write};

    const BLOCK: usize = 512;
    const NAME_SIZE: usize = 100;
    const PREFIX_SIZE: usize = 155;

    pub(super) struct TarWriter<W: Write> {
        out: W,
        mtime: i64,
    }

    impl<W: Write> TarWriter<W> {
        pub(super) fn new(out: W, mtime: i64) -> TarWriter<W> {
            TarWriter { out, mtime }
        }

        pub(super) fn append(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
            let ustar = name.len() <= NAME_SIZE && name.is_ascii();
            let (prefix, short) = if ustar {
                ("", name)
            } else if let Some((p, s)) = split_ustar_path(name) {
                (p, s)
            } else {
                self.pax_header(name)?;
                ("", name)
            };
            let mut block = [0u8; BLOCK];
            put_str(&mut block[0..100], &to_ascii(short));
            put_octal(&mut block[100..108], 0o644);
            put_octal(&mut block[108..116], 0);
            put_octal(&mut block[116..124], 0);
            put_octal(&mut block[124..136], data.len() as u64);
            put_octal(&mut block[136..148], self.mtime as u64);
            block[156] = b'0';
            put_octal(&mut block[329..337], 0);
            put_octal(&mut block[337..345], 0);
            put_str(&mut block[345..500], prefix);
            finish_header(&mut block);
            self.out.write_all(&block)?;
            self.write_data(data)
        }

        /// A PAX extended header carrying the full path, named as Go names it
        /// (`dir/PaxHeaders.0/file`).
        fn pax_header(&mut self, name: &str) -> io::Result<()> {
            let record = pax_record("path", name);
            let (dir, file) = match name.rfind('/') {
                Some(i) => (&name[..=i], &name[i + 1..]),
                None => ("", name),
            };
            let header_name = crate::loader::clean_path(&format!("{dir}PaxHeaders.0/{file}"));
            let mut header_name = to_ascii(&header_name);
            header_name.truncate(NAME_SIZE);
            let header_name = header_name.trim_end_matches('/');
            let mut block = [0u8; BLOCK];
            put_str(&mut block[0..100], header_name);
            put_octal(&mut block[100..108], 0);
            put_octal(&mut block[108..116], 0);
            put_octal(&mut block[116..124], 0);
            put_octal(&mut block[124..136], record.len() as u64);
            put_octal(&mut block[136..148], 0);
            block[156] = b'x';
            finish_header(&mut block);
            self.out.write_all(&block)?;
            self.write_data(record.as_bytes())
        }

        fn write_data(&mut self, data: &[u8]) -> io::Result<()> {
            self.out.write_all(data)?;
            let pad = (BLOCK - data.len() % BLOCK) % BLOCK;
            self.out.write_all(&[0u8; BLOCK][..pad])
        }

        /// Two zero blocks end the archive.
        pub(super) fn finish(mut self) -> io::Result<W> {
            self.out.write_all(&[0u8; 2 * BLOCK])?;
            Ok(self.out)
        }
    }

    /// Go's `splitUSTARPath`.
    fn split_ustar_path(name: &str) -> Option<(&str, &str)> {
        let len = name.len();
        if len <= NAME_SIZE || !name.is_ascii() {
            return None;
        }
        let mut length = len;
        if length > PREFIX_SIZE + 1 {
            length = PREFIX_SIZE + 1;
        } else if name.as_bytes()[length - 1] == b'/' {
            length -= 1;
        }
        let i = name[..length].rfind('/')?;
        let nlen = len - i - 1;
        if i == 0 || nlen > NAME_SIZE || nlen == 0 || i > PREFIX_SIZE {
            return None;
        }
        Some((&name[..i], &name[i + 1..]))
    }

    /// Go's `formatPAXRecord`: the length prefix counts itself.
    fn pax_record(key: &str, value: &str) -> String {
        let mut size = key.len() + value.len() + 3;
        size += size.to_string().len();
        let mut record = format!("{size} {key}={value}\n");
        if record.len() != size {
            size = record.len();
            record = format!("{size} {key}={value}\n");
        }
        record
    }

    /// Go's `toASCII`: non-ASCII characters and NUL dropped.
    fn to_ascii(s: &str) -> String {
        s.chars().filter(|c| c.is_ascii() && *c != '\0').collect()
    }

    /// Go's `formatString`: copied, truncated to the field, NUL-terminated if shorter;
    /// a truncated name does not end in `/` (readers would take it for a directory).
    fn put_str(field: &mut [u8], s: &str) {
        let n = s.len().min(field.len());
        field[..n].copy_from_slice(&s.as_bytes()[..n]);
        if n < field.len() {
            field[n] = 0;
        }
        if s.len() > field.len() && field[field.len() - 1] == b'/' {
            let kept = s[..field.len() - 1].trim_end_matches('/').len();
            field[kept] = 0;
        }
    }

    /// Go's `formatOctal`: zero-padded octal leaving room for a NUL.
    fn put_octal(field: &mut [u8], x: u64) {
        let digits = format!("{x:o}");
        let width = field.len() - 1;
        let s = if digits.len() < width {
            format!("{}{digits}", "0".repeat(width - digits.len()))
        } else {
            digits
        };
        put_str(field, &s);
    }

    /// USTAR magic and version, then the checksum (computed with its own field as spaces).
    fn finish_header(block: &mut [u8; BLOCK]) {
        block[257..263].copy_from_slice(b"ustar\0");
        block[263..265].copy_from_slice(b"00");
        block[148..156].copy_from_slice(b"        ");
        let sum: u64 = block.iter().map(|&b| u64::from(b)).sum();
        put_octal(&mut block[148..155], sum);
        block[155] = b' ';
    }
}

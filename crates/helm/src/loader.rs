//! Loading charts from directories and `.tgz` archives, confined and bounded: every
//! path stays inside the chart root, links and special files are refused, and the
//! bytes read are counted against caps while streaming.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::chart::{API_VERSION_V1, Chart, File, Lock, Metadata, decode_into};
use crate::ignore::{HELM_IGNORE, Rules};
use crate::{Error, Result};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Caps on what loading a chart may read. Sub-charts (nested archives included)
/// draw on the same budget as their parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Uncompressed bytes of all chart files together.
    pub max_chart_size: u64,
    /// Uncompressed bytes of one file.
    pub max_file_size: u64,
    /// Files in the chart, sub-charts included.
    pub max_files: usize,
    /// Nesting of sub-charts (`charts/a/charts/b/...`) and of directories.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_chart_size: 10 << 20,
            max_file_size: 5 << 20,
            max_files: 10_000,
            max_depth: 32,
        }
    }
}

/// What is left of the [`Limits`] while one chart tree loads.
struct Budget {
    limits: Limits,
    bytes_left: u64,
    files_left: usize,
}

impl Budget {
    fn new(limits: &Limits) -> Budget {
        Budget {
            limits: *limits,
            bytes_left: limits.max_chart_size,
            files_left: limits.max_files,
        }
    }

    fn take_file(&mut self) -> Result<()> {
        if self.files_left == 0 {
            return Err(Error::Unsafe(format!(
                "chart has more than the maximum of {} files",
                self.limits.max_files
            )));
        }
        self.files_left -= 1;
        Ok(())
    }

    fn too_large(&self) -> Error {
        Error::Unsafe(format!(
            "decompressed chart is larger than the maximum file size {}",
            self.limits.max_chart_size
        ))
    }

    /// Reads at most the per-file and remaining chart caps from `r`; `expected` (the size
    /// the file system or the archive declares) only sizes the buffer.
    fn read(&mut self, name: &str, r: impl Read, expected: u64) -> Result<Vec<u8>> {
        let cap = self.limits.max_file_size.min(self.bytes_left);
        // One byte over, so that reaching the end takes no second allocation.
        let mut buf = Vec::with_capacity(expected.min(cap) as usize + 1);
        r.take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Io {
                context: format!("error reading {name}"),
                source: e,
            })?;
        let n = buf.len() as u64;
        if n > self.limits.max_file_size {
            return Err(Error::Unsafe(format!(
                "chart file {} is larger than the maximum file size {}",
                gotemplate::fmt::quote(name),
                self.limits.max_file_size
            )));
        }
        if n > self.bytes_left {
            return Err(self.too_large());
        }
        self.bytes_left -= n;
        if buf.starts_with(UTF8_BOM) {
            buf.drain(..3);
        }
        Ok(buf)
    }
}

/// Loads a chart from a directory or a `.tgz` file.
pub fn load(path: &Path, limits: &Limits) -> Result<Chart> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Io {
        context: format!("stat {}", path.display()),
        source: e,
    })?;
    if meta.is_dir() {
        load_dir(path, limits)
    } else {
        load_file(path, limits)
    }
}

/// Loads a chart archive from a file, checking first that it is gzip data.
pub fn load_file(path: &Path, limits: &Limits) -> Result<Chart> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::Io {
        context: format!("open {}", path.display()),
        source: e,
    })?;
    let mut head = [0u8; 3];
    let n = f.read(&mut head).map_err(|e| Error::Io {
        context: format!("file '{}' cannot be read", path.display()),
        source: e,
    })?;
    if n < 3 || head != [0x1f, 0x8b, 0x08] {
        let name = path.display().to_string();
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            return Err(Error::Chart(format!(
                "file '{name}' seems to be a YAML file, but expected a gzipped archive"
            )));
        }
        return Err(Error::Chart(format!(
            "file '{name}' does not appear to be a gzipped archive"
        )));
    }
    let chained = std::io::Cursor::new(head[..n].to_vec()).chain(f);
    load_archive(chained, limits)
}

/// Loads a chart from a gzipped tar stream.
pub fn load_archive(reader: impl Read, limits: &Limits) -> Result<Chart> {
    let mut budget = Budget::new(limits);
    let files = archive_files(reader, &mut budget)?;
    load_files_with(files, &mut budget, 0)
}

/// Loads a chart from files already in memory (Helm's `LoadFiles`).
pub fn load_files(files: Vec<File>, limits: &Limits) -> Result<Chart> {
    let mut budget = Budget::new(limits);
    load_files_with(files, &mut budget, 0)
}

/// Counts the decompressed tar stream itself, headers and padding included, so that
/// a stream of empty entries or oversized extended headers cannot run unbounded.
struct CountingReader<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::other("decompressed archive stream exceeds the chart size cap")
        })?;
        Ok(n)
    }
}

fn archive_files(reader: impl Read, budget: &mut Budget) -> Result<Vec<File>> {
    let gz = flate2::read::GzDecoder::new(reader);
    // Tar framing adds at most 1.5 KiB per file; twice the content cap leaves room.
    let stream_cap = budget
        .limits
        .max_chart_size
        .saturating_mul(2)
        .saturating_add(1 << 20);
    let mut archive = tar::Archive::new(CountingReader {
        inner: gz,
        left: stream_cap,
    });
    let entries = archive.entries().map_err(archive_error)?;
    let mut files: Vec<File> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for entry in entries {
        let entry = entry.map_err(archive_error)?;
        let header = entry.header();
        let kind = header.entry_type();
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        match kind {
            tar::EntryType::Directory
            | tar::EntryType::XGlobalHeader
            | tar::EntryType::XHeader
            | tar::EntryType::GNULongName
            | tar::EntryType::GNULongLink => continue,
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            tar::EntryType::GNUSparse => {
                return Err(Error::Unsafe(format!(
                    "chart archive entry {raw_name:?} is a sparse file"
                )));
            }
            tar::EntryType::Symlink | tar::EntryType::Link => {
                return Err(Error::Unsafe(format!(
                    "chart archive entry {raw_name:?} is a link"
                )));
            }
            _ => {
                return Err(Error::Unsafe(format!(
                    "chart archive entry {raw_name:?} is not a regular file"
                )));
            }
        }
        let name = archive_path(&raw_name)?;
        if !seen.insert(name.clone()) {
            return Err(Error::Unsafe(format!(
                "chart archive has more than one entry named {raw_name:?}"
            )));
        }
        budget.take_file()?;
        let declared = header.size().map_err(archive_error)?;
        if declared > budget.bytes_left {
            return Err(budget.too_large());
        }
        if declared > budget.limits.max_file_size {
            return Err(Error::Unsafe(format!(
                "decompressed chart file {} is larger than the maximum file size {}",
                gotemplate::fmt::quote(&raw_name),
                budget.limits.max_file_size
            )));
        }
        let data = budget.read(&raw_name, entry, declared)?;
        files.push(File { name, data });
    }
    if files.is_empty() {
        return Err(Error::Chart("no files in chart archive".into()));
    }
    Ok(files)
}

fn archive_error(e: std::io::Error) -> Error {
    Error::Io {
        context: "error reading chart archive".into(),
        source: e,
    }
}

/// The path of an archive entry inside the chart: the first component (the chart's
/// directory) is dropped; anything that could land outside the chart is refused.
fn archive_path(raw: &str) -> Result<String> {
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let parts: Vec<&str> = raw.split(delimiter).collect();
    if parts[0] == "Chart.yaml" {
        return Err(Error::Chart("chart yaml not in base directory".into()));
    }
    let joined = parts[1..].join("/");
    if joined.starts_with('/') {
        return Err(Error::Unsafe(
            "chart illegally contains absolute paths".into(),
        ));
    }
    let cleaned = clean_path(&joined);
    if cleaned == "." {
        return Err(Error::Unsafe(format!(
            "chart illegally contains content outside the base directory: {}",
            gotemplate::fmt::quote(raw)
        )));
    }
    if cleaned.starts_with("..") {
        return Err(Error::Unsafe(
            "chart illegally references parent directory".into(),
        ));
    }
    let b = cleaned.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
        return Err(Error::Unsafe("chart contains illegally named files".into()));
    }
    // Helm cleans `a/../b` to `b` and accepts it; an archive that needs `..` at all is
    // refused here (SECURITY.md 3).
    if raw.split(['/', '\\']).any(|c| c == "..") {
        return Err(Error::Unsafe(
            "chart illegally references parent directory".into(),
        ));
    }
    Ok(cleaned)
}

/// Go's `path.Clean`.
pub(crate) fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    let s = out.join("/");
    match (rooted, s.is_empty()) {
        (true, _) => format!("/{s}"),
        (false, true) => ".".into(),
        (false, false) => s,
    }
}

/// Loads a chart directory. `.helmignore` of the top chart applies to the whole
/// tree (sub-chart directories included), as in Helm.
pub fn load_dir(dir: &Path, limits: &Limits) -> Result<Chart> {
    let root = std::fs::canonicalize(dir).map_err(|e| Error::Io {
        context: format!("stat {}", dir.display()),
        source: e,
    })?;
    let mut budget = Budget::new(limits);
    let mut rules = Rules::empty();
    let ignore_path = root.join(HELM_IGNORE);
    if ignore_path.is_file() {
        let f = std::fs::File::open(&ignore_path).map_err(|e| Error::Io {
            context: format!("open {}", ignore_path.display()),
            source: e,
        })?;
        let data = budget.read(HELM_IGNORE, f, 0)?;
        rules = Rules::parse(&String::from_utf8_lossy(&data))?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    walk(&root, &root, "", &rules, &mut budget, &mut files, 0)?;
    load_files_with(files, &mut budget, 0)
}

/// Depth-first, entries sorted by name at each level (Go's `filepath.Walk`).
/// Symbolic links are followed only when they resolve inside the chart root.
fn walk(
    root: &Path,
    dir: &Path,
    rel: &str,
    rules: &Rules,
    budget: &mut Budget,
    files: &mut Vec<File>,
    depth: usize,
) -> Result<()> {
    if depth > budget.limits.max_depth {
        return Err(Error::Unsafe(format!(
            "chart directory {rel:?} is nested deeper than {} levels",
            budget.limits.max_depth
        )));
    }
    let io_err = |p: &Path, e| Error::Io {
        context: format!("error reading {}", p.display()),
        source: e,
    };
    // The entry's type comes with the directory listing: no stat per file.
    let mut names: Vec<(String, PathBuf, std::fs::FileType)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        let entry = entry.map_err(|e| io_err(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let file_type = entry.file_type().map_err(|e| io_err(&entry.path(), e))?;
        names.push((name, entry.path(), file_type));
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, path, file_type) in names {
        let n = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let (real, file_type) = if file_type.is_symlink() {
            let real = std::fs::canonicalize(&path).map_err(|e| io_err(&path, e))?;
            if !real.starts_with(root) {
                return Err(Error::Unsafe(format!(
                    "chart file {n:?} is a symbolic link that points outside the chart root"
                )));
            }
            let meta = std::fs::metadata(&real).map_err(|e| io_err(&path, e))?;
            (real, meta.file_type())
        } else {
            (path.clone(), file_type)
        };
        if file_type.is_dir() {
            if rules.ignore(&n, true) {
                continue;
            }
            walk(root, &real, &n, rules, budget, files, depth + 1)?;
            continue;
        }
        if rules.ignore(&n, false) {
            continue;
        }
        if !file_type.is_file() {
            return Err(Error::Unsafe(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
        let f = std::fs::File::open(&real).map_err(|e| io_err(&path, e))?;
        let size = f.metadata().map_err(|e| io_err(&path, e))?.len();
        if size > budget.limits.max_file_size {
            return Err(Error::Unsafe(format!(
                "chart file {} is larger than the maximum file size {}",
                gotemplate::fmt::quote(&name),
                budget.limits.max_file_size
            )));
        }
        budget.take_file()?;
        let data = budget.read(&n, f, size)?;
        files.push(File { name: n, data });
    }
    Ok(())
}

fn wrap(what: &str, e: Error) -> Error {
    Error::Chart(format!("cannot load {what}: {e}"))
}

fn load_files_with(files: Vec<File>, budget: &mut Budget, depth: usize) -> Result<Chart> {
    if depth > budget.limits.max_depth {
        return Err(Error::Unsafe(format!(
            "sub-charts are nested deeper than {} levels",
            budget.limits.max_depth
        )));
    }
    let mut c = Chart::default();
    let mut metadata: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            let md = metadata.get_or_insert_with(Metadata::default);
            decode_into(&f.data, md).map_err(|e| wrap("Chart.yaml", e))?;
            if md.api_version.is_empty() {
                md.api_version = API_VERSION_V1.into();
            }
        }
    }
    // Sub-charts keep the order in which their first file appeared.
    let mut subcharts: Vec<(String, Vec<File>)> = Vec::new();
    for f in &files {
        c.raw.push(f.clone());
    }
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => {
                let mut lock = Lock::default();
                decode_into(&f.data, &mut lock).map_err(|e| wrap("Chart.lock", e))?;
                c.lock = Some(lock);
            }
            "values.yaml" => {
                c.values =
                    crate::values::read_values(&f.data).map_err(|e| wrap("values.yaml", e))?;
            }
            "values.schema.json" => c.schema = Some(f.data),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                decode_into(&f.data, md).map_err(|e| wrap("requirements.yaml", e))?;
                if md.api_version == API_VERSION_V1 {
                    c.files.push(f);
                }
            }
            "requirements.lock" => {
                let mut lock = Lock::default();
                decode_into(&f.data, &mut lock).map_err(|e| wrap("requirements.lock", e))?;
                c.lock = Some(lock);
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version == API_VERSION_V1 {
                    c.files.push(f);
                }
            }
            n if n.starts_with("templates/") => c.templates.push(f),
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    c.files.push(f);
                    continue;
                }
                let rest = &n["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or(rest).to_string();
                let f = File {
                    name: rest.to_string(),
                    data: f.data,
                };
                match subcharts.iter_mut().find(|(k, _)| *k == cname) {
                    Some((_, v)) => v.push(f),
                    None => subcharts.push((cname, vec![f])),
                }
            }
            _ => c.files.push(f),
        }
    }
    let Some(mut md) = metadata else {
        return Err(Error::Chart("Chart.yaml file is missing".into()));
    };
    md.validate()?;
    c.metadata = md;
    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let wrap_sub = |e: Error| match e {
            Error::Unsafe(_) => e,
            e => Error::Chart(format!(
                "error unpacking subchart {n} in {}: {e}",
                c.metadata.name
            )),
        };
        let sc = if n.ends_with(".tgz") {
            let file = &files[0];
            if file.name != n {
                return Err(Error::Chart(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    c.metadata.name, file.name
                )));
            }
            // The archive's bytes were already counted; its contents count again, so a
            // nest of archives cannot multiply the cap.
            let inner =
                archive_files(std::io::Cursor::new(&file.data), budget).map_err(wrap_sub)?;
            load_files_with(inner, budget, depth + 1).map_err(wrap_sub)?
        } else {
            let buff: Vec<File> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(File {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files_with(buff, budget, depth + 1).map_err(wrap_sub)?
        };
        c.dependencies.push(sc);
    }
    Ok(c)
}

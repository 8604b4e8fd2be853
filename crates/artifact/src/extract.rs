//! Unpacking artifacts that tenants control (SECURITY.md items 1-4).

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use tar::EntryType;

use crate::{Error, Result};

/// Caps and the symlink policy applied while extracting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Uncompressed file bytes (sum of all file contents); Flux's `DefaultMaxUntarSize`
    /// is 100 MiB.
    pub max_bytes: u64,
    /// Tar headers of any kind, so a stream of empty entries cannot run forever.
    pub max_entries: u64,
    /// Leave symbolic links out instead of refusing the artifact: an OCI image layer may
    /// carry them legitimately, and Flux's OCIRepository untars with
    /// `tar.WithSkipSymlinks()`. No link is ever created either way.
    pub skip_symlinks: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 100 << 20,
            max_entries: 1 << 20,
            skip_symlinks: false,
        }
    }
}

/// Long names and PAX records are the only entry data held in memory; real
/// paths are far below this.
const MAX_METADATA_BYTES: u64 = 64 << 10;

/// Why a tar entry made the whole artifact unacceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    EmptyName,
    AbsolutePath,
    ParentDir,
    Backslash,
    NulByte,
    Symlink,
    HardLink,
    Device,
    Fifo,
    DuplicateName,
    UnsupportedType(u8),
    OversizedMetadata,
    PaxSizeOverride,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::EmptyName => f.write_str("empty name"),
            Refusal::AbsolutePath => f.write_str("absolute path"),
            Refusal::ParentDir => f.write_str("path contains `..`"),
            Refusal::Backslash => f.write_str("path contains a backslash"),
            Refusal::NulByte => f.write_str("path contains a NUL byte"),
            Refusal::Symlink => f.write_str("symbolic links are not allowed"),
            Refusal::HardLink => f.write_str("hard links are not allowed"),
            Refusal::Device => f.write_str("device files are not allowed"),
            Refusal::Fifo => f.write_str("named pipes are not allowed"),
            Refusal::DuplicateName => f.write_str("duplicate name"),
            Refusal::UnsupportedType(t) => write!(f, "unsupported entry type {:?}", *t as char),
            Refusal::OversizedMetadata => write!(
                f,
                "long name or extended header larger than {MAX_METADATA_BYTES} bytes"
            ),
            Refusal::PaxSizeOverride => f.write_str("extended header overrides the entry size"),
        }
    }
}

/// What [`extract`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extracted {
    pub files: u64,
    pub dirs: u64,
    /// Uncompressed file bytes written.
    pub bytes: u64,
}

/// Paths created so far, removed again if the artifact is refused.
struct Created {
    paths: Vec<(PathBuf, bool)>,
}

impl Created {
    fn rollback(&mut self) {
        for (path, is_dir) in self.paths.drain(..).rev() {
            let _ = if is_dir {
                fs::remove_dir(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    }
}

fn refuse(name: &[u8], reason: Refusal) -> Error {
    Error::Refused {
        name: String::from_utf8_lossy(name).into_owned(),
        reason,
    }
}

/// Splits an entry name into safe components; `None` is the root itself (`.`).
fn components(name: &[u8]) -> std::result::Result<Option<Vec<&[u8]>>, Refusal> {
    if name.is_empty() {
        return Err(Refusal::EmptyName);
    }
    if name.contains(&0) {
        return Err(Refusal::NulByte);
    }
    if name.contains(&b'\\') {
        return Err(Refusal::Backslash);
    }
    if name.starts_with(b"/") {
        return Err(Refusal::AbsolutePath);
    }
    let mut out = Vec::new();
    for c in name.split(|b| *b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return Err(Refusal::ParentDir),
            c => out.push(c),
        }
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}

/// Creates `dest/<parts>` one level at a time, refusing to pass through anything
/// that is not a real directory (a symlink planted in `dest` must not redirect us).
fn ensure_dirs(dest: &Path, parts: &[&[u8]], created: &mut Created) -> Result<PathBuf> {
    let mut path = dest.to_path_buf();
    for part in parts {
        path.push(OsStr::from_bytes(part));
        match fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(Error::io(
                    &path,
                    io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        "exists and is not a directory",
                    ),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .mode(0o750)
                    .create(&path)
                    .map_err(|e| Error::io(&path, e))?;
                created.paths.push((path.clone(), true));
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok(path)
}

/// Extracts a gzip-compressed tar stream into the existing directory `dest`.
///
/// The artifact is refused as a whole, and whatever it had already written is
/// removed, when an entry has an empty, absolute or `..` name, a backslash, is a
/// symlink (unless [`Limits::skip_symlinks`]), hard link, device or fifo, repeats an earlier name, or when the
/// uncompressed file bytes or the number of entries pass `limits`. Sizes are checked
/// against each header before its data is read, so a decompression bomb stops at
/// the cap. Files are created new (never through an existing path), with the
/// entry's permission bits plus owner read/write.
pub fn extract(reader: impl Read, dest: &Path, limits: Limits) -> Result<Extracted> {
    let meta = fs::symlink_metadata(dest).map_err(|e| Error::io(dest, e))?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory(dest.to_path_buf()));
    }
    let mut created = Created { paths: Vec::new() };
    let result = unpack(reader, dest, limits, &mut created);
    if result.is_err() {
        created.rollback();
    }
    result
}

fn unpack(
    reader: impl Read,
    dest: &Path,
    limits: Limits,
    created: &mut Created,
) -> Result<Extracted> {
    let mut archive = tar::Archive::new(MultiGzDecoder::new(reader));
    // Raw entries: the tar crate would otherwise buffer GNU long names and PAX
    // records of any size in memory before we could look at them.
    let entries = archive.entries().map_err(Error::Read)?.raw(true);
    let mut done = Extracted::default();
    // Names are remembered by a randomly keyed 64-bit hash, so a million entries
    // cost megabytes rather than the size of all their names; a collision could only
    // refuse a valid artifact, never let a duplicate through.
    let hasher = std::collections::hash_map::RandomState::new();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut headers = 0u64;
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax_size: Option<u64> = None;
    let mut buf = vec![0u8; 32 << 10];

    for entry in entries {
        let mut entry = entry.map_err(Error::Read)?;
        headers += 1;
        if headers > limits.max_entries {
            return Err(Error::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let kind = entry.header().entry_type();
        let size = entry.header().size().map_err(Error::Read)?;

        if matches!(
            kind,
            EntryType::GNULongName | EntryType::XHeader | EntryType::XGlobalHeader
        ) {
            let header_name = entry.path_bytes().into_owned();
            if size > MAX_METADATA_BYTES {
                return Err(refuse(&header_name, Refusal::OversizedMetadata));
            }
            let mut data = Vec::with_capacity(size as usize);
            entry.read_to_end(&mut data).map_err(Error::Read)?;
            match kind {
                EntryType::GNULongName => {
                    while data.last() == Some(&0) {
                        data.pop();
                    }
                    long_name = Some(data);
                }
                EntryType::XHeader => {
                    for ext in tar::PaxExtensions::new(&data) {
                        let ext = ext.map_err(Error::Read)?;
                        match ext.key_bytes() {
                            b"path" => long_name = Some(ext.value_bytes().to_vec()),
                            b"size" => {
                                pax_size = Some(
                                    ext.value()
                                        .ok()
                                        .and_then(|v| v.parse().ok())
                                        .unwrap_or(u64::MAX),
                                )
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            continue;
        }

        let name = long_name
            .take()
            .unwrap_or_else(|| entry.path_bytes().into_owned());
        if pax_size.take().is_some_and(|s| s != size) {
            // Read in raw mode the data length is the header's; honouring a different
            // PAX size would desynchronise the stream.
            return Err(refuse(&name, Refusal::PaxSizeOverride));
        }
        match kind {
            EntryType::Regular | EntryType::Directory => {}
            EntryType::Symlink if limits.skip_symlinks => continue,
            EntryType::Symlink => return Err(refuse(&name, Refusal::Symlink)),
            EntryType::Link | EntryType::GNULongLink => {
                return Err(refuse(&name, Refusal::HardLink));
            }
            EntryType::Char | EntryType::Block => return Err(refuse(&name, Refusal::Device)),
            EntryType::Fifo => return Err(refuse(&name, Refusal::Fifo)),
            other => return Err(refuse(&name, Refusal::UnsupportedType(other.as_byte()))),
        }
        let parts = components(&name).map_err(|r| refuse(&name, r))?;
        let Some(parts) = parts else {
            // The root entry (`.`), which Flux writes first: dest already exists.
            if kind == EntryType::Directory {
                continue;
            }
            return Err(refuse(&name, Refusal::EmptyName));
        };
        if !seen.insert(hasher.hash_one(parts.join(&b'/'))) {
            return Err(refuse(&name, Refusal::DuplicateName));
        }

        if kind == EntryType::Directory {
            ensure_dirs(dest, &parts, created)?;
            done.dirs += 1;
            continue;
        }

        if done.bytes.saturating_add(size) > limits.max_bytes {
            return Err(Error::TooLarge {
                limit: limits.max_bytes,
                name: String::from_utf8_lossy(&name).into_owned(),
            });
        }
        let (file_name, parents) = parts.split_last().expect("at least one component");
        let mut path = ensure_dirs(dest, parents, created)?;
        path.push(OsStr::from_bytes(file_name));
        let mode = entry.header().mode().map_err(Error::Read)?;
        // create_new never opens an existing path, symlink or not.
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode((mode & 0o777) | 0o600)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        created.paths.push((path.clone(), false));
        let mut written = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(Error::Read)?;
            if n == 0 {
                break;
            }
            written += n as u64;
            // The header size was checked, but count what really arrives too.
            if done.bytes + written > limits.max_bytes {
                return Err(Error::TooLarge {
                    limit: limits.max_bytes,
                    name: String::from_utf8_lossy(&name).into_owned(),
                });
            }
            io::Write::write_all(&mut out, &buf[..n]).map_err(|e| Error::io(&path, e))?;
        }
        if written != size {
            return Err(Error::Read(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{}: expected {size} bytes, got {written}", path.display()),
            )));
        }
        done.bytes += written;
        done.files += 1;
    }
    Ok(done)
}

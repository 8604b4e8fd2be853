//! Building artifacts the way source-controller's `Storage.Archive` does.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{EntryType, Header};

use crate::digest::{Algorithm, Digest, Digester};
use crate::ignore::Filter;
use crate::{Error, Result};

/// Mode of every directory in an artifact (fluxcd/pkg artifact/storage `DefaultDirMode`).
pub const DIR_MODE: u32 = 0o750;
/// Mode of files without any execute bit (`DefaultFileMode`).
pub const FILE_MODE: u32 = 0o600;
/// Mode of files with some execute bit (`DefaultExeFileMode`).
pub const EXE_FILE_MODE: u32 = 0o700;

/// What [`build`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// sha256 of the compressed bytes, the artifact's `digest`.
    pub digest: Digest,
    /// Compressed size in bytes, the artifact's `size`.
    pub size: u64,
    pub files: u64,
    pub dirs: u64,
}

/// Passes bytes on while hashing and counting them, so the digest is known when
/// the last byte is written and the archive never sits in memory.
struct Tee<W> {
    inner: W,
    digester: Digester,
    written: u64,
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digester.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Yields exactly `remaining` bytes: the tar header already promised that size, so
/// a file that shrinks while being read must fail rather than corrupt the stream.
struct Exact<R> {
    inner: R,
    remaining: u64,
    path: PathBuf,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{} shrank while being archived", self.path.display()),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

fn header(kind: EntryType, mode: u32, size: u64) -> Header {
    // USTAR like Go's archive/tar; uid, gid, user and group names and times stay
    // zero so the digest depends on content alone.
    let mut h = Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h
}

struct Pending {
    /// Components relative to the root; empty for the root itself.
    rel: Vec<OsString>,
}

/// Archives `root` into `out` as a gzip-compressed tar, the way Flux's
/// source-controller builds artifacts:
///
/// - entries in `filepath.Walk` order (depth first, names sorted byte-wise), starting
///   with the root itself as `.`; names relative, `/`-separated, directories without
///   a trailing slash;
/// - regular files and directories only: symlinks and special files are skipped,
///   never followed;
/// - uid/gid 0, empty user and group names, mtime 0, modes normalised to
///   [`DIR_MODE`], [`FILE_MODE`] or [`EXE_FILE_MODE`];
/// - paths the `filter` excludes are left out (their directories are still walked,
///   as in Flux, so a later `!pattern` can bring files back).
///
/// Files are streamed, and the sha256 and size of the compressed output are
/// computed while writing.
pub fn build(root: &Path, filter: &Filter, out: impl Write) -> Result<Summary> {
    let meta = fs::symlink_metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory(root.to_path_buf()));
    }
    let tee = Tee {
        inner: out,
        digester: Digester::new(Algorithm::Sha256),
        written: 0,
    };
    let mut tar = tar::Builder::new(GzEncoder::new(tee, Compression::default()));
    let (mut files, mut dirs) = (0u64, 0u64);

    let mut stack = vec![Pending { rel: Vec::new() }];
    while let Some(Pending { rel }) = stack.pop() {
        let abs = rel.iter().fold(root.to_path_buf(), |p, c| p.join(c));
        let names: Vec<String> = rel
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        let parts: Vec<&str> = names.iter().map(String::as_str).collect();
        let name = if rel.is_empty() {
            PathBuf::from(".")
        } else {
            rel.iter().collect::<PathBuf>()
        };

        let meta = fs::symlink_metadata(&abs).map_err(|e| Error::io(&abs, e))?;
        if meta.is_dir() {
            if !rel.is_empty() && filter.is_excluded(&parts, true) {
                push_children(&abs, &rel, &mut stack)?;
                continue;
            }
            let mut h = header(EntryType::Directory, DIR_MODE, 0);
            tar.append_data(&mut h, &name, io::empty())
                .map_err(Error::Write)?;
            dirs += 1;
            push_children(&abs, &rel, &mut stack)?;
        } else if meta.is_file() {
            if filter.is_excluded(&parts, false) {
                continue;
            }
            let file = File::open(&abs).map_err(|e| Error::io(&abs, e))?;
            // The path was checked with lstat; make sure what we opened is still that
            // regular file and not something swapped in since (a symlink, say).
            let opened = file.metadata().map_err(|e| Error::io(&abs, e))?;
            if !opened.is_file() || opened.ino() != meta.ino() || opened.dev() != meta.dev() {
                return Err(Error::io(
                    &abs,
                    io::Error::other("file changed while being archived"),
                ));
            }
            let mode = if opened.permissions().mode() & 0o111 != 0 {
                EXE_FILE_MODE
            } else {
                FILE_MODE
            };
            let size = opened.len();
            let mut h = header(EntryType::Regular, mode, size);
            let data = Exact {
                inner: file,
                remaining: size,
                path: abs.clone(),
            };
            tar.append_data(&mut h, &name, data)
                .map_err(|e| Error::io(&abs, e))?;
            files += 1;
        }
        // Anything else (symlinks, sockets, devices, fifos) is skipped, as in Flux.
    }

    let gz = tar.into_inner().map_err(Error::Write)?;
    let mut tee = gz.finish().map_err(Error::Write)?;
    tee.flush().map_err(Error::Write)?;
    Ok(Summary {
        digest: tee.digester.finish(),
        size: tee.written,
        files,
        dirs,
    })
}

fn push_children(dir: &Path, rel: &[OsString], stack: &mut Vec<Pending>) -> Result<()> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        names.push(entry.map_err(|e| Error::io(dir, e))?.file_name());
    }
    // Go's filepath.Walk visits names in byte order; pushing in reverse pops them so.
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    for name in names.into_iter().rev() {
        let mut child = rel.to_vec();
        child.push(name);
        stack.push(Pending { rel: child });
    }
    Ok(())
}

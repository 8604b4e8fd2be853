//! Artifact digests in the OCI form Flux writes to `status.artifact.digest`.

use std::fmt;
use std::io::{self, Read, Write};
use std::str::FromStr;

use sha2::Digest as _;

use crate::{Error, Result};

/// The algorithms Flux's `artifact/digest` package accepts that sha2 provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha384 => 48,
            Algorithm::Sha512 => 64,
        }
    }
}

/// A digest such as `sha256:9f86d0…`.
///
/// ```
/// use artifact::Digest;
/// let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
///     .parse()
///     .unwrap();
/// assert!(d.verify(&b""[..]).is_ok());
/// assert!(d.verify(&b"tampered"[..]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    bytes: Vec<u8>,
}

impl Digest {
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The lowercase hex encoding, without the algorithm prefix.
    pub fn hex(&self) -> String {
        hex::encode(&self.bytes)
    }

    /// Hashes everything `reader` yields; returns the digest and the byte count.
    pub fn of_reader(algorithm: Algorithm, mut reader: impl Read) -> io::Result<(Digest, u64)> {
        let mut d = Digester::new(algorithm);
        let n = io::copy(&mut reader, &mut d)?;
        Ok((d.finish(), n))
    }

    /// Reads `reader` to its end and checks it hashes to this digest; returns the
    /// byte count.
    pub fn verify(&self, reader: impl Read) -> Result<u64> {
        let (actual, n) = Digest::of_reader(self.algorithm, reader).map_err(Error::Read)?;
        if actual != *self {
            return Err(Error::DigestMismatch {
                expected: self.clone(),
                actual,
            });
        }
        Ok(n)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex())
    }
}

impl FromStr for Digest {
    type Err = Error;

    fn from_str(input: &str) -> Result<Digest> {
        let bad = |reason: &'static str| Error::InvalidDigest {
            input: input.to_string(),
            reason,
        };
        let (name, encoded) = input
            .split_once(':')
            .ok_or_else(|| bad("expected <algorithm>:<hex>"))?;
        let algorithm = match name {
            "sha256" => Algorithm::Sha256,
            "sha384" => Algorithm::Sha384,
            "sha512" => Algorithm::Sha512,
            _ => return Err(bad("unsupported algorithm")),
        };
        // The OCI digest grammar only allows lowercase hex.
        if !encoded
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad("encoded part must be lowercase hex"));
        }
        if encoded.len() != algorithm.len() * 2 {
            return Err(bad("wrong length for the algorithm"));
        }
        let bytes = hex::decode(encoded).map_err(|_| bad("encoded part must be lowercase hex"))?;
        Ok(Digest { algorithm, bytes })
    }
}

enum State {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

/// A `Write` sink that hashes what passes through it.
pub struct Digester {
    algorithm: Algorithm,
    state: State,
}

impl Digester {
    pub fn new(algorithm: Algorithm) -> Digester {
        let state = match algorithm {
            Algorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            Algorithm::Sha384 => State::Sha384(sha2::Sha384::new()),
            Algorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
        };
        Digester { algorithm, state }
    }

    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Sha256(h) => h.update(data),
            State::Sha384(h) => h.update(data),
            State::Sha512(h) => h.update(data),
        }
    }

    pub fn finish(self) -> Digest {
        let bytes = match self.state {
            State::Sha256(h) => h.finalize().to_vec(),
            State::Sha384(h) => h.finalize().to_vec(),
            State::Sha512(h) => h.finalize().to_vec(),
        };
        Digest {
            algorithm: self.algorithm,
            bytes,
        }
    }
}

impl Write for Digester {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Hashes a stream while it is consumed (say, a download fed straight into
/// [`extract`](crate::extract)), so the digest can be checked without a second read.
pub struct VerifyingReader<R> {
    inner: R,
    digester: Digester,
    expected: Digest,
    read: u64,
}

impl<R: Read> VerifyingReader<R> {
    pub fn new(inner: R, expected: Digest) -> VerifyingReader<R> {
        VerifyingReader {
            inner,
            digester: Digester::new(expected.algorithm),
            expected,
            read: 0,
        }
    }

    /// Drains what the consumer left unread, then compares; returns the total size.
    pub fn finish(mut self) -> Result<u64> {
        io::copy(&mut self, &mut io::sink()).map_err(Error::Read)?;
        let actual = self.digester.finish();
        if actual != self.expected {
            return Err(Error::DigestMismatch {
                expected: self.expected,
                actual,
            });
        }
        Ok(self.read)
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digester.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

//! SSH material for Git secrets: key pairs (generated or read from a file) and the server's
//! host key for `known_hosts`.
//!
//! The host key is read with a minimal SSH client: version exchange, KEXINIT and a
//! curve25519-sha256 key exchange, far enough to receive the host key and check its
//! signature over the exchange hash (so the key is one the server holds, as ssh-keyscan
//! checks), then it hangs up. No ssh-keyscan process and no C library is involved.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use curve25519_dalek::montgomery::MontgomeryPoint;
use signature::Verifier;
use ssh_key::private::{EcdsaKeypair, Ed25519Keypair, KeypairData, RsaKeypair};
use ssh_key::rand_core::{OsRng, RngCore};
use ssh_key::sha2::{Digest, Sha256};
use ssh_key::{EcdsaCurve, LineEnding, PrivateKey, PublicKey, Signature};

/// The key to generate, as `--ssh-key-algorithm`, `--ssh-rsa-bits` and `--ssh-ecdsa-curve`
/// describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    Rsa { bits: usize },
    Ecdsa(EcdsaCurve),
    Ed25519,
}

/// A private key as stored under `identity` and its public half as under `identity.pub`.
#[derive(Debug, Clone)]
pub struct KeyPair {
    pub private_key: String,
    /// One `authorized_keys` line with its newline, as Flux writes it.
    pub public_key: String,
}

pub fn generate(spec: KeySpec) -> Result<KeyPair> {
    let data = match spec {
        KeySpec::Rsa { bits } => KeypairData::Rsa(
            RsaKeypair::random(&mut OsRng, bits)
                .with_context(|| format!("generating a {bits}-bit RSA key"))?,
        ),
        KeySpec::Ecdsa(curve) => KeypairData::Ecdsa(
            EcdsaKeypair::random(&mut OsRng, curve)
                .with_context(|| format!("generating an ECDSA {curve} key"))?,
        ),
        KeySpec::Ed25519 => KeypairData::Ed25519(Ed25519Keypair::random(&mut OsRng)),
    };
    let key = PrivateKey::new(data, "").context("assembling the generated key")?;
    let private_key = key
        .to_openssh(LineEnding::LF)
        .context("encoding the generated private key")?
        .to_string();
    Ok(KeyPair {
        private_key,
        public_key: authorized_key(key.public_key())?,
    })
}

/// Reads an OpenSSH private key file; `password` decrypts an encrypted one (the file is
/// stored as it is, so the controller needs the password too).
pub fn load(path: &str, password: Option<&str>) -> Result<KeyPair> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("flag --private-key-file: reading {path}"))?;
    let key = PrivateKey::from_openssh(&text).map_err(|err| {
        anyhow::anyhow!(
            "flag --private-key-file: {path} is not an OpenSSH private key ({err}): \
             convert it with `ssh-keygen -p -f {path}`"
        )
    })?;
    if key.is_encrypted() {
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            bail!(
                "flag --private-key-file: {path} is encrypted: pass its passphrase with --password"
            );
        };
        key.decrypt(password).map_err(|_| {
            anyhow::anyhow!("flag --password: it does not decrypt the private key in {path}")
        })?;
    }
    Ok(KeyPair {
        private_key: text,
        public_key: authorized_key(key.public_key())?,
    })
}

fn authorized_key(public: &PublicKey) -> Result<String> {
    let mut public = public.clone();
    public.set_comment("");
    Ok(format!(
        "{}\n",
        public.to_openssh().context("encoding the public key")?
    ))
}

/// The `known_hosts` entry for the server at `host:port`, as Go's `knownhosts.Line` writes
/// it: the bare host for port 22, `[host]:port` otherwise.
pub fn scan_host_key(host: &str, port: u16, timeout: Duration) -> Result<String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let key = scan(host, port, timeout)
        .with_context(|| format!("SSH key scan for host {host}:{port} failed"))?;
    let name = if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    };
    Ok(format!("{name} {}", key.to_openssh()?))
}

const CLIENT_VERSION: &str = "SSH-2.0-tk_keyscan";
const KEX_ALGORITHMS: &str = "curve25519-sha256,curve25519-sha256@libssh.org";
/// Go's x/crypto/ssh order, so the key tk records is the one the flux CLI would record.
const HOST_KEY_ALGORITHMS: &str = "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,\
                                   rsa-sha2-256,rsa-sha2-512,ssh-ed25519";
const CIPHERS: &str = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,\
                       aes128-ctr,aes192-ctr,aes256-ctr";
const MACS: &str =
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512";

const MSG_DISCONNECT: u8 = 1;
const MSG_IGNORE: u8 = 2;
const MSG_DEBUG: u8 = 4;
const MSG_KEXINIT: u8 = 20;
const MSG_KEX_ECDH_INIT: u8 = 30;
const MSG_KEX_ECDH_REPLY: u8 = 31;

/// Largest packet accepted before keys are exchanged; real KEX packets are a few KiB.
const MAX_PACKET: usize = 256 * 1024;

fn scan(host: &str, port: u16, timeout: Duration) -> Result<PublicKey> {
    let addr = (host, port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {host}"))?
        .next()
        .with_context(|| format!("{host} has no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;

    stream.write_all(format!("{CLIENT_VERSION}\r\n").as_bytes())?;
    let server_version = read_version(&mut stream)?;

    let mut cookie = [0u8; 16];
    OsRng.fill_bytes(&mut cookie);
    let mut client_kexinit = vec![MSG_KEXINIT];
    client_kexinit.extend_from_slice(&cookie);
    for list in [
        KEX_ALGORITHMS,
        HOST_KEY_ALGORITHMS,
        CIPHERS,
        CIPHERS,
        MACS,
        MACS,
        "none",
        "none",
        "",
        "",
    ] {
        put_string(&mut client_kexinit, list.as_bytes());
    }
    client_kexinit.push(0); // first_kex_packet_follows
    client_kexinit.extend_from_slice(&0u32.to_be_bytes());
    write_packet(&mut stream, &client_kexinit)?;

    let server_kexinit = read_packet(&mut stream, MSG_KEXINIT)?;
    let mut reader = Reader(&server_kexinit[17..]);
    let server_kex = String::from_utf8_lossy(reader.string()?).into_owned();
    let server_host_keys = String::from_utf8_lossy(reader.string()?).into_owned();
    if !server_kex
        .split(',')
        .any(|a| KEX_ALGORITHMS.split(',').any(|b| a == b))
    {
        bail!(
            "the server offers none of the key exchanges tk supports ({KEX_ALGORITHMS}): it offers {server_kex}"
        );
    }
    if !server_host_keys
        .split(',')
        .any(|a| HOST_KEY_ALGORITHMS.split(',').any(|b| a == b))
    {
        bail!(
            "the server offers none of the host key types tk supports: it offers {server_host_keys}"
        );
    }

    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let client_public = MontgomeryPoint::mul_base_clamped(secret).to_bytes();
    let mut init = vec![MSG_KEX_ECDH_INIT];
    put_string(&mut init, &client_public);
    write_packet(&mut stream, &init)?;

    let reply = read_packet(&mut stream, MSG_KEX_ECDH_REPLY)?;
    let mut reader = Reader(&reply[1..]);
    let host_key_blob = reader.string()?.to_vec();
    let server_public = reader.string()?.to_vec();
    let signature_blob = reader.string()?.to_vec();
    let server_public: [u8; 32] = server_public
        .as_slice()
        .try_into()
        .map_err(|_| anyhow::anyhow!("the server's curve25519 public value is not 32 bytes"))?;
    let shared = MontgomeryPoint(server_public)
        .mul_clamped(secret)
        .to_bytes();
    if shared.iter().all(|b| *b == 0) {
        bail!("the server sent an invalid curve25519 public value");
    }

    let mut exchange = Vec::new();
    put_string(&mut exchange, CLIENT_VERSION.as_bytes());
    put_string(&mut exchange, server_version.as_bytes());
    put_string(&mut exchange, &client_kexinit);
    put_string(&mut exchange, &server_kexinit);
    put_string(&mut exchange, &host_key_blob);
    put_string(&mut exchange, &client_public);
    put_string(&mut exchange, &server_public);
    put_mpint(&mut exchange, &shared);
    let hash = Sha256::digest(&exchange);

    let host_key =
        PublicKey::from_bytes(&host_key_blob).context("decoding the server's host key")?;
    let signature = Signature::try_from(signature_blob.as_slice())
        .context("decoding the server's key exchange signature")?;
    Verifier::verify(host_key.key_data(), &hash, &signature).map_err(|_| {
        anyhow::anyhow!("the server's key exchange signature does not match its host key")
    })?;
    Ok(host_key)
}

fn read_version(stream: &mut TcpStream) -> Result<String> {
    // Servers may send other lines before the version line (RFC 4253 section 4.2).
    for _ in 0..32 {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while line.len() < 255 {
            stream
                .read_exact(&mut byte)
                .context("reading the server's SSH version")?;
            if byte[0] == b'\n' {
                break;
            }
            line.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&line)
            .trim_end_matches('\r')
            .to_string();
        if line.starts_with("SSH-") {
            if !line.starts_with("SSH-2.0-") && !line.starts_with("SSH-1.99-") {
                bail!("the server speaks {line}, not SSH 2");
            }
            return Ok(line);
        }
    }
    bail!("the server did not send an SSH version line: is this an SSH server?")
}

fn write_packet(stream: &mut TcpStream, payload: &[u8]) -> Result<()> {
    let mut padding = 8 - (payload.len() + 5) % 8;
    if padding < 4 {
        padding += 8;
    }
    let mut packet = Vec::with_capacity(payload.len() + padding + 5);
    packet.extend_from_slice(&((payload.len() + padding + 1) as u32).to_be_bytes());
    packet.push(padding as u8);
    packet.extend_from_slice(payload);
    packet.extend(std::iter::repeat_n(0u8, padding));
    stream
        .write_all(&packet)
        .context("writing to the SSH server")?;
    Ok(())
}

/// The next packet's payload, skipping IGNORE and DEBUG messages; any other type than
/// `expected` is an error.
fn read_packet(stream: &mut TcpStream, expected: u8) -> Result<Vec<u8>> {
    loop {
        let mut len = [0u8; 4];
        stream
            .read_exact(&mut len)
            .context("reading from the SSH server")?;
        let len = u32::from_be_bytes(len) as usize;
        if !(5..=MAX_PACKET).contains(&len) {
            bail!("the server sent a malformed packet ({len} bytes)");
        }
        let mut body = vec![0u8; len];
        stream
            .read_exact(&mut body)
            .context("reading from the SSH server")?;
        let padding = body[0] as usize;
        if padding + 1 >= len {
            bail!("the server sent a malformed packet");
        }
        let payload = body[1..len - padding].to_vec();
        match payload[0] {
            MSG_IGNORE | MSG_DEBUG => continue,
            MSG_DISCONNECT => {
                let mut reader = Reader(&payload[5..]);
                let reason = reader
                    .string()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                bail!("the server disconnected: {reason}");
            }
            t if t == expected => return Ok(payload),
            t => bail!("the server sent message {t} where {expected} was expected"),
        }
    }
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// RFC 8731: the X25519 output is read as an unsigned big-endian integer.
fn put_mpint(out: &mut Vec<u8>, bytes: &[u8]) {
    let trimmed: &[u8] = {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        &bytes[start..]
    };
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        out.extend_from_slice(&((trimmed.len() + 1) as u32).to_be_bytes());
        out.push(0);
        out.extend_from_slice(trimmed);
    } else {
        put_string(out, trimmed);
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn string(&mut self) -> Result<&'a [u8]> {
        if self.0.len() < 4 {
            bail!("the server sent a truncated packet");
        }
        let len = u32::from_be_bytes(self.0[..4].try_into().expect("4 bytes")) as usize;
        let rest = &self.0[4..];
        if rest.len() < len {
            bail!("the server sent a truncated packet");
        }
        let (value, rest) = rest.split_at(len);
        self.0 = rest;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_each_algorithm_in_openssh_format() {
        for (spec, prefix) in [
            (KeySpec::Ed25519, "ssh-ed25519 "),
            (KeySpec::Ecdsa(EcdsaCurve::NistP384), "ecdsa-sha2-nistp384 "),
            (KeySpec::Ecdsa(EcdsaCurve::NistP256), "ecdsa-sha2-nistp256 "),
        ] {
            let pair = generate(spec).unwrap();
            assert!(
                pair.private_key
                    .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n")
            );
            assert!(pair.public_key.starts_with(prefix), "{}", pair.public_key);
            assert!(pair.public_key.ends_with('\n'));
            assert_eq!(pair.public_key.matches(' ').count(), 1, "no comment");
        }
    }

    #[test]
    fn mpint_is_unsigned_and_minimal() {
        let mut out = Vec::new();
        put_mpint(&mut out, &[0, 0, 0x7f]);
        assert_eq!(out, [0, 0, 0, 1, 0x7f]);
        out.clear();
        put_mpint(&mut out, &[0x80, 1]);
        assert_eq!(out, [0, 0, 0, 3, 0, 0x80, 1]);
    }
}

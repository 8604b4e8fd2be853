//! Sprig's key and certificate generators: `genPrivateKey`, `buildCustomCert`,
//! `genCA`, `genSelfSignedCert`, `genSignedCert` and their `WithKey` forms.
//!
//! Certificates are assembled in DER here with the layout Go's `x509.CreateCertificate`
//! gives sprig's templates (extension order, critical flags, UTCTime validity, a
//! truncated-SHA-256 subject key id on CAs, the CA's key id as authority key id), and
//! signed with the RustCrypto implementations (ECDSA nonces are RFC 6979 rather than
//! random; the output is equally valid). PEM blocks are Go's `pem.Encode` layout.

use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};

use pkcs8::der::Decode;
use pkcs8::{DecodePrivateKey, EncodePublicKey};
use rand_core::{OsRng, RngCore};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use sha2::{Digest, Sha256};
use signature::{SignatureEncoding, Signer};

use super::conv::{int_arg, str_arg};
use super::encoding;
use super::gotime::{self, Time};
use crate::func::{FuncError, FuncMap};
use crate::value::{Object, Value};

/// A parsed private key of one of the kinds sprig can produce or read.
enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
    /// DSA keys parse, but Go's x509 cannot use them; only their PEM form matters.
    Dsa(Vec<u8>),
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

// --- DER writing -------------------------------------------------------------------

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(body);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A positive big-endian integer, minimally encoded.
fn uint(bytes: &[u8]) -> Vec<u8> {
    let mut b: Vec<u8> = bytes.iter().copied().skip_while(|&x| x == 0).collect();
    if b.is_empty() || b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    tlv(0x02, &b)
}

fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse().expect("numeric arc"))
        .collect();
    let mut body = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        tmp.reverse();
        body.extend(tmp);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push(a);
    }
    tlv(0x06, &body)
}

fn bit_string(bytes: &[u8], unused: u8) -> Vec<u8> {
    let mut body = vec![unused];
    body.extend_from_slice(bytes);
    tlv(0x03, &body)
}

fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// Go's asn1 marshals a string as PrintableString when it can, else UTF8String.
fn directory_string(s: &str) -> Vec<u8> {
    let printable = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?*".contains(&b));
    tlv(if printable { 0x13 } else { 0x0c }, s.as_bytes())
}

fn asn1_time(t: &Time) -> Vec<u8> {
    let utc = t.with_location(gotime::Location::utc());
    let year = utc.civil().year;
    if (1950..2050).contains(&year) {
        tlv(0x17, utc.format("060102150405Z").as_bytes())
    } else {
        tlv(0x18, utc.format("20060102150405Z").as_bytes())
    }
}

// --- DER reading (just enough for certificates and DSA keys) -----------------------

/// One TLV: tag, the whole encoding, and the contents.
struct Tlv<'a> {
    tag: u8,
    full: &'a [u8],
    body: &'a [u8],
}

fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = len << 8 | *input.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let full = input.get(..end)?;
    Some((
        Tlv {
            tag,
            full,
            body: &full[header..],
        },
        &input[end..],
    ))
}

fn read_all(mut input: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (t, rest) = read_tlv(input)?;
        out.push(t);
        input = rest;
    }
    Some(out)
}

/// What signing under a CA certificate needs from it.
struct ParentCert {
    subject: Vec<u8>,
    spki: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
}

fn parse_certificate(der: &[u8]) -> Result<ParentCert, String> {
    let malformed = || "x509: malformed certificate".to_string();
    let (cert, rest) = read_tlv(der).ok_or_else(malformed)?;
    if cert.tag != 0x30 || !rest.is_empty() {
        return Err(if rest.is_empty() {
            malformed()
        } else {
            "x509: trailing data".into()
        });
    }
    let parts = read_all(cert.body).ok_or_else(malformed)?;
    let tbs = parts
        .first()
        .filter(|t| t.tag == 0x30)
        .ok_or_else(malformed)?;
    let mut fields = read_all(tbs.body).ok_or_else(malformed)?.into_iter();
    let mut next = fields.next().ok_or_else(malformed)?;
    if next.tag == 0xa0 {
        next = fields.next().ok_or_else(malformed)?;
    }
    // next: serial; then signature algorithm, issuer, validity, subject, spki.
    let _serial = next;
    let _alg = fields.next().ok_or_else(malformed)?;
    let _issuer = fields.next().ok_or_else(malformed)?;
    let _validity = fields.next().ok_or_else(malformed)?;
    let subject = fields.next().ok_or_else(malformed)?;
    let spki = fields.next().ok_or_else(malformed)?;
    let mut subject_key_id = None;
    for f in fields {
        if f.tag != 0xa3 {
            continue;
        }
        let (exts, _) = read_tlv(f.body).ok_or_else(malformed)?;
        for ext in read_all(exts.body).ok_or_else(malformed)? {
            let items = read_all(ext.body).ok_or_else(malformed)?;
            if items.first().map(|t| t.full) == Some(&oid("2.5.29.14")[..])
                && let Some(value) = items.last()
                && let Some((inner, _)) = read_tlv(value.body)
            {
                subject_key_id = Some(inner.body.to_vec());
            }
        }
    }
    Ok(ParentCert {
        subject: subject.full.to_vec(),
        spki: spki.full.to_vec(),
        subject_key_id,
    })
}

// --- PEM ---------------------------------------------------------------------------

/// Go's `pem.EncodeToMemory` for a block without headers.
fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = encoding::base64_encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// Go's `pem.Decode`: the first well-formed block (headers skipped).
fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let type_end = after.find("-----")?;
        let kind = &after[..type_end];
        let body_start = &after[type_end + 5..];
        let end_marker = format!("-----END {kind}-----");
        if let Some(end) = body_start.find(&end_marker) {
            let body = &body_start[..end];
            // Drop `Key: value` header lines, which precede a blank line.
            let body = match body.find("\n\n") {
                Some(i) if body[..i].contains(':') => &body[i + 2..],
                _ => body,
            };
            let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            if let Ok(der) = encoding::base64_decode(&b64) {
                return Some((kind.to_string(), der));
            }
        }
        rest = &after[type_end..];
    }
    None
}

// --- keys --------------------------------------------------------------------------

fn generate_dsa() -> Result<Vec<u8>, String> {
    let components = dsa::Components::generate(&mut OsRng, dsa::KeySize::DSA_2048_256);
    let key = dsa::SigningKey::generate(&mut OsRng, components);
    let vk = key.verifying_key();
    let c = vk.components();
    let int = |n: &num_bigint_dig::BigUint| uint(&n.to_bytes_be());
    Ok(seq(&[
        uint(&[0]),
        int(c.p()),
        int(c.q()),
        int(c.g()),
        int(vk.y()),
        int(key.x()),
    ]))
}

fn ed25519_pkcs8(key: &ed25519_dalek::SigningKey) -> Vec<u8> {
    seq(&[
        uint(&[0]),
        seq(&[oid(OID_ED25519)]),
        octets(&octets(key.as_bytes())),
    ])
}

/// Go's `MarshalECPrivateKey`: SEC 1 with the named curve and the public point.
fn ec_sec1(private: &[u8], curve: &str, public_point: &[u8]) -> Vec<u8> {
    seq(&[
        uint(&[1]),
        octets(private),
        tlv(0xa0, &oid(curve)),
        tlv(0xa1, &bit_string(public_point, 0)),
    ])
}

impl PrivateKey {
    /// Go's `pemBlockForKey`: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for Ed25519.
    fn to_pem(&self) -> Result<String, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => pem_encode(
                "RSA PRIVATE KEY",
                k.to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes(),
            ),
            PrivateKey::P256(k) => {
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                pem_encode(
                    "EC PRIVATE KEY",
                    &ec_sec1(&k.to_bytes(), OID_P256, point.as_bytes()),
                )
            }
            PrivateKey::P384(k) => {
                use p384::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                pem_encode(
                    "EC PRIVATE KEY",
                    &ec_sec1(&k.to_bytes(), OID_P384, point.as_bytes()),
                )
            }
            PrivateKey::Ed25519(k) => pem_encode("PRIVATE KEY", &ed25519_pkcs8(k)),
            PrivateKey::Dsa(der) => pem_encode("DSA PRIVATE KEY", der),
        })
    }

    fn public_key_info(&self) -> Result<Vec<u8>, String> {
        let doc = match self {
            PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            PrivateKey::P256(k) => k.public_key().to_public_key_der(),
            PrivateKey::P384(k) => k.public_key().to_public_key_der(),
            PrivateKey::Ed25519(k) => k.verifying_key().to_public_key_der(),
            PrivateKey::Dsa(_) => {
                return Err("x509: unsupported public key type: *dsa.PublicKey".into());
            }
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    fn signature_algorithm(&self) -> Result<Vec<u8>, String> {
        Ok(match self {
            PrivateKey::Rsa(_) => seq(&[oid("1.2.840.113549.1.1.11"), vec![0x05, 0x00]]),
            PrivateKey::P256(_) => seq(&[oid("1.2.840.10045.4.3.2")]),
            PrivateKey::P384(_) => seq(&[oid("1.2.840.10045.4.3.3")]),
            PrivateKey::Ed25519(_) => seq(&[oid(OID_ED25519)]),
            PrivateKey::Dsa(_) => {
                return Err(
                    "x509: certificate private key does not implement crypto.Signer".into(),
                );
            }
        })
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone())
                .sign(msg)
                .to_vec(),
            PrivateKey::P256(k) => {
                let sig: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k).sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            PrivateKey::P384(k) => {
                let sig: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(k).sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            PrivateKey::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
            PrivateKey::Dsa(_) => {
                return Err(
                    "x509: certificate private key does not implement crypto.Signer".into(),
                );
            }
        })
    }
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
    let info = pkcs8::PrivateKeyInfo::from_der(der)
        .map_err(|e| format!("x509: failed to parse private key: {e}"))?;
    let alg = info.algorithm.oid.to_string();
    match alg.as_str() {
        OID_RSA => rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}")),
        OID_EC => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map(|o| o.to_string())
                .unwrap_or_default();
            match curve.as_str() {
                OID_P256 => p256::SecretKey::from_pkcs8_der(der).map(PrivateKey::P256),
                OID_P384 => p384::SecretKey::from_pkcs8_der(der).map(PrivateKey::P384),
                _ => return Err("x509: failed to parse EC private key embedded in PKCS#8: x509: unsupported elliptic curve".into()),
            }
            .map_err(|e| format!("x509: failed to parse EC private key embedded in PKCS#8: {e}"))
        }
        OID_ED25519 => {
            let (inner, _) = read_tlv(info.private_key)
                .filter(|(t, _)| t.tag == 0x04 && t.body.len() == 32)
                .ok_or_else(|| {
                    format!(
                        "x509: invalid Ed25519 private key length: {}",
                        info.private_key.len()
                    )
                })?;
            let seed: [u8; 32] = inner.body.try_into().expect("checked length");
            Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
                &seed,
            )))
        }
        _ => Err(format!(
            "x509: PKCS#8 wrapping contained private key with unknown algorithm: {alg}"
        )),
    }
}

/// Sprig's `parsePrivateKeyPEM`, with its error texts.
fn parse_private_key_pem(text: &str) -> Result<PrivateKey, String> {
    let Some((kind, der)) = pem_decode(text) else {
        return Err("no PEM data in input".into());
    };
    if kind == "PRIVATE KEY" {
        return parse_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(prefix) = kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {kind}"));
    };
    match prefix {
        "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| {
                format!("parsing RSA private key from PEM: x509: failed to parse private key: {e}")
            }),
        "EC" => {
            let parsed = sec1::EcPrivateKey::from_der(&der).map_err(|e| {
                format!(
                    "parsing EC private key from PEM: x509: failed to parse EC private key: {e}"
                )
            })?;
            let curve = parsed
                .parameters
                .and_then(|p| p.named_curve())
                .map(|o| o.to_string())
                .unwrap_or_default();
            match curve.as_str() {
                OID_P256 => p256::SecretKey::from_sec1_der(&der).map(PrivateKey::P256),
                OID_P384 => p384::SecretKey::from_sec1_der(&der).map(PrivateKey::P384),
                _ => {
                    return Err(
                        "parsing EC private key from PEM: x509: unknown elliptic curve".into(),
                    );
                }
            }
            .map_err(|e| {
                format!(
                    "parsing EC private key from PEM: x509: failed to parse EC private key: {e}"
                )
            })
        }
        "DSA" => {
            let ok = read_tlv(&der)
                .filter(|(t, rest)| t.tag == 0x30 && rest.is_empty())
                .and_then(|(t, _)| read_all(t.body))
                .is_some_and(|ints| ints.len() == 6 && ints.iter().all(|i| i.tag == 0x02));
            if ok {
                Ok(PrivateKey::Dsa(der))
            } else {
                Err(
                    "parsing DSA private key from PEM: asn1: structure error: tags don't match"
                        .into(),
                )
            }
        }
        _ => Err(format!("invalid private key type {kind}")),
    }
}

fn generate_private_key(kind: &str) -> String {
    let key = match kind {
        "" | "rsa" => rsa::RsaPrivateKey::new(&mut OsRng, 4096)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| e.to_string()),
        "dsa" => generate_dsa().map(PrivateKey::Dsa),
        "ecdsa" => Ok(PrivateKey::P256(p256::SecretKey::random(&mut OsRng))),
        "ed25519" => Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(
            &mut OsRng,
        ))),
        _ => return format!("Unknown type {kind}"),
    };
    match key.and_then(|k| k.to_pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    }
}

fn new_rsa_2048() -> Result<PrivateKey, String> {
    rsa::RsaPrivateKey::new(&mut OsRng, 2048)
        .map(|k| PrivateKey::Rsa(Box::new(k)))
        .map_err(|e| format!("error generating rsa key: {e}"))
}

// --- certificates ------------------------------------------------------------------

/// PEM text of a certificate and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pems {
    pub cert: String,
    pub key: String,
}

type Generate = Box<dyn FnOnce() -> Result<Pems, String> + Send>;

/// Sprig's `certificate` struct. A generated one is made on first use: charts such as
/// bitnami's call `genCA` up front and use it only in a branch their values leave off, and
/// the RSA key would be most of their render time. Arguments are checked at the call, as
/// in Go; what is deferred (key generation and signing) cannot fail on valid input.
pub struct Certificate {
    pems: OnceLock<Result<Pems, String>>,
    generate: Mutex<Option<Generate>>,
}

impl Certificate {
    pub fn new(pems: Pems) -> Certificate {
        Certificate {
            pems: OnceLock::from(Ok(pems)),
            generate: Mutex::new(None),
        }
    }

    fn deferred(generate: impl FnOnce() -> Result<Pems, String> + Send + 'static) -> Certificate {
        Certificate {
            pems: OnceLock::new(),
            generate: Mutex::new(Some(Box::new(generate))),
        }
    }

    /// The PEM texts, generating them now if this is their first use.
    pub fn pems(&self) -> Result<&Pems, &str> {
        self.pems
            .get_or_init(|| {
                let generate = self.generate.lock().ok().and_then(|mut g| g.take());
                generate.map_or_else(
                    || Err("certificate generation was interrupted".into()),
                    |g| g(),
                )
            })
            .as_ref()
            .map_err(String::as_str)
    }

    fn text(&self, pick: fn(&Pems) -> &str) -> String {
        match self.pems() {
            Ok(p) => pick(p).to_string(),
            Err(e) => format!("error generating certificate: {e}"),
        }
    }
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("pems", &self.pems.get())
            .finish_non_exhaustive()
    }
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::string(self.text(|p| &p.cert))),
            "Key" => Some(Value::string(self.text(|p| &p.key))),
            _ => None,
        }
    }

    fn format(&self, out: &mut String) {
        out.push('{');
        out.push_str(&self.text(|p| &p.cert));
        out.push(' ');
        out.push_str(&self.text(|p| &p.key));
        out.push('}');
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({ "Cert": self.text(|p| &p.cert), "Key": self.text(|p| &p.key) }))
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let other = other.as_any().downcast_ref::<Certificate>()?;
        Some(std::ptr::eq(self, other) || self.pems().ok() == other.pems().ok())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

struct Template {
    cn: String,
    ips: Vec<IpAddr>,
    dns: Vec<String>,
    days_valid: i64,
    is_ca: bool,
}

/// Sprig's `getNetIPs`/`getAlternateDNSStrs`: every item must be a string (and an IP).
fn template(cn: &str, ips: &Value, dns: &Value, days_valid: i64) -> Result<Template, String> {
    let list = |v: &Value| v.as_list().map(|l| l.items().to_vec()).unwrap_or_default();
    let mut parsed_ips = Vec::new();
    for ip in list(ips) {
        let Some(s) = ip.as_str() else {
            return Err(format!("error parsing ip: {ip} is not a string"));
        };
        parsed_ips.push(
            s.parse::<IpAddr>()
                .map_err(|_| format!("error parsing ip: {s}"))?,
        );
    }
    let mut names = Vec::new();
    for name in list(dns) {
        let Some(s) = name.as_str() else {
            return Err(format!(
                "error processing alternate dns name: {name} is not a string"
            ));
        };
        names.push(s.to_string());
    }
    Ok(Template {
        cn: cn.to_string(),
        ips: parsed_ips,
        dns: names,
        days_valid,
        is_ca: false,
    })
}

fn subject_name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    seq(&[tlv(0x31, &seq(&[oid("2.5.4.3"), directory_string(cn)]))])
}

fn extension(id: &str, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    parts.push(octets(&value));
    seq(&parts)
}

/// The bytes of the BIT STRING inside a SubjectPublicKeyInfo.
fn spki_key_bits(spki: &[u8]) -> Vec<u8> {
    read_tlv(spki)
        .and_then(|(t, _)| read_all(t.body))
        .and_then(|parts| {
            parts
                .get(1)
                .map(|b| b.body.get(1..).unwrap_or_default().to_vec())
        })
        .unwrap_or_default()
}

/// `x509.CreateCertificate` for sprig's templates; returns the PEM certificate and key.
fn create_certificate(
    tpl: &Template,
    signee: &PrivateKey,
    parent: Option<(&ParentCert, &PrivateKey)>,
) -> Result<Pems, String> {
    let signer = parent.map_or(signee, |(_, k)| k);
    let sig_alg = signer.signature_algorithm()?;
    let spki = signee.public_key_info()?;
    let subject = subject_name(&tpl.cn);
    let issuer = parent.map_or_else(|| subject.clone(), |(p, _)| p.subject.clone());
    let key_bits = spki_key_bits(&spki);
    let subject_key_id = tpl.is_ca.then(|| Sha256::digest(&key_bits)[..20].to_vec());
    let authority_key_id = match parent {
        Some((p, _)) if issuer != subject => p.subject_key_id.clone(),
        _ => None,
    };
    if let Some((p, k)) = parent
        && k.public_key_info()? != p.spki
    {
        return Err("x509: provided PrivateKey doesn't match parent's PublicKey".into());
    }

    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    let now = Time::now();
    let not_after = now.add(
        gotime::HOUR
            .saturating_mul(24)
            .saturating_mul(tpl.days_valid),
    );

    let mut exts = Vec::new();
    // KeyUsage: digitalSignature | keyEncipherment (| keyCertSign for a CA), as a
    // minimal-length BIT STRING.
    let usage = if tpl.is_ca {
        bit_string(&[0xa4], 2)
    } else {
        bit_string(&[0xa0], 5)
    };
    exts.push(extension("2.5.29.15", true, usage));
    exts.push(extension(
        "2.5.29.37",
        false,
        seq(&[oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")]),
    ));
    let basic = if tpl.is_ca {
        seq(&[vec![0x01, 0x01, 0xff]])
    } else {
        seq(&[])
    };
    exts.push(extension("2.5.29.19", true, basic));
    if let Some(skid) = &subject_key_id {
        exts.push(extension("2.5.29.14", false, octets(skid)));
    }
    if let Some(akid) = &authority_key_id {
        exts.push(extension("2.5.29.35", false, seq(&[tlv(0x80, akid)])));
    }
    if !tpl.dns.is_empty() || !tpl.ips.is_empty() {
        let mut names: Vec<Vec<u8>> = tpl.dns.iter().map(|d| tlv(0x82, d.as_bytes())).collect();
        for ip in &tpl.ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.push(tlv(0x87, &bytes));
        }
        exts.push(extension("2.5.29.17", tpl.cn.is_empty(), seq(&names)));
    }

    let tbs = seq(&[
        tlv(0xa0, &uint(&[2])),
        uint(&serial),
        sig_alg.clone(),
        issuer,
        seq(&[asn1_time(&now), asn1_time(&not_after)]),
        subject,
        spki,
        tlv(0xa3, &seq(&exts)),
    ]);
    let signature = signer.sign(&tbs)?;
    let der = seq(&[tbs, sig_alg, bit_string(&signature, 0)]);
    Ok(Pems {
        cert: pem_encode("CERTIFICATE", &der),
        key: signee.to_pem()?,
    })
}

fn ca_certificate(cn: &str, days: i64, key: Option<PrivateKey>) -> Result<Certificate, String> {
    let mut tpl = template(cn, &Value::Nil, &Value::Nil, days)?;
    tpl.is_ca = true;
    make(tpl, key, None)
}

fn self_signed(
    cn: &str,
    ips: &Value,
    dns: &Value,
    days: i64,
    key: Option<PrivateKey>,
) -> Result<Certificate, String> {
    make(template(cn, ips, dns, days)?, key, None)
}

fn signed(
    cn: &str,
    ips: &Value,
    dns: &Value,
    days: i64,
    ca: &Value,
    key: Option<PrivateKey>,
) -> Result<Certificate, String> {
    let ca = match ca.downcast_ref::<Certificate>().map(Certificate::pems) {
        Some(Ok(pems)) => pems.clone(),
        Some(Err(e)) => return Err(e.to_string()),
        None => Pems {
            cert: String::new(),
            key: String::new(),
        },
    };
    let Some((_, cert_der)) = pem_decode(&ca.cert) else {
        return Err("unable to decode certificate".into());
    };
    let parent = parse_certificate(&cert_der)
        .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
    let signer =
        parse_private_key_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
    let tpl = template(cn, ips, dns, days)?;
    // Checked now so that a mismatched CA fails at the call even when the key is deferred.
    if signer.public_key_info()? != parent.spki {
        return Err(
            "error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey"
                .into(),
        );
    }
    make(tpl, key, Some((parent, signer)))
}

/// The certificate for `tpl`: made now with the given key (its errors are the call's), or
/// on first use with a new RSA-2048 key, as sprig's functions without `WithKey` make.
fn make(
    tpl: Template,
    key: Option<PrivateKey>,
    parent: Option<(ParentCert, PrivateKey)>,
) -> Result<Certificate, String> {
    let create = move |key: &PrivateKey| {
        create_certificate(&tpl, key, parent.as_ref().map(|(p, k)| (p, k)))
            .map_err(|e| format!("error creating certificate: {e}"))
    };
    match key {
        Some(key) => create(&key).map(Certificate::new),
        None => Ok(Certificate::deferred(move || create(&new_rsa_2048()?))),
    }
}

fn build_custom(b64cert: &str, b64key: &str) -> Result<Certificate, String> {
    let cert = encoding::base64_decode(b64cert)
        .map_err(|_| "unable to decode base64 certificate".to_string())?;
    let key = encoding::base64_decode(b64key)
        .map_err(|_| "unable to decode base64 private key".to_string())?;
    let cert = super::text::lossy(&cert);
    let key = super::text::lossy(&key);
    let Some((_, der)) = pem_decode(&cert) else {
        return Err("unable to decode certificate".into());
    };
    parse_certificate(&der)
        .map_err(|e| format!("error parsing certificate: decodedCert.Bytes: {e}"))?;
    parse_private_key_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(Certificate::new(Pems { cert, key }))
}

fn with_key(pem: &str) -> Result<PrivateKey, FuncError> {
    parse_private_key_pem(pem).map_err(|e| format!("parsing private key: {e}").into())
}

fn cert_value(r: Result<Certificate, String>) -> Result<Value, FuncError> {
    r.map(Value::object).map_err(FuncError::from)
}

pub(super) fn register(m: &mut FuncMap) {
    m.add("genPrivateKey", "func(typ string) string", |_, a| {
        Ok(Value::string(generate_private_key(str_arg(a, 0))))
    });
    m.add(
        "buildCustomCert",
        "func(b64cert string, b64key string) (sprig.certificate, error)",
        |_, a| cert_value(build_custom(str_arg(a, 0), str_arg(a, 1))),
    );
    m.add(
        "genCA",
        "func(cn string, daysValid int) (sprig.certificate, error)",
        |_, a| cert_value(ca_certificate(str_arg(a, 0), int_arg(a, 1), None)),
    );
    m.add(
        "genCAWithKey",
        "func(cn string, daysValid int, privPEM string) (sprig.certificate, error)",
        |_, a| {
            let key = with_key(str_arg(a, 2))?;
            cert_value(ca_certificate(str_arg(a, 0), int_arg(a, 1), Some(key)))
        },
    );
    m.add(
        "genSelfSignedCert",
        "func(cn string, ips []interface {}, alternateDNS []interface {}, daysValid int) (sprig.certificate, error)",
        |_, a| {
            cert_value(self_signed(str_arg(a, 0), &a[1], &a[2], int_arg(a, 3), None))
        },
    );
    m.add(
        "genSelfSignedCertWithKey",
        "func(cn string, ips []interface {}, alternateDNS []interface {}, daysValid int, privPEM string) (sprig.certificate, error)",
        |_, a| {
            let key = with_key(str_arg(a, 4))?;
            cert_value(self_signed(str_arg(a, 0), &a[1], &a[2], int_arg(a, 3), Some(key)))
        },
    );
    m.add(
        "genSignedCert",
        "func(cn string, ips []interface {}, alternateDNS []interface {}, daysValid int, ca sprig.certificate) (sprig.certificate, error)",
        |_, a| {
            cert_value(signed(str_arg(a, 0), &a[1], &a[2], int_arg(a, 3), &a[4], None))
        },
    );
    m.add(
        "genSignedCertWithKey",
        "func(cn string, ips []interface {}, alternateDNS []interface {}, daysValid int, ca sprig.certificate, privPEM string) (sprig.certificate, error)",
        |_, a| {
            let key = with_key(str_arg(a, 5))?;
            cert_value(signed(str_arg(a, 0), &a[1], &a[2], int_arg(a, 3), &a[4], Some(key)))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ed_key() -> PrivateKey {
        PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng))
    }

    #[test]
    fn keys_round_trip_through_pem() {
        let pem = ed_key().to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(matches!(
            parse_private_key_pem(&pem).unwrap(),
            PrivateKey::Ed25519(_)
        ));
        let ec = PrivateKey::P256(p256::SecretKey::random(&mut OsRng))
            .to_pem()
            .unwrap();
        assert!(ec.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(matches!(
            parse_private_key_pem(&ec).unwrap(),
            PrivateKey::P256(_)
        ));
        assert_eq!(
            parse_private_key_pem("nope").err().unwrap(),
            "no PEM data in input"
        );
        assert_eq!(generate_private_key("foo"), "Unknown type foo");
    }

    #[test]
    fn signs_a_leaf_under_a_ca() {
        let ca_key = PrivateKey::P256(p256::SecretKey::random(&mut OsRng));
        let ca = ca_certificate("my-ca", 365, Some(ca_key)).unwrap();
        let ca_pems = ca.pems().unwrap().clone();
        let (_, der) = pem_decode(&ca_pems.cert).unwrap();
        let parsed = parse_certificate(&der).unwrap();
        assert_eq!(parsed.subject_key_id.as_ref().map(Vec::len), Some(20));
        let ips = Value::list(vec![Value::string("10.0.0.1")]);
        let dns = Value::list(vec![Value::string("example.com")]);
        let leaf = signed("leaf", &ips, &dns, 30, &Value::object(ca), Some(ed_key())).unwrap();
        assert!(
            leaf.pems()
                .unwrap()
                .cert
                .starts_with("-----BEGIN CERTIFICATE-----\n")
        );
        let other_ca = Certificate::new(Pems {
            cert: ca_pems.cert.clone(),
            key: ed_key().to_pem().unwrap(),
        });
        // A mismatched CA fails at the call, also when the leaf's key would be deferred.
        for key in [Some(ed_key()), None] {
            let err = signed(
                "leaf",
                &ips,
                &dns,
                30,
                &Value::object(Certificate::new(other_ca.pems().unwrap().clone())),
                key,
            )
            .unwrap_err();
            assert_eq!(
                err,
                "error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey"
            );
        }
        let bad_ip = template(
            "x",
            &Value::list(vec![Value::string("1.2.3")]),
            &Value::Nil,
            1,
        )
        .err()
        .unwrap();
        assert_eq!(bad_ip, "error parsing ip: 1.2.3");
    }

    #[test]
    fn a_generated_certificate_is_made_on_first_use_only() {
        let ca = ca_certificate("lazy-ca", 1, None).unwrap();
        assert!(
            ca.pems.get().is_none(),
            "no key before the certificate is used"
        );
        let cert = ca.field("Cert").unwrap();
        assert!(
            cert.as_str()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----\n")
        );
        let key = ca.field("Key").unwrap();
        assert!(
            key.as_str()
                .unwrap()
                .starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
        );
        assert_eq!(
            ca.field("Cert").unwrap().as_str(),
            cert.as_str(),
            "made once"
        );
        // A leaf under a deferred CA forces the CA, and the leaf verifies against it.
        let ca2 = Value::object(ca_certificate("lazy-ca-2", 1, None).unwrap());
        let leaf = signed("leaf", &Value::Nil, &Value::Nil, 1, &ca2, None).unwrap();
        assert!(leaf.pems.get().is_none());
        assert!(
            leaf.pems()
                .unwrap()
                .key
                .starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
        );
    }
}

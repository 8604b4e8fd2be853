//! Sprig's `crypto.go` hashing, passwords, AES and randomness, and the `rand*`
//! string functions. Key and certificate generation live in [`super::certs`].

use aes::Aes256;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::conv::{int_arg, str_arg};
use super::encoding;
use crate::func::{FuncError, FuncMap};
use crate::value::Value;

/// A uniformly random integer in `[0, n)` from the OS generator (`n > 0`).
pub(super) fn random_below(n: u64) -> u64 {
    assert!(n > 0, "random_below(0)");
    // Rejection sampling keeps the distribution uniform.
    let zone = u64::MAX - (u64::MAX - n + 1) % n;
    loop {
        let v = OsRng.next_u64();
        if v <= zone {
            return v % n;
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `hash/adler32`.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += x as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    b << 16 | a
}

const MASTER_PASSWORD_SEED: &[u8] = b"com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_characters(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        b'x' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => b"",
    }
}

/// The Master Password algorithm (scrypt key, HMAC-SHA256 seed, templates), as sprig.
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let params = scrypt::Params::new(15, 8, 2, 64).expect("valid scrypt parameters");
    let mut key = [0u8; 64];
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut message = MASTER_PASSWORD_SEED.to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[seed[0] as usize % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_characters(c);
            chars[seed[i + 1] as usize % chars.len()] as char
        })
        .collect()
}

/// `bcrypt.GenerateFromPassword(input, DefaultCost)` as sprig reports it.
fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

/// AES-256-CBC with PKCS#7 padding and a random IV in front, base64'd.
fn encrypt_aes(password: &str, plaintext: &str) -> String {
    if plaintext.is_empty() {
        return String::new();
    }
    let mut content = plaintext.as_bytes().to_vec();
    let padding = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(padding as u8, padding));
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut iv);
    let key = aes_key(password);
    let len = content.len();
    cbc::Encryptor::<Aes256>::new(&key.into(), &iv.into())
        .encrypt_padded_mut::<NoPadding>(&mut content, len)
        .expect("whole blocks");
    let mut out = iv.to_vec();
    out.extend_from_slice(&content);
    encoding::base64_encode(&out)
}

/// The inverse of [`encrypt_aes`], failing (or panicking, as errors) where Go does.
fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, FuncError> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = encoding::base64_decode(crypt64)?;
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        )
        .into());
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    if body.is_empty() {
        return Err("runtime error: index out of range [-1]".into());
    }
    let key = aes_key(password);
    let iv: [u8; 16] = iv.try_into().expect("16 bytes");
    let mut decrypted = body.to_vec();
    cbc::Decryptor::<Aes256>::new(&key.into(), &iv.into())
        .decrypt_padded_mut::<NoPadding>(&mut decrypted)
        .map_err(|e| FuncError::new(e.to_string()))?;
    let pad = *decrypted.last().expect("non-empty") as usize;
    if pad > decrypted.len() {
        return Err(format!(
            "runtime error: slice bounds out of range [:{}]",
            decrypted.len() as i64 - pad as i64
        )
        .into());
    }
    let plain = &decrypted[..decrypted.len() - pad];
    Ok(super::text::lossy(plain))
}

/// goutils `CryptoRandom` over ASCII: `count` characters drawn uniformly from `set`.
fn random_string(count: i64, set: &[u8]) -> String {
    if count <= 0 {
        // goutils returns an error for negative counts, which sprig drops.
        return String::new();
    }
    (0..count)
        .map(|_| set[random_below(set.len() as u64) as usize] as char)
        .collect()
}

fn ascii_set(pred: impl Fn(u8) -> bool) -> Vec<u8> {
    (b' '..=b'z').filter(|&c| pred(c)).collect()
}

/// `uuid.New().String()`: a random (version 4) UUID.
fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

pub(super) fn register(m: &mut FuncMap) {
    m.add("sha1sum", "func(input string) string", |_, a| {
        Ok(Value::string(hex(&Sha1::digest(str_arg(a, 0).as_bytes()))))
    });
    m.add("sha256sum", "func(input string) string", |_, a| {
        Ok(Value::string(hex(&Sha256::digest(
            str_arg(a, 0).as_bytes(),
        ))))
    });
    m.add("sha512sum", "func(input string) string", |_, a| {
        Ok(Value::string(hex(&Sha512::digest(
            str_arg(a, 0).as_bytes(),
        ))))
    });
    m.add("adler32sum", "func(input string) string", |_, a| {
        Ok(Value::string(adler32(str_arg(a, 0).as_bytes()).to_string()))
    });
    m.add("bcrypt", "func(input string) string", |_, a| {
        Ok(Value::string(bcrypt_hash(str_arg(a, 0))))
    });
    m.add(
        "htpasswd",
        "func(username string, password string) string",
        |_, a| {
            let user = str_arg(a, 0);
            if user.contains(':') {
                return Ok(Value::string(format!("invalid username: {user}")));
            }
            Ok(Value::string(format!(
                "{user}:{}",
                bcrypt_hash(str_arg(a, 1))
            )))
        },
    );
    m.add(
        "derivePassword",
        "func(counter uint32, passwordType, password, user, site string) string",
        |_, a| {
            let counter = a[0].as_i64().unwrap_or(0) as u32;
            Ok(Value::string(derive_password(
                counter,
                str_arg(a, 1),
                str_arg(a, 2),
                str_arg(a, 3),
                str_arg(a, 4),
            )))
        },
    );
    m.add(
        "encryptAES",
        "func(password string, plaintext string) (string, error)",
        |_, a| Ok(Value::string(encrypt_aes(str_arg(a, 0), str_arg(a, 1)))),
    );
    m.add(
        "decryptAES",
        "func(password string, crypt64 string) (string, error)",
        |_, a| decrypt_aes(str_arg(a, 0), str_arg(a, 1)).map(Value::string),
    );
    m.add("randBytes", "func(count int) (string, error)", |_, a| {
        let count = int_arg(a, 0);
        if count < 0 {
            return Err("runtime error: makeslice: len out of range".into());
        }
        let mut buf = vec![0u8; count as usize];
        OsRng.fill_bytes(&mut buf);
        Ok(Value::string(encoding::base64_encode(&buf)))
    });
    m.add("uuidv4", "func() string", |_, _| {
        Ok(Value::string(uuid_v4()))
    });
    m.add("randAlphaNum", "func(count int) string", |_, a| {
        Ok(Value::string(random_string(
            int_arg(a, 0),
            &ascii_set(|c| c.is_ascii_alphanumeric()),
        )))
    });
    m.add("randAlpha", "func(count int) string", |_, a| {
        Ok(Value::string(random_string(
            int_arg(a, 0),
            &ascii_set(|c| c.is_ascii_alphabetic()),
        )))
    });
    m.add("randAscii", "func(count int) string", |_, a| {
        let set: Vec<u8> = (32..=126).collect();
        Ok(Value::string(random_string(int_arg(a, 0), &set)))
    });
    m.add("randNumeric", "func(count int) string", |_, a| {
        Ok(Value::string(random_string(int_arg(a, 0), b"0123456789")))
    });
    super::certs::register(m);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_go() {
        assert_eq!(adler32(b"abc"), 38_600_999);
        assert_eq!(
            hex(&Sha1::digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn aes_round_trips_and_fails_like_go() {
        let c = encrypt_aes("secretkey", "plaintext");
        assert_eq!(decrypt_aes("secretkey", &c).unwrap(), "plaintext");
        assert_eq!(
            decrypt_aes("k", "!!").unwrap_err().message(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            decrypt_aes("k", "YWJj").unwrap_err().message(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn bcrypt_hashes_verify() {
        let h = bcrypt_hash("secret");
        assert!(h.starts_with("$2a$10$"));
        assert!(bcrypt::verify("secret", &h).unwrap());
    }
}

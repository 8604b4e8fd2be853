//! OpenPGP verification of commits and tags (`spec.verify`), with rPGP.
//!
//! Flux's `verifySignature` tries each keyring in turn and returns the key ID of the primary
//! key that verified; the controller maps `HEAD` to [`verify_commit`], `Tag` to
//! [`verify_tag`] and `TagAndHEAD` to both.

use crate::checkout::{Commit, SignedPayload, TagInfo};
use crate::error::{Error, Result};
use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::types::KeyDetails;

/// Verifies the commit's signature with the armored public keys in `keyrings` (each entry
/// may hold several keys). Returns the 16-hex-digit ID of the primary key that verified it.
pub fn verify_commit(commit: &Commit, keyrings: &[&str]) -> Result<String> {
    verify(
        &format!("commit '{}'", commit.sha),
        commit.signature.as_ref(),
        keyrings,
    )
}

/// Verifies the signature of the annotated tag the commit was reached through.
pub fn verify_tag(tag: &TagInfo, keyrings: &[&str]) -> Result<String> {
    verify(
        &format!("tag '{}'", tag.display()),
        tag.signature.as_ref(),
        keyrings,
    )
}

fn verify(object: &str, signed: Option<&SignedPayload>, keyrings: &[&str]) -> Result<String> {
    let Some(signed) = signed else {
        return Err(Error::Unsigned {
            object: object.to_string(),
        });
    };
    let keys = parse_keyrings(keyrings)?;
    let (sig, _) =
        DetachedSignature::from_string(&signed.signature).map_err(|e| Error::InvalidSignature {
            object: object.to_string(),
            reason: e.to_string(),
        })?;
    let issuers: Vec<[u8; 8]> = sig
        .signature
        .issuer_key_id()
        .into_iter()
        .map(|id| to_array(id.as_ref()))
        .chain(
            sig.signature
                .issuer_fingerprint()
                .into_iter()
                .filter_map(|fp| key_id_of_fingerprint(fp.as_bytes())),
        )
        .collect();
    let issuer_text = issuers
        .first()
        .map(|id| hex_upper(id))
        .unwrap_or_else(|| "<none>".to_string());

    let mut failed_with: Option<String> = None;
    for key in &keys {
        // A key whose self-signatures do not hold is not a key the user vouched for.
        if key.verify_bindings().is_err() {
            continue;
        }
        let primary_id = hex_upper(&to_array(key.primary_key.legacy_key_id().as_ref()));
        let matches = |id: [u8; 8]| issuers.is_empty() || issuers.contains(&id);
        if matches(to_array(key.primary_key.legacy_key_id().as_ref())) {
            match sig.verify(&key.primary_key, &signed.payload) {
                Ok(()) => return Ok(primary_id),
                Err(_) => failed_with = Some(primary_id.clone()),
            }
        }
        for sub in &key.public_subkeys {
            if !matches(to_array(sub.key.legacy_key_id().as_ref())) {
                continue;
            }
            match sig.verify(&sub.key, &signed.payload) {
                Ok(()) => return Ok(primary_id),
                Err(_) => {
                    failed_with = Some(hex_upper(&to_array(sub.key.legacy_key_id().as_ref())))
                }
            }
        }
    }
    match failed_with {
        Some(key_id) => Err(Error::BadSignature {
            object: object.to_string(),
            key_id,
        }),
        None => Err(Error::UnknownSigningKey {
            object: object.to_string(),
            key_id: issuer_text,
        }),
    }
}

fn parse_keyrings(keyrings: &[&str]) -> Result<Vec<SignedPublicKey>> {
    if keyrings.is_empty() {
        return Err(Error::InvalidKeyring {
            index: 0,
            reason: "no keyring given".into(),
        });
    }
    let mut keys = Vec::new();
    for (index, text) in keyrings.iter().enumerate() {
        let bad = |reason: String| Error::InvalidKeyring { index, reason };
        let (iter, _) =
            SignedPublicKey::from_armor_many(text.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let before = keys.len();
        for item in iter {
            keys.push(item.map_err(|e| bad(e.to_string()))?);
        }
        if keys.len() == before {
            return Err(bad("no public key found".into()));
        }
    }
    Ok(keys)
}

fn to_array(bytes: &[u8]) -> [u8; 8] {
    let mut out = [0u8; 8];
    let n = bytes.len().min(8);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

/// v4 key IDs are the low 64 bits of the fingerprint, v6 the high 64 bits.
fn key_id_of_fingerprint(fp: &[u8]) -> Option<[u8; 8]> {
    match fp.len() {
        20 => Some(to_array(&fp[12..])),
        32 => Some(to_array(&fp[..8])),
        _ => None,
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

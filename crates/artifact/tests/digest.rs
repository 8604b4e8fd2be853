//! Digest parsing, printing and verification.

use std::io::Read;

use artifact::{Algorithm, Digest, Error, VerifyingReader};

const EMPTY_SHA256: &str =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[test]
fn parses_and_prints_oci_digests() {
    let d: Digest = EMPTY_SHA256.parse().unwrap();
    assert_eq!(d.algorithm(), Algorithm::Sha256);
    assert_eq!(d.to_string(), EMPTY_SHA256);
    let (of, n) = Digest::of_reader(Algorithm::Sha512, &b"abc"[..]).unwrap();
    assert_eq!(n, 3);
    assert!(of.to_string().starts_with("sha512:ddaf35a193617aba"));
    assert_eq!(of.to_string().parse::<Digest>().unwrap(), of);
}

#[test]
fn rejects_malformed_digests_naming_them() {
    for bad in [
        "",
        "sha256",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0",
        "sha256:zzb0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ] {
        let err = bad.parse::<Digest>().unwrap_err();
        assert!(matches!(err, Error::InvalidDigest { .. }), "{bad}");
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
}

#[test]
fn verifies_streams() {
    let d: Digest = EMPTY_SHA256.parse().unwrap();
    assert_eq!(d.verify(&b""[..]).unwrap(), 0);
    let err = d.verify(&b"x"[..]).unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }));
    assert!(err.to_string().contains(EMPTY_SHA256), "{err}");
}

#[test]
fn verifying_reader_checks_while_streaming_and_drains_the_rest() {
    let data = vec![42u8; 100_000];
    let (d, _) = Digest::of_reader(Algorithm::Sha256, &data[..]).unwrap();
    let mut r = VerifyingReader::new(&data[..], d.clone());
    let mut head = [0u8; 10];
    r.read_exact(&mut head).unwrap();
    assert_eq!(r.finish().unwrap(), 100_000);

    let mut tampered = data.clone();
    tampered[99_999] = 0;
    let r = VerifyingReader::new(&tampered[..], d);
    assert!(matches!(r.finish(), Err(Error::DigestMismatch { .. })));
}

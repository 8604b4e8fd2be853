use crate::{servers, unique};
use gitsource::{Auth, CheckoutOptions, Error, Reference, checkout, verify_commit, verify_tag};
use testenv::git::GpgKey;

fn keys() -> &'static (GpgKey, GpgKey) {
    static KEYS: std::sync::OnceLock<(GpgKey, GpgKey)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        (
            GpgKey::generate().unwrap(),
            GpgKey::generate_with("other <other@tk.invalid>", "rsa2048").unwrap(),
        )
    })
}

fn get(url: &str, r: Reference) -> gitsource::Commit {
    let dir = tempfile::tempdir().unwrap();
    checkout(
        url,
        &r,
        &Auth::default(),
        &dir.path().join("co"),
        &CheckoutOptions::default(),
    )
    .unwrap()
}

#[test]
fn signed_commits_verify_with_the_signers_key_only() {
    let (signer, other) = keys();
    let repo = servers().create_repo(&unique("signed")).unwrap();
    let sha = repo.signed_commit("signed", &[("a", "1")], signer).unwrap();
    repo.push().unwrap();
    let url = servers().daemon().url(repo.name());
    let commit = get(&url, Reference::branch("main"));
    assert!(commit.signature.is_some());

    let id = verify_commit(&commit, &[signer.public_key_armored()]).unwrap();
    assert_eq!(id, signer.key_id().to_uppercase());
    // Any keyring of several may hold the key.
    let id = verify_commit(
        &commit,
        &[other.public_key_armored(), signer.public_key_armored()],
    )
    .unwrap();
    assert_eq!(id, signer.key_id().to_uppercase());

    let err = verify_commit(&commit, &[other.public_key_armored()]).unwrap_err();
    assert!(matches!(err, Error::UnknownSigningKey { .. }), "{err}");
    assert!(err.to_string().contains(&sha), "{err}");

    // The signature no longer covers what was signed.
    let mut tampered = commit.clone();
    tampered
        .signature
        .as_mut()
        .unwrap()
        .payload
        .extend_from_slice(b"evil");
    let err = verify_commit(&tampered, &[signer.public_key_armored()]).unwrap_err();
    assert!(matches!(err, Error::BadSignature { .. }), "{err}");
}

#[test]
fn unsigned_commits_and_tags_are_refused() {
    let (signer, _) = keys();
    let repo = servers().create_repo(&unique("unsigned")).unwrap();
    let sha = repo.commit("plain", &[("a", "1")]).unwrap();
    repo.annotated_tag("v1.0.0", "unsigned tag").unwrap();
    repo.push().unwrap();
    let url = servers().daemon().url(repo.name());
    let commit = get(&url, Reference::tag("v1.0.0"));
    let err = verify_commit(&commit, &[signer.public_key_armored()]).unwrap_err();
    assert_eq!(err.to_string(), format!("commit '{sha}' is not signed"));
    let tag = commit.tag.unwrap();
    let err = verify_tag(&tag, &[signer.public_key_armored()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("tag 'v1.0.0@{}' is not signed", tag.sha)
    );
}

#[test]
fn signed_tags_verify_independently_of_the_commit() {
    let (signer, other) = keys();
    let repo = servers().create_repo(&unique("signedtag")).unwrap();
    repo.commit("plain", &[("a", "1")]).unwrap();
    repo.signed_tag("v2.0.0", "signed release", signer).unwrap();
    repo.push().unwrap();
    let url = servers().daemon().url(repo.name());
    for r in [
        Reference::tag("v2.0.0"),
        Reference::semver("2.x"),
        Reference::name("refs/tags/v2.0.0"),
    ] {
        let commit = get(&url, r.clone());
        let tag = commit
            .tag
            .clone()
            .unwrap_or_else(|| panic!("{r:?}: no tag"));
        assert_eq!(tag.message, "signed release\n");
        assert_eq!(
            verify_tag(&tag, &[signer.public_key_armored()]).unwrap(),
            signer.key_id().to_uppercase()
        );
        let err = verify_tag(&tag, &[other.public_key_armored()]).unwrap_err();
        assert!(matches!(err, Error::UnknownSigningKey { .. }), "{err}");
        assert!(matches!(
            verify_commit(&commit, &[signer.public_key_armored()]),
            Err(Error::Unsigned { .. })
        ));
    }
}

#[test]
fn bad_keyrings_are_reported_by_index() {
    let (signer, _) = keys();
    let repo = servers().create_repo(&unique("keyring")).unwrap();
    repo.signed_commit("signed", &[("a", "1")], signer).unwrap();
    repo.push().unwrap();
    let commit = get(
        &servers().daemon().url(repo.name()),
        Reference::branch("main"),
    );
    let err = verify_commit(&commit, &[signer.public_key_armored(), "garbage"]).unwrap_err();
    assert!(
        matches!(err, Error::InvalidKeyring { index: 1, .. }),
        "{err}"
    );
    assert!(matches!(
        verify_commit(&commit, &[]),
        Err(Error::InvalidKeyring { .. })
    ));
}

use crate::{PASSWORD, TOKEN, USER, basic_http, bearer_http, fixture, servers, tls_http};
use gitsource::{
    Auth, CheckoutOptions, Credentials, Error, Options, Reference, SshIdentity, checkout, ls_remote,
};
use testenv::git::{HostKeyType, SshKeyPair, SshKeyType};

fn ssh_auth(key: &SshKeyPair, known_hosts: String) -> Auth {
    Auth {
        credentials: Credentials::Ssh(SshIdentity {
            private_key: key.private_key.clone(),
            public_key: Some(key.public_key.clone()),
            passphrase: key.passphrase.clone(),
            user: None,
        }),
        known_hosts: Some(known_hosts),
        ..Default::default()
    }
}

fn authorized(kind: SshKeyType, passphrase: Option<&str>) -> SshKeyPair {
    let key = match passphrase {
        Some(p) => SshKeyPair::generate_encrypted(kind, p).unwrap(),
        None => SshKeyPair::generate(kind).unwrap(),
    };
    servers().ssh().add_authorized_key(&key.public_key).unwrap();
    key
}

fn roundtrip(url: &str, auth: &Auth) -> gitsource::Result<String> {
    let head = ls_remote(url, &Reference::branch("main"), auth, &Options::default())?;
    let dir = tempfile::tempdir().unwrap();
    let commit = checkout(
        url,
        &Reference::branch("main"),
        auth,
        &dir.path().join("co"),
        &CheckoutOptions::default(),
    )?;
    assert_eq!(head.revision, commit.revision);
    Ok(commit.revision)
}

#[test]
fn ssh_with_each_supported_key_type() {
    let f = fixture("ssh");
    let url = servers().ssh().url(f.repo.name());
    for (kind, pass) in [
        (SshKeyType::Ed25519, None),
        (SshKeyType::EcdsaP256, None),
        (SshKeyType::Rsa2048, None),
        (SshKeyType::Ed25519, Some("correct horse")),
    ] {
        let key = authorized(kind, pass);
        let rev = roundtrip(&url, &ssh_auth(&key, servers().ssh().known_hosts()))
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(rev, format!("main@sha1:{}", f.second));
    }
}

#[test]
fn ssh_accepts_any_listed_host_key_type_and_hashed_entries() {
    let f = fixture("sshkh");
    let url = servers().ssh().url(f.repo.name());
    let key = authorized(SshKeyType::Ed25519, None);
    let port = servers().ssh().port();
    // Only one of the server's host keys listed, hashed by ssh-keygen -H.
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    std::fs::write(
        &kh,
        format!(
            "[127.0.0.1]:{port} {}\n",
            servers()
                .ssh()
                .host_public_key(HostKeyType::Ed25519)
                .unwrap()
        ),
    )
    .unwrap();
    let ok = std::process::Command::new("ssh-keygen")
        .arg("-q")
        .arg("-H")
        .arg("-f")
        .arg(&kh)
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
    let hashed = std::fs::read_to_string(&kh).unwrap();
    assert!(hashed.starts_with("|1|"), "{hashed}");
    roundtrip(&url, &ssh_auth(&key, hashed)).unwrap();
}

#[test]
fn ssh_refuses_unknown_and_changed_host_keys() {
    let f = fixture("sshhost");
    let url = servers().ssh().url(f.repo.name());
    let key = authorized(SshKeyType::Ed25519, None);
    let port = servers().ssh().port();
    let offered = servers()
        .ssh()
        .host_public_key(HostKeyType::Ed25519)
        .unwrap()
        .to_string();
    let blob = base64_decode(offered.split_whitespace().nth(1).unwrap());
    let fingerprint = gitsource::fingerprint_sha256(&blob);
    let impostor = SshKeyPair::generate(SshKeyType::Ed25519)
        .unwrap()
        .public_key;

    // Listed for another host (the default port) only.
    let err = roundtrip(&url, &ssh_auth(&key, format!("127.0.0.1 {offered}\n"))).unwrap_err();
    assert!(matches!(err, Error::UnknownHostKey { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "unknown host key for [127.0.0.1]:{port}: the server offered ssh-ed25519 key {fingerprint}, which is not in known_hosts"
        )
    );

    // Same host, another ed25519 key: a man in the middle.
    let err = roundtrip(
        &url,
        &ssh_auth(&key, format!("[127.0.0.1]:{port} {}", impostor.trim())),
    )
    .unwrap_err();
    assert!(matches!(err, Error::HostKeyMismatch { .. }), "{err:?}");
    assert!(err.to_string().contains(&fingerprint), "{err}");
}

#[test]
fn ssh_refuses_unauthorized_and_weak_keys() {
    let f = fixture("sshauth");
    let url = servers().ssh().url(f.repo.name());
    let stranger = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let err = roundtrip(&url, &ssh_auth(&stranger, servers().ssh().known_hosts())).unwrap_err();
    assert!(matches!(err, Error::AuthenticationFailed { .. }), "{err:?}");

    let weak = authorized(SshKeyType::Rsa1024, None);
    let err = roundtrip(&url, &ssh_auth(&weak, servers().ssh().known_hosts())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid SSH identity: RSA key of 1024 bits is too weak: at least 2048 bits are required"
    );

    let mut no_hosts = ssh_auth(&authorized(SshKeyType::Ed25519, None), String::new());
    let err = roundtrip(&url, &no_hosts).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    no_hosts.known_hosts = Some("garbage line\n".into());
    assert!(matches!(
        roundtrip(&url, &no_hosts),
        Err(Error::InvalidKnownHosts { .. })
    ));
}

#[test]
fn ssh_wrong_passphrase_is_an_authentication_failure_without_the_passphrase() {
    let f = fixture("sshpass");
    let url = servers().ssh().url(f.repo.name());
    let mut key = authorized(SshKeyType::Ed25519, Some("the right one"));
    key.passphrase = Some("the-wrong-one".into());
    let err = roundtrip(&url, &ssh_auth(&key, servers().ssh().known_hosts())).unwrap_err();
    assert!(matches!(err, Error::AuthenticationFailed { .. }), "{err:?}");
    assert!(!err.to_string().contains("the-wrong-one"), "{err}");
}

#[test]
fn http_basic_auth() {
    let f = fixture("basic");
    let url = basic_http().url(f.repo.name());
    let good = Auth {
        credentials: Credentials::Basic {
            username: USER.into(),
            password: PASSWORD.into(),
        },
        ..Default::default()
    };
    roundtrip(&url, &good).unwrap();

    let wrong = Auth {
        credentials: Credentials::Basic {
            username: USER.into(),
            password: "wrong-password-123".into(),
        },
        ..Default::default()
    };
    let err = roundtrip(&url, &wrong).unwrap_err();
    assert!(matches!(err, Error::AuthenticationFailed { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("wrong-password-123") && !text.contains(PASSWORD),
        "{text}"
    );

    let err = roundtrip(&url, &Auth::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "authentication failed for {url}: the server requires credentials and none were given"
        )
    );

    // Credentials in the URL are used but never shown.
    let with_userinfo = url.replace("http://", &format!("http://{USER}:{PASSWORD}@"));
    roundtrip(&with_userinfo, &Auth::default()).unwrap();
    let bad_userinfo = url.replace("http://", "http://flux:leaked-in-url@");
    let err = ls_remote(
        &bad_userinfo,
        &Reference::branch("main"),
        &Auth::default(),
        &Options::default(),
    )
    .unwrap_err();
    assert!(
        !format!("{err} {err:?}").contains("leaked-in-url"),
        "{err:?}"
    );
}

#[test]
fn http_bearer_token() {
    let f = fixture("bearer");
    let url = bearer_http().url(f.repo.name());
    let good = Auth {
        credentials: Credentials::Bearer {
            token: TOKEN.into(),
        },
        ..Default::default()
    };
    roundtrip(&url, &good).unwrap();
    let wrong = Auth {
        credentials: Credentials::Bearer {
            token: "not-the-token-456".into(),
        },
        ..Default::default()
    };
    let err = roundtrip(&url, &wrong).unwrap_err();
    assert!(matches!(err, Error::AuthenticationFailed { .. }), "{err:?}");
    assert!(
        !format!("{err} {err:?}").contains("not-the-token-456"),
        "{err:?}"
    );
}

#[test]
fn https_with_a_custom_ca() {
    let f = fixture("tls");
    let server = tls_http();
    let url = server.url(f.repo.name());
    let trusted = Auth {
        ca_pem: Some(server.ca_pem().unwrap().to_string()),
        ..Default::default()
    };
    roundtrip(&url, &trusted).unwrap();

    let err = roundtrip(&url, &Auth::default()).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");

    // Another CA does not help.
    let other = servers()
        .start_http(&testenv::git::HttpOptions {
            tls: Some(Default::default()),
            ..Default::default()
        })
        .unwrap();
    let wrong_ca = Auth {
        ca_pem: Some(other.ca_pem().unwrap().to_string()),
        ..Default::default()
    };
    let err = roundtrip(&url, &wrong_ca).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().contains("not signed by the given CA"),
        "{err}"
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

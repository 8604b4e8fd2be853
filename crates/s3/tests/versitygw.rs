//! The client against a real S3 server (Versity Gateway, from testenv), which checks
//! signatures strictly; objects are written by curl, an independent SigV4 client.

use std::path::Path;
use std::time::Duration;

use s3::{Client, ClientOptions, Credentials, Error, Object};
use testenv::s3::{S3Options, S3Server};

fn start(tls: bool) -> S3Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    S3Server::start(&S3Options {
        tls,
        ..S3Options::default()
    })
    .unwrap_or_else(|e| panic!("{e:#}"))
}

fn options(server: &S3Server) -> ClientOptions {
    ClientOptions {
        endpoint: server.endpoint(),
        insecure: server.ca_pem().is_none(),
        credentials: Some(Credentials {
            access_key: server.access_key().into(),
            secret_key: server.secret_key().into(),
            session_token: None,
        }),
        ca_pem: server.ca_pem().map(|pem| pem.as_bytes().to_vec()),
        timeout: Duration::from_secs(30),
        ..ClientOptions::default()
    }
}

fn client(server: &S3Server) -> Client {
    Client::new(options(server)).unwrap()
}

async fn list(client: &Client, bucket: &str, prefix: Option<&str>) -> Result<Vec<Object>, Error> {
    let mut objects = Vec::new();
    client
        .list_objects(bucket, prefix, |o| {
            objects.push(o);
            Ok(())
        })
        .await?;
    Ok(objects)
}

fn keys(objects: &[Object]) -> Vec<&str> {
    objects.iter().map(|o| o.key.as_str()).collect()
}

#[tokio::test]
async fn lists_across_pages_and_filters_by_prefix() {
    let server = start(false);
    server.create_bucket("pages").unwrap();
    let src = tempfile::tempdir().unwrap();
    // More than the 1000 keys of one page, in nested directories.
    for i in 0..1100 {
        let path = src.path().join(format!("d{}/obj-{i:04}", i % 7));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, i.to_string()).unwrap();
    }
    let mut expected = server.put_dir("pages", "many/", src.path()).unwrap();
    for key in ["other/1", "other/2", "top"] {
        server.put_object("pages", key, key.as_bytes()).unwrap();
    }
    let client = client(&server);

    let many = list(&client, "pages", Some("many/")).await.unwrap();
    assert_eq!(many.len(), 1100);
    let mut got: Vec<String> = many.iter().map(|o| o.key.clone()).collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    let first = many.iter().find(|o| o.key == "many/d0/obj-0000").unwrap();
    assert_eq!(first.size, 1);
    // MD5("0"): single-part ETags are the MD5 of the bytes.
    assert_eq!(first.etag, "cfcd208495d565ef66e7dff9f98764da");

    assert_eq!(list(&client, "pages", None).await.unwrap().len(), 1103);
    assert_eq!(
        keys(&list(&client, "pages", Some("other/")).await.unwrap()),
        ["other/1", "other/2"]
    );
    assert!(
        list(&client, "pages", Some("nothing/"))
            .await
            .unwrap()
            .is_empty()
    );

    // The callback's refusal ends the listing, before the second page.
    let mut seen = 0;
    let err = client
        .list_objects("pages", None, |o| {
            seen += 1;
            if seen == 5 {
                Err(format!("refusing {}", o.key))
            } else {
                Ok(())
            }
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Visit(_)), "{err:?}");
    assert!(err.to_string().starts_with("refusing "), "{err}");
    assert_eq!(seen, 5);

    let err = list(&client, "no-such-bucket", None).await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucket"), "{err}");
    assert!(
        !err.is_not_found(),
        "a missing bucket is not a missing object"
    );
    server.check_alive().unwrap();
}

async fn objects_round_trip(server: &S3Server) {
    server.create_bucket("objects").unwrap();
    let special = [
        "plain.yaml",
        "dir/with space/and+plus=equals.yaml",
        "ünïcødé/日本語.txt",
        "odd/chars!'()*,;:@&$~%#?[].txt",
    ];
    let mut etags = Vec::new();
    for (i, key) in special.iter().enumerate() {
        let body = format!("object {i}: {key}\n").repeat(i + 1);
        etags.push(server.put_object("objects", key, body.as_bytes()).unwrap());
    }
    server.put_object("objects", "empty", b"").unwrap();
    let client = client(server);
    assert!(client.bucket_exists("objects").await.unwrap());
    assert!(!client.bucket_exists("missing-bucket").await.unwrap());

    let listed = list(&client, "objects", None).await.unwrap();
    assert_eq!(listed.len(), special.len() + 1);
    let out = tempfile::tempdir().unwrap();
    for (i, key) in special.iter().enumerate() {
        let object = listed.iter().find(|o| o.key == *key).unwrap_or_else(|| {
            panic!("{key} is not in the listing {:?}", keys(&listed));
        });
        assert_eq!(object.etag, etags[i], "{key}");
        let path = out.path().join(format!("{i}/nested/file"));
        let fetched = client
            .get_object("objects", key, &path, 1 << 20)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let expected = format!("object {i}: {key}\n").repeat(i + 1);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
        assert_eq!(fetched.size, expected.len() as u64);
        assert_eq!(object.size, expected.len() as u64);
        assert_eq!(fetched.etag, object.etag, "{key}");
    }
    let empty = out.path().join("empty");
    let fetched = client
        .get_object("objects", "empty", &empty, 0)
        .await
        .unwrap();
    assert_eq!(fetched.size, 0);
    assert_eq!(std::fs::read(&empty).unwrap(), b"");

    let missing = out.path().join("missing");
    let err = client
        .get_object("objects", "no/such/key", &missing, 1 << 20)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "S3 GET /objects/no/such/key: 404 Not Found: NoSuchKey: The specified key does not \
         exist."
    );
    assert!(!missing.exists());

    // One byte over the cap: refused, and nothing is left behind.
    let big = out.path().join("big/file");
    let err = client
        .get_object("objects", special[1], &big, 10)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    assert!(!big.exists());
    let exact = format!("object 0: {}\n", special[0]).len() as u64;
    assert!(matches!(
        client
            .get_object("objects", special[0], &big, exact - 1)
            .await
            .unwrap_err(),
        Error::TooLarge { .. }
    ));
    assert!(!big.exists());
    client
        .get_object("objects", special[0], &big, exact)
        .await
        .unwrap();
    assert_eq!(std::fs::metadata(&big).unwrap().len(), exact);
    server.check_alive().unwrap();
}

#[tokio::test]
async fn objects_round_trip_over_http() {
    objects_round_trip(&start(false)).await;
}

#[tokio::test]
async fn objects_round_trip_over_https_with_a_private_ca() {
    let server = start(true);
    objects_round_trip(&server).await;

    // Without the CA the server is not trusted.
    let mut untrusted = options(&server);
    untrusted.ca_pem = None;
    let err = Client::new(untrusted)
        .unwrap()
        .bucket_exists("objects")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Request { .. }), "{err:?}");
    let shown = err.to_string();
    // The first request asks for the bucket's region.
    assert!(
        shown.starts_with(&format!(
            "S3 GET /objects?location ({}): connection failed: ",
            server.url()
        )),
        "{shown}"
    );
    assert!(shown.to_lowercase().contains("certificate"), "{shown}");
}

#[tokio::test]
async fn refused_credentials_are_unauthorized_errors_without_secrets() {
    let server = start(false);
    server.create_bucket("guarded").unwrap();
    server.put_object("guarded", "k", b"v").unwrap();

    let mut wrong = options(&server);
    wrong.credentials.as_mut().unwrap().secret_key = "wrong-secret-value".into();
    wrong.region = Some("us-east-1".into());
    let wrong = Client::new(wrong).unwrap();
    let err = list(&wrong, "guarded", None).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "S3 GET /guarded?list-type=2: 403 Forbidden: SignatureDoesNotMatch: The request \
             signature we calculated does not match"
        ),
        "{shown}"
    );
    let debug = format!("{err:?} {wrong:?}");
    for secret in ["wrong-secret-value", "AWS4-HMAC-SHA256", "Signature="] {
        assert!(
            !shown.contains(secret) && !debug.contains(secret),
            "{shown} {debug}"
        );
    }
    let err = wrong
        .get_object(
            "guarded",
            "k",
            &tempfile::tempdir().unwrap().path().join("k"),
            10,
        )
        .await
        .unwrap_err();
    assert!(err.is_unauthorized() && !err.is_not_found(), "{err:?}");
    let err = wrong.bucket_exists("guarded").await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");

    let mut unknown = options(&server);
    unknown.credentials.as_mut().unwrap().access_key = "nobody".into();
    let err = list(&Client::new(unknown).unwrap(), "guarded", None)
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    // AWS says InvalidAccessKeyId (403); versitygw answers 404 with its own code.
    assert_eq!(err.code(), Some("XAdminUserNotFound"), "{err}");

    let mut anonymous = options(&server);
    anonymous.credentials = None;
    let anonymous = Client::new(anonymous).unwrap();
    let err = list(&anonymous, "guarded", None).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(err.code(), Some("AccessDenied"), "{err}");
    let err = anonymous.bucket_exists("guarded").await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
}

#[tokio::test]
async fn regions_are_discovered_or_taken_as_configured() {
    let server = start(false);
    server.create_bucket("regional").unwrap();
    server.put_object("regional", "k", b"v").unwrap();
    let dir = tempfile::tempdir().unwrap();

    // No region: the bucket's location (empty, so us-east-1) is asked for and used.
    let discovered = client(&server);
    assert_eq!(
        discovered.bucket_region("regional").await.unwrap(),
        testenv::s3::REGION
    );
    assert_eq!(
        keys(&list(&discovered, "regional", None).await.unwrap()),
        ["k"]
    );
    discovered
        .get_object("regional", "k", &dir.path().join("a"), 10)
        .await
        .unwrap();

    let mut configured = options(&server);
    configured.region = Some(testenv::s3::REGION.into());
    let configured = Client::new(configured).unwrap();
    assert!(configured.bucket_exists("regional").await.unwrap());

    // A region the server is not in: the signature's scope is refused.
    let mut elsewhere = options(&server);
    elsewhere.region = Some("eu-west-1".into());
    let err = Client::new(elsewhere)
        .unwrap()
        .get_object("regional", "k", &dir.path().join("b"), 10)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AuthorizationHeaderMalformed"), "{err}");
    assert!(err.to_string().contains("eu-west-1"), "{err}");
    assert!(!dir.path().join("b").exists());

    // The location request itself is signed: refused with a wrong secret. Discovery then
    // falls back to us-east-1, and the real request reports the refusal.
    let mut wrong = options(&server);
    wrong.credentials.as_mut().unwrap().secret_key = "wrong".into();
    let wrong = Client::new(wrong).unwrap();
    let err = wrong.bucket_region("regional").await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert!(
        err.to_string()
            .starts_with("S3 GET /regional?location: 403 Forbidden"),
        "{err}"
    );
    let err = list(&wrong, "regional", None).await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
}

#[test]
fn endpoints_with_scheme_or_path_are_refused() {
    for endpoint in ["http://127.0.0.1:9000", "127.0.0.1:9000/bucket", ""] {
        let err = Client::new(ClientOptions {
            endpoint: endpoint.into(),
            ..ClientOptions::default()
        })
        .unwrap_err();
        assert!(matches!(err, Error::Endpoint(_)), "{endpoint}: {err:?}");
        assert!(
            err.to_string()
                .contains("spec.endpoint must be a host[:port] without scheme or path"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn dot_segment_keys_are_refused_not_rewritten() {
    let server = start(false);
    server.create_bucket("dots").unwrap();
    let client = client(&server);
    let path = Path::new("/nonexistent-dir-for-s3-test/x");
    for key in ["../escape", "a/./b", "a/.."] {
        let err = client.get_object("dots", key, path, 10).await.unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{key}: {err:?}");
    }
}

//! git notifiers against the capture server.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use testenv::rest::{Request, Response, RestServer};
use tk::controllers::notification::providers::{ProviderConfig, SendError, notifier};

use super::{Capture, assert_refusals, event};

const SHA: &str = "731f7eaddfb6af01cb2173e18f0f75b0ba780ef1";
const TOKEN: &str = "ghp_s3cr3tT0kenValue";
const PASSWORD: &str = "s3cr3t-app-password";
/// `<kind>/<name>/<first group of the Provider uid>`, as Flux names the status.
const STATUS_ID: &str = "kustomization/webapp/2d5f3f6c";
/// SHA-1 of [`STATUS_ID`]: the Bitbucket key.
const STATUS_KEY: &str = "850d302563d9f0c0ce4b9bca0936e29065a5f26a";

fn git_config(capture: &Capture, provider_type: &str, path: &str) -> ProviderConfig {
    ProviderConfig {
        token: TOKEN.into(),
        ..capture.config(provider_type, path)
    }
}

/// A valid config of `provider_type` (bitbucket tokens are `user:password`).
fn valid_config(capture: &Capture, provider_type: &str, path: &str) -> ProviderConfig {
    match provider_type {
        "bitbucket" => ProviderConfig {
            token: format!("bb-user:{PASSWORD}"),
            ..capture.config(provider_type, path)
        },
        _ => git_config(capture, provider_type, path),
    }
}

fn assert_no_secret(message: &str) {
    for secret in [TOKEN, PASSWORD] {
        assert!(
            !message.contains(secret),
            "message leaks a secret: {message}"
        );
    }
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A fake API answering GETs with `get` and POSTs with 201, recording requests.
struct Fake {
    server: RestServer,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Fake {
    fn start(get_status: u16, get: Value) -> Fake {
        tk::cli::install_crypto_provider();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let server = RestServer::start(Arc::new(move |request: &Request| {
            seen.lock().unwrap().push(request.clone());
            if request.method == "GET" {
                Response::json(get_status, &get)
            } else {
                Response::json(201, &json!({}))
            }
        }))
        .unwrap();
        Fake { server, requests }
    }

    fn config(&self, provider_type: &str, path: &str) -> ProviderConfig {
        ProviderConfig {
            provider_type: provider_type.into(),
            name: "apps/alerts".into(),
            uid: "2d5f3f6c-39a4-4a53-a15d-8b0a9ebb55d4".into(),
            address: format!("{}{path}", self.server.base_url()),
            ca_pem: Some(self.server.ca_pem().to_string()),
            token: TOKEN.into(),
            timeout: std::time::Duration::from_secs(5),
            ..Default::default()
        }
    }

    fn methods(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.method.clone())
            .collect()
    }
}

#[tokio::test]
async fn github_lists_then_creates_a_commit_status() {
    let capture = Capture::start();
    let n = notifier(&git_config(&capture, "github", "/org/repo")).unwrap();
    n.post(&event("info", "applied")).await.unwrap();

    let requests = capture.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let (list, create) = (&requests[0], &requests[1]);
    assert_eq!(list.method, "GET");
    assert_eq!(
        list.path,
        format!("/api/v3/repos/org/repo/commits/{SHA}/statuses")
    );
    assert_eq!(list.query_param("per_page"), Some("50"));
    assert_eq!(create.method, "POST");
    assert_eq!(
        create.path,
        format!("/api/v3/repos/org/repo/statuses/{SHA}")
    );
    for request in [list, create] {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(
            request.header("accept"),
            Some("application/vnd.github.v3+json")
        );
        assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    }
    assert_eq!(create.header("content-type"), Some("application/json"));
    assert_eq!(
        create.json().unwrap(),
        json!({
            "state": "success",
            "description": "reconciliation succeeded",
            "context": STATUS_ID,
        })
    );
}

#[tokio::test]
async fn github_errors_are_failures() {
    let capture = Capture::start();
    let n = notifier(&git_config(&capture, "github", "/org/repo.git")).unwrap();
    n.post(&event("error", "apply failed")).await.unwrap();
    let requests = capture.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].json().unwrap(),
        json!({
            "state": "failure",
            "description": "validation failed",
            "context": STATUS_ID,
        })
    );
}

#[tokio::test]
async fn github_skips_a_status_it_already_set() {
    let same = Fake::start(
        200,
        json!([
            {"context": "other", "state": "failure", "description": "x"},
            {"context": STATUS_ID, "state": "success", "description": "reconciliation succeeded"},
            {"context": STATUS_ID, "state": "failure", "description": "validation failed"},
        ]),
    );
    let n = notifier(&same.config("github", "/org/repo")).unwrap();
    n.post(&event("info", "applied")).await.unwrap();
    assert_eq!(same.methods(), ["GET"]);

    // The newest status of the context differs: a new one is created.
    let newer = Fake::start(
        200,
        json!([
            {"context": STATUS_ID, "state": "failure", "description": "validation failed"},
            {"context": STATUS_ID, "state": "success", "description": "reconciliation succeeded"},
        ]),
    );
    let n = notifier(&newer.config("github", "/org/repo")).unwrap();
    n.post(&event("info", "applied")).await.unwrap();
    assert_eq!(newer.methods(), ["GET", "POST"]);
}

#[tokio::test]
async fn commit_statuses_take_the_sha_of_every_revision_form() {
    for revision in [
        format!("main@sha1:{SHA}"),
        format!("sha1:{SHA}"),
        format!("main/{SHA}"),
    ] {
        let capture = Capture::start();
        let n = notifier(&git_config(&capture, "github", "/org/repo")).unwrap();
        let mut e = event("info", "applied");
        e.metadata.insert("revision".into(), revision.clone());
        n.post(&e).await.unwrap();
        let requests = capture.requests();
        assert_eq!(requests.len(), 2, "{revision}");
        assert_eq!(
            requests[1].path,
            format!("/api/v3/repos/org/repo/statuses/{SHA}"),
            "{revision}"
        );
    }
}

#[tokio::test]
async fn commit_statuses_need_a_revision() {
    let capture = Capture::start();
    for t in ["github", "gitlab", "gitea", "bitbucket"] {
        let n = notifier(&valid_config(&capture, t, "/org/repo")).unwrap();
        let mut e = event("info", "applied");
        e.metadata.clear();
        n.post(&e).await.expect("no revision: nothing to do");
    }
    let n = notifier(&ProviderConfig {
        username: "admin".into(),
        ..git_config(&capture, "bitbucketserver", "/scm/PROJ/repo.git")
    })
    .unwrap();
    let mut e = event("error", "apply failed");
    e.metadata.clear();
    n.post(&e).await.unwrap();
    assert!(capture.requests().is_empty(), "{:?}", capture.requests());

    // A revision without a commit hash is refused for good.
    let n = notifier(&git_config(&capture, "gitlab", "/group/project")).unwrap();
    let mut e = event("info", "applied");
    e.metadata.insert("revision".into(), "v1.2.3".into());
    let err = n.post(&e).await.unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err}");
    assert!(err.to_string().contains("v1.2.3"), "{err}");
    assert!(capture.requests().is_empty());
}

#[tokio::test]
async fn progressing_events_set_no_status_but_gitea_pending() {
    let capture = Capture::start();
    let mut e = event("info", "reconciling");
    e.reason = "Progressing".into();
    for t in ["github", "gitlab", "bitbucket"] {
        let n = notifier(&valid_config(&capture, t, "/org/repo")).unwrap();
        n.post(&e).await.unwrap();
    }
    assert!(capture.requests().is_empty(), "{:?}", capture.requests());

    let n = notifier(&git_config(&capture, "gitea", "/org/repo")).unwrap();
    n.post(&e).await.unwrap();
    let requests = capture.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].json().unwrap()["state"], "pending");
    assert_eq!(requests[1].json().unwrap()["description"], "progressing");
}

#[tokio::test]
async fn gitlab_sets_the_status_of_the_url_encoded_project() {
    let capture = Capture::start();
    let n = notifier(&git_config(&capture, "gitlab", "/group/sub/project.git")).unwrap();
    n.post(&event("error", "apply failed")).await.unwrap();

    let requests = capture.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let (list, set) = (&requests[0], &requests[1]);
    assert_eq!(list.method, "GET");
    assert_eq!(
        list.path,
        format!("/api/v4/projects/group%2Fsub%2Fproject/repository/commits/{SHA}/statuses")
    );
    assert_eq!(list.query_param("name"), Some(STATUS_ID));
    assert_eq!(set.method, "POST");
    assert_eq!(
        set.path,
        format!("/api/v4/projects/group%2Fsub%2Fproject/statuses/{SHA}")
    );
    for request in [list, set] {
        assert_eq!(request.header("private-token"), Some(TOKEN));
    }
    assert_eq!(
        set.json().unwrap(),
        json!({
            "state": "failed",
            "name": STATUS_ID,
            "description": "validation failed",
        })
    );
}

#[tokio::test]
async fn gitlab_skips_a_status_it_already_set() {
    let fake = Fake::start(
        200,
        json!([{"sha": SHA, "status": "success", "name": STATUS_ID, "description": "reconciliation succeeded"}]),
    );
    let n = notifier(&fake.config("gitlab", "/group/project")).unwrap();
    n.post(&event("info", "applied")).await.unwrap();
    assert_eq!(fake.methods(), ["GET"]);
    n.post(&event("error", "apply failed")).await.unwrap();
    assert_eq!(fake.methods(), ["GET", "GET", "POST"]);
}

#[tokio::test]
async fn gitea_creates_a_commit_status() {
    let capture = Capture::start();
    let n = notifier(&git_config(&capture, "gitea", "/org/repo.git")).unwrap();
    n.post(&event("info", "applied")).await.unwrap();

    let requests = capture.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let (list, create) = (&requests[0], &requests[1]);
    assert_eq!(list.method, "GET");
    assert_eq!(
        list.path,
        format!("/api/v1/repos/org/repo/commits/{SHA}/statuses")
    );
    assert_eq!(list.query_param("limit"), Some("50"));
    assert_eq!(create.method, "POST");
    assert_eq!(
        create.path,
        format!("/api/v1/repos/org/repo/statuses/{SHA}")
    );
    for request in [list, create] {
        assert_eq!(
            request.header("authorization"),
            Some(format!("token {TOKEN}").as_str())
        );
    }
    assert_eq!(
        create.json().unwrap(),
        json!({
            "state": "success",
            "target_url": "",
            "description": "reconciliation succeeded",
            "context": STATUS_ID,
        })
    );
}

#[tokio::test]
async fn gitea_takes_the_password_when_there_is_no_token() {
    let capture = Capture::start();
    let config = ProviderConfig {
        token: String::new(),
        password: PASSWORD.into(),
        ..capture.config("gitea", "/org/repo")
    };
    notifier(&config)
        .unwrap()
        .post(&event("error", "apply failed"))
        .await
        .unwrap();
    let requests = capture.requests();
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("token {PASSWORD}").as_str())
    );
    assert_eq!(requests[1].json().unwrap()["state"], "failure");
}

#[tokio::test]
async fn bitbucket_posts_a_build_status() {
    let fake = Fake::start(404, json!({"type": "error"}));
    let config = ProviderConfig {
        token: format!("bb-user:{PASSWORD}"),
        ..fake.config("bitbucket", "/workspace/repo.git")
    };
    notifier(&config)
        .unwrap()
        .post(&event("info", "applied"))
        .await
        .unwrap();

    let requests = fake.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let (get, post) = (&requests[0], &requests[1]);
    let statuses = format!("/2.0/repositories/workspace/repo/commit/{SHA}/statuses/build");
    assert_eq!(get.method, "GET");
    assert_eq!(get.path, format!("{statuses}/{STATUS_KEY}"));
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, statuses);
    let basic = format!("Basic {}", base64_encode(&format!("bb-user:{PASSWORD}")));
    for request in [get, post] {
        assert_eq!(request.header("authorization"), Some(basic.as_str()));
    }
    assert_eq!(
        post.json().unwrap(),
        json!({
            "key": STATUS_KEY,
            "url": "https://bitbucket.org",
            "state": "SUCCESSFUL",
            "name": "kustomization/webapp",
            "description": "reconciliation succeeded",
        })
    );
}

#[tokio::test]
async fn bitbucket_skips_a_status_it_already_set() {
    let fake = Fake::start(
        200,
        json!({"key": STATUS_KEY, "state": "FAILED", "description": "validation failed"}),
    );
    let config = ProviderConfig {
        token: format!("x-token-auth:{PASSWORD}"),
        ..fake.config("bitbucket", "/workspace/repo")
    };
    let n = notifier(&config).unwrap();
    n.post(&event("error", "apply failed")).await.unwrap();
    assert_eq!(fake.methods(), ["GET"]);
    let requests = fake.requests.lock().unwrap().clone();
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {PASSWORD}").as_str())
    );
    n.post(&event("info", "applied")).await.unwrap();
    assert_eq!(fake.methods(), ["GET", "GET", "POST"]);
}

#[tokio::test]
async fn bitbucket_server_posts_a_build_status() {
    let fake = Fake::start(404, json!({"errors": []}));
    let config = ProviderConfig {
        token: String::new(),
        username: "admin".into(),
        password: PASSWORD.into(),
        ..fake.config("bitbucketserver", "/bitbucket/scm/PROJ/repo.git")
    };
    let address = config.address.clone();
    notifier(&config)
        .unwrap()
        .post(&event("error", "apply failed"))
        .await
        .unwrap();

    let requests = fake.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let (get, post) = (&requests[0], &requests[1]);
    let builds =
        format!("/bitbucket/rest/api/latest/projects/PROJ/repos/repo/commits/{SHA}/builds");
    assert_eq!(get.method, "GET");
    assert_eq!(get.path, builds);
    assert_eq!(get.query_param("key"), Some(STATUS_KEY));
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, builds);
    let basic = format!("Basic {}", base64_encode(&format!("admin:{PASSWORD}")));
    for request in [get, post] {
        assert_eq!(request.header("authorization"), Some(basic.as_str()));
        assert_eq!(request.header("x-atlassian-token"), Some("no-check"));
        assert_eq!(request.header("x-requested-with"), Some("XMLHttpRequest"));
    }
    assert_eq!(
        post.json().unwrap(),
        json!({
            "key": STATUS_KEY,
            "state": "FAILED",
            "url": address,
            "description": "validation failed",
            "name": "kustomization/webapp [validation failed]",
        })
    );
}

#[tokio::test]
async fn bitbucket_server_sends_a_bearer_token() {
    let capture = Capture::start();
    let n = notifier(&git_config(
        &capture,
        "bitbucketserver",
        "/scm/PROJ/repo.git",
    ))
    .unwrap();
    n.post(&event("info", "applied")).await.unwrap();
    let requests = capture.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].path,
        format!("/rest/api/latest/projects/PROJ/repos/repo/commits/{SHA}/builds")
    );
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(requests[1].json().unwrap()["state"], "SUCCESSFUL");
}

/// A config of each git type against the capture server, holding secrets.
fn git_configs(capture: &Capture) -> Vec<ProviderConfig> {
    vec![
        git_config(capture, "github", "/org/repo"),
        git_config(capture, "gitlab", "/group/sub/project"),
        git_config(capture, "gitea", "/org/repo"),
        ProviderConfig {
            token: format!("bb-user:{PASSWORD}"),
            ..capture.config("bitbucket", "/org/repo")
        },
        ProviderConfig {
            password: PASSWORD.into(),
            ..git_config(capture, "bitbucketserver", "/scm/PROJ/repo.git")
        },
    ]
}

#[tokio::test]
async fn git_status_codes_are_classified() {
    let capture = Capture::start();
    let statuses = [
        (500, true),
        (502, true),
        (429, true),
        (401, false),
        (403, false),
        (422, false),
    ];
    for config in git_configs(&capture) {
        let event = event("error", "apply failed");
        assert_refusals(&capture, &config, &event, &statuses, &[TOKEN, PASSWORD]).await;
    }
}

#[tokio::test]
async fn git_connection_failures_are_retryable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let capture = Capture::start();
    for mut config in git_configs(&capture) {
        let path = config.address.split_once("127.0.0.1").unwrap().1;
        let path = path.split_once('/').unwrap().1;
        config.address = format!("https://bot:{TOKEN}@127.0.0.1:{port}/{path}");
        let err = notifier(&config)
            .unwrap()
            .post(&event("info", "applied"))
            .await
            .expect_err("nothing listens");
        assert!(err.is_retryable(), "{err}");
        assert_no_secret(&err.to_string());
    }
}

#[tokio::test]
async fn git_config_errors_name_the_field() {
    let capture = Capture::start();
    for t in ["github", "gitlab", "gitea", "bitbucket"] {
        let err = notifier(&capture.config(t, "/org/repo"))
            .err()
            .expect("no token");
        assert!(err.0.contains("token"), "{t}: {err}");
        assert!(err.0.contains("apps/alerts"), "{t}: {err}");

        let config = ProviderConfig {
            address: String::new(),
            ..git_config(&capture, t, "/")
        };
        let err = notifier(&config).err().expect("no address");
        assert!(err.0.contains("spec.address"), "{t}: {err}");
    }
    for t in ["github", "gitea", "bitbucket"] {
        let config = ProviderConfig {
            token: format!("user:{PASSWORD}"),
            ..capture.config(t, "/org/sub/repo")
        };
        let err = notifier(&config).err().expect("not owner/repo");
        assert!(err.0.contains("spec.address"), "{t}: {err}");
        assert_no_secret(&err.0);
    }
    let config = git_config(&capture, "bitbucket", "/org/repo");
    let err = notifier(&config).err().expect("token without a colon");
    assert!(err.0.contains("token"), "{err}");
    assert_no_secret(&err.0);

    let err = notifier(&git_config(&capture, "bitbucketserver", "/PROJ/repo.git"))
        .err()
        .expect("no /scm/");
    assert!(err.0.contains("spec.address"), "{err}");
    let config = ProviderConfig {
        address: "ssh://git@bitbucket.example.com/scm/PROJ/repo.git".into(),
        ..git_config(&capture, "bitbucketserver", "/")
    };
    let err = notifier(&config).err().expect("not http");
    assert!(err.0.contains("spec.address"), "{err}");
    let err = notifier(&capture.config("bitbucketserver", "/scm/PROJ/repo.git"))
        .err()
        .expect("no credentials");
    assert!(err.0.contains("token"), "{err}");
}

#[tokio::test]
async fn github_com_addresses_use_the_public_api() {
    // Unreachable here, so only the error shows where it went: api.github.com, never the
    // token.
    let config = ProviderConfig {
        provider_type: "github".into(),
        name: "apps/alerts".into(),
        address: "git@github.com:org/repo.git".into(),
        token: TOKEN.into(),
        proxy: Some("http://127.0.0.1:1".into()),
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    let err = notifier(&config)
        .unwrap()
        .post(&event("info", "applied"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("https://api.github.com"), "{err}");
    assert!(err.is_retryable(), "{err}");
    assert_no_secret(&err.to_string());
}

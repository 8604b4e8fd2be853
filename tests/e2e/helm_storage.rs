//! Helm 3 release storage against the rig and the real `helm` v3.22.0 (testenv::reference):
//! releases tk writes are what `helm list`, `helm history`, `helm get` and `helm rollback`
//! read, and releases `helm install`/`upgrade` wrote are what tk reads.

use std::path::{Path, PathBuf};
use std::process::Command;

use helm::release::{Info, ReleaseRecord, Status, Time};
use serde_json::{Value, json};
use tk::controllers::helm::storage::{SecretStorage, StorageError};

use crate::support::{client, create_namespace, rig};

fn podinfo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/helm/charts/podinfo")
}

/// Runs the reference helm against the rig, with its own config and cache directories.
fn helm(home: &Path, args: &[&str]) -> String {
    let bin = testenv::reference(testenv::Reference::Helm).unwrap_or_else(|e| panic!("{e:#}"));
    let out = Command::new(&bin)
        .args(args)
        .arg("--kubeconfig")
        .arg(rig().kubeconfig_path())
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    assert!(
        out.status.success(),
        "helm {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn helm_json(home: &Path, args: &[&str]) -> Value {
    let text = helm(home, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("helm {args:?} printed {text}: {e}"))
}

/// podinfo rendered by tk's engine as revision `version` with `set`, recorded as Helm does.
fn release(name: &str, namespace: &str, version: i64, set: &str, status: Status) -> ReleaseRecord {
    let chart = helm::loader::load(&podinfo(), &Default::default()).unwrap();
    let config = helm::strvals::parse(set).unwrap();
    let values = helm::values::to_render_values(&chart, &config, false).unwrap();
    let opts = helm::engine::RenderOptions {
        release_name: name.into(),
        namespace: namespace.into(),
        revision: version,
        is_upgrade: version > 1,
        ..Default::default()
    };
    let rendered = helm::engine::render(&chart, &values, &opts).unwrap();
    ReleaseRecord {
        name: name.into(),
        info: Info {
            first_deployed: Time::from_unix(1_700_000_000, 0),
            last_deployed: Time::from_unix(1_700_000_000 + version * 60, 0),
            deleted: Time::zero(),
            description: if version == 1 {
                "Install complete".into()
            } else {
                "Upgrade complete".into()
            },
            status,
            notes: rendered.notes.clone(),
        },
        manifest: rendered.manifest_text(),
        hooks: rendered.hooks,
        chart,
        config,
        version,
        namespace: namespace.into(),
        labels: [("team".to_string(), "web".to_string())].into(),
    }
}

#[tokio::test]
async fn helm_reads_and_rolls_back_releases_tk_wrote() {
    let kube = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&kube, "helm-store").await;
    let home = tempfile::tempdir().unwrap();
    let store = SecretStorage::new(kube.clone(), &ns);

    // An install, then an upgrade: v1 is superseded once v2 is deployed, as Helm does it.
    let mut v1 = release("web", &ns, 1, "replicaCount=1", Status::Deployed);
    store.create(&v1).await.unwrap();
    let v2 = release("web", &ns, 2, "replicaCount=3", Status::Deployed);
    store.create(&v2).await.unwrap();
    v1.info.status = Status::Superseded;
    store.update(&v1).await.unwrap();
    match store.create(&v2).await {
        Err(StorageError::Exists { version: 2, .. }) => {}
        other => panic!("a second version 2 must be refused, got {other:?}"),
    }

    let list = helm_json(home.path(), &["list", "-n", &ns, "-o", "json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let chart_version = v2.chart.metadata.version.clone();
    let app_version = v2.chart.metadata.app_version.clone();
    assert_eq!(list[0]["name"], "web");
    assert_eq!(list[0]["namespace"], ns.as_str());
    assert_eq!(list[0]["revision"], "2");
    assert_eq!(list[0]["status"], "deployed");
    assert_eq!(list[0]["chart"], format!("podinfo-{chart_version}"));
    assert_eq!(list[0]["app_version"], app_version.as_str());

    let history = helm_json(home.path(), &["history", "web", "-n", &ns, "-o", "json"]);
    let rows: Vec<(i64, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap(),
                r["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "superseded", "Install complete"),
            (2, "deployed", "Upgrade complete")
        ]
    );

    assert_eq!(
        helm(home.path(), &["get", "manifest", "web", "-n", &ns]),
        format!("{}\n", v2.manifest)
    );
    assert_eq!(
        helm_json(
            home.path(),
            &["get", "values", "web", "-n", &ns, "-o", "json"]
        ),
        json!({"replicaCount": 3})
    );
    let notes = helm(home.path(), &["get", "notes", "web", "-n", &ns]);
    assert!(notes.contains(v2.info.notes.trim()), "{notes}");

    // helm rollback reads tk's v1 and writes v3 with v1's manifest; tk reads that back.
    helm(home.path(), &["rollback", "web", "1", "-n", &ns]);
    let all = store.history("web").await.unwrap();
    let statuses: Vec<(i64, Status)> = all.iter().map(|r| (r.version, r.info.status)).collect();
    assert_eq!(
        statuses,
        [
            (1, Status::Superseded),
            (2, Status::Superseded),
            (3, Status::Deployed)
        ]
    );
    let v3 = store.deployed("web").await.unwrap().unwrap();
    assert_eq!(v3.manifest, v1.manifest);
    // Numbers come back as float64, as Go decodes them from the record's JSON.
    assert_eq!(Value::Object(v3.config), json!({"replicaCount": 1.0}));
    assert_eq!(v3.info.description, "Rollback to 1");
    assert_eq!(
        v3.labels, v1.labels,
        "user labels come back from the Secret"
    );
}

#[tokio::test]
async fn tk_reads_releases_helm_installed_and_upgraded() {
    let kube = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&kube, "helm-store").await;
    let home = tempfile::tempdir().unwrap();
    let chart = podinfo();
    let chart = chart.to_str().unwrap();
    helm(
        home.path(),
        &[
            "install",
            "api",
            chart,
            "-n",
            &ns,
            "--labels",
            "team=api",
            "--set",
            "replicaCount=2",
        ],
    );
    helm(
        home.path(),
        &[
            "upgrade",
            "api",
            chart,
            "-n",
            &ns,
            "--reuse-values",
            "--set",
            "ui.color=#fff",
        ],
    );

    let store = SecretStorage::new(kube.clone(), &ns);
    let history = store.history("api").await.unwrap();
    let rows: Vec<(i64, Status, &str)> = history
        .iter()
        .map(|r| (r.version, r.info.status, r.info.description.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (1, Status::Superseded, "Install complete"),
            (2, Status::Deployed, "Upgrade complete")
        ]
    );
    let last = store.last("api").await.unwrap().unwrap();
    assert_eq!(
        format!("{}\n", last.manifest),
        helm(home.path(), &["get", "manifest", "api", "-n", &ns])
    );
    assert_eq!(
        Value::Object(last.config.clone()),
        json!({"replicaCount": 2.0, "ui": {"color": "#fff"}})
    );
    assert_eq!(last.chart.metadata.name, "podinfo");
    assert_eq!(last.labels.get("team").map(String::as_str), Some("api"));
    assert!(
        last.hooks.iter().any(|h| h.events == ["test"]),
        "podinfo's test hooks are kept"
    );

    // tk's own re-encoding is readable by helm: mark v2 superseded and add a v3.
    let mut v2 = last.clone();
    v2.info.status = Status::Superseded;
    store.update(&v2).await.unwrap();
    let mut v3 = last;
    v3.version = 3;
    v3.info.description = "Upgrade complete".into();
    store.create(&v3).await.unwrap();
    let list = helm_json(home.path(), &["list", "-n", &ns, "-o", "json"]);
    assert_eq!(list[0]["revision"], "3", "{list}");
    assert_eq!(list[0]["status"], "deployed", "{list}");
    assert_eq!(store.all().await.unwrap().len(), 3);
    store.delete("api", 3).await.unwrap();
    store.delete("api", 3).await.unwrap();
    assert_eq!(store.last("api").await.unwrap().unwrap().version, 2);
}

#[tokio::test]
async fn history_is_pruned_as_helm_prunes_it_keeping_the_deployed_version() {
    let kube = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&kube, "helm-store").await;
    let home = tempfile::tempdir().unwrap();
    let store = SecretStorage::new(kube.clone(), &ns);
    let revisions = |store: SecretStorage| async move {
        let history = store.history("app").await.unwrap();
        history.iter().map(|r| r.version).collect::<Vec<_>>()
    };

    let statuses = [
        Status::Superseded,
        Status::Superseded,
        Status::Deployed,
        Status::Failed,
    ];
    for (i, status) in statuses.into_iter().enumerate() {
        let version = i as i64 + 1;
        store
            .create(&release("app", &ns, version, "replicaCount=1", status))
            .await
            .unwrap();
    }
    // maxHistory 3: the two oldest go, the new one joins the two newest.
    let v5 = release("app", &ns, 5, "replicaCount=2", Status::Failed);
    store.create_with_history(&v5, 3).await.unwrap();
    assert_eq!(revisions(store.clone()).await, [3, 4, 5]);
    let helm_sees: Vec<i64> = helm_json(home.path(), &["history", "app", "-n", &ns, "-o", "json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(helm_sees, [3, 4, 5]);

    // maxHistory 2 when the deployed version is the oldest: it stays, the others go.
    let v6 = release("app", &ns, 6, "replicaCount=3", Status::PendingUpgrade);
    store.create_with_history(&v6, 2).await.unwrap();
    assert_eq!(revisions(store.clone()).await, [3, 6]);
    // 0 keeps everything.
    let v7 = release("app", &ns, 7, "replicaCount=3", Status::Failed);
    store.create_with_history(&v7, 0).await.unwrap();
    assert_eq!(revisions(store.clone()).await, [3, 6, 7]);
}

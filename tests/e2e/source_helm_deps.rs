//! Remote chart dependencies of HelmCharts packaged from a GitRepository: a chart in a real
//! Git server declares dependencies served by a real chart repository (charts packaged and
//! indexed by the real `helm`) or by a real OCI registry (charts pushed with `helm push`),
//! and `tk controller source` fetches them as source-controller does.

use serde_json::json;
use testenv::charts::{ChartRepo, ChartRepoOptions, ChartRepoServer, write_test_chart};
use testenv::git::Repo;
use testenv::registry::{Registry, RegistryOptions};
use tk::api::source::{HelmChart, HelmRepository};

use crate::source_helm::{apply, condition, get, is_true, wait_for};
use crate::source_support::Harness;

/// A repository with `dep` 1.0.0, 1.1.0 and 2.0.0 and `extra` 0.1.0, served with `options`.
fn dependency_repository(
    options: &ChartRepoOptions,
) -> (ChartRepo, tempfile::TempDir, ChartRepoServer) {
    let repo = ChartRepo::new().unwrap();
    let charts = tempfile::tempdir().unwrap();
    let dep = write_test_chart(charts.path(), "dep", "1.0.0").unwrap();
    for version in ["1.0.0", "1.1.0", "2.0.0"] {
        repo.add_chart(&dep, Some(version), None).unwrap();
    }
    let extra = write_test_chart(charts.path(), "extra", "0.1.0").unwrap();
    repo.add_chart(&extra, None, None).unwrap();
    let server = repo.serve(options).unwrap();
    (repo, charts, server)
}

/// `charts/app` in the Git work tree: Chart.yaml at `version` declaring `dependencies`
/// (YAML list items), a ConfigMap template, and `vendored` charts under `charts/`.
fn write_app(git: &Repo, version: &str, dependencies: &str, vendored: &[&str]) {
    git.write_file(
        "charts/app/Chart.yaml",
        format!(
            "apiVersion: v2\nname: app\nversion: {version}\ntype: application\n\
             dependencies:\n{dependencies}"
        ),
    )
    .unwrap();
    git.write_file("charts/app/values.yaml", "message: hello\n")
        .unwrap();
    git.write_file(
        "charts/app/templates/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-app\n\
         data:\n  message: {{ .Values.message | quote }}\n",
    )
    .unwrap();
    for name in vendored {
        git.write_file(
            &format!("charts/app/charts/{name}/Chart.yaml"),
            format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
        )
        .unwrap();
        git.write_file(&format!("charts/app/charts/{name}/values.yaml"), "{}\n")
            .unwrap();
    }
}

/// Commits the work tree and pushes it.
fn publish(git: &Repo, message: &str) {
    git.commit(message, &[]).unwrap();
    git.push().unwrap();
}

fn chart_spec(suspend: bool) -> serde_json::Value {
    json!({
        "interval": "10m",
        "chart": "./charts/app",
        "suspend": suspend,
        "sourceRef": { "kind": "GitRepository", "name": "fleet" },
    })
}

/// A GitRepository `fleet` following `main`, and a HelmChart `app` built from its
/// `charts/app`.
async fn start_app(h: &Harness) {
    h.apply_repo(
        "fleet",
        json!({ "interval": "10m", "url": h.servers.http().url("fleet"), "ref": { "branch": "main" } }),
    )
    .await;
    apply::<HelmChart>(h, "app", chart_spec(false)).await;
}

fn revision(c: &HelmChart) -> Option<&str> {
    Some(c.status.as_ref()?.artifact.as_ref()?.revision.as_str())
}

/// The stored chart, loaded.
fn stored_chart(c: &HelmChart) -> helm::chart::Chart {
    let url = &c.status.as_ref().unwrap().artifact.as_ref().unwrap().url;
    helm::loader::load_archive(&get(url)[..], &helm::loader::Limits::default()).unwrap()
}

fn sub_charts(chart: &helm::chart::Chart) -> Vec<(String, String)> {
    let mut subs: Vec<(String, String)> = chart
        .dependencies
        .iter()
        .map(|c| (c.metadata.name.clone(), c.metadata.version.clone()))
        .collect();
    subs.sort();
    subs
}

fn count(server: &ChartRepoServer, path: &str) -> usize {
    server.requests().iter().filter(|r| r.path == path).count()
}

#[tokio::test]
async fn remote_dependencies_are_resolved_packaged_and_vendored_ones_kept() {
    let h = Harness::start("helm-deps").await;
    let (_repo, _charts, server) = dependency_repository(&ChartRepoOptions::default());
    let git = h.servers.create_repo("fleet").unwrap();
    // `dep` by range and `extra` from the same repository (one with a trailing slash);
    // `vendored` is in charts/ and names a repository nothing listens on: fetching it
    // would fail the build.
    write_app(
        &git,
        "0.1.0",
        &format!(
            "  - name: dep\n    version: \">=1.0.0 <2.0.0\"\n    repository: {url}\n\
             \x20 - name: extra\n    version: \"*\"\n    repository: {url}/\n\
             \x20 - name: vendored\n    version: 0.1.0\n    repository: http://127.0.0.1:1/charts\n",
            url = server.url()
        ),
        &["vendored"],
    );
    publish(&git, "Add the app chart");
    start_app(&h).await;
    let chart = wait_for::<HelmChart>(&h, "app", "app 0.1.0 or a failure", |c| {
        revision(c) == Some("0.1.0") || is_true(c, "BuildFailed")
    })
    .await;
    assert_eq!(
        condition(&chart, "Ready").unwrap(),
        (
            "True".into(),
            "ChartPackageSucceeded".into(),
            "packaged 'app' chart with version '0.1.0'".into()
        )
    );

    // The newest 1.x of `dep`, the latest `extra` and the vendored chart are packaged.
    let packaged = stored_chart(&chart);
    assert_eq!(
        sub_charts(&packaged),
        [
            ("dep".to_string(), "1.1.0".to_string()),
            ("extra".to_string(), "0.1.0".to_string()),
            ("vendored".to_string(), "0.1.0".to_string()),
        ]
    );
    // Each build downloads the index once for the two dependencies on that repository,
    // and one archive of each.
    let builds = count(&server, "/dep-1.1.0.tgz");
    assert!(builds >= 1, "{:#?}", server.requests());
    assert_eq!(
        count(&server, "/index.yaml"),
        builds,
        "{:#?}",
        server.requests()
    );
    assert_eq!(count(&server, "/extra-0.1.0.tgz"), builds);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| !r.path.contains("vendored"))
    );

    // helm itself accepts the packaged chart: every dependency present, the sub-charts render.
    let scratch = tempfile::tempdir().unwrap();
    let tgz = scratch.path().join("app.tgz");
    let url = &chart
        .status
        .as_ref()
        .unwrap()
        .artifact
        .as_ref()
        .unwrap()
        .url;
    std::fs::write(&tgz, get(url)).unwrap();
    let out = ChartRepo::new()
        .unwrap()
        .helm_command()
        .args(["template", "rel"])
        .arg(&tgz)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered = String::from_utf8_lossy(&out.stdout);
    assert!(rendered.contains("helm.sh/chart: dep-1.1.0"), "{rendered}");
    assert!(
        rendered.contains("helm.sh/chart: extra-0.1.0"),
        "{rendered}"
    );
    assert!(rendered.contains("name: rel-app"), "{rendered}");
}

#[tokio::test]
async fn dependencies_use_the_credentials_of_the_matching_helm_repository() {
    let h = Harness::start("helm-deps-auth").await;
    let options = ChartRepoOptions {
        basic_auth: Some(("fleet".into(), "s3cret".into())),
        ..Default::default()
    };
    let (_repo, _charts, server) = dependency_repository(&options);
    let git = h.servers.create_repo("fleet").unwrap();
    write_app(
        &git,
        "0.1.0",
        &format!(
            "  - name: dep\n    version: 1.x\n    repository: {}/\n",
            server.url()
        ),
        &[],
    );
    publish(&git, "Add the app chart");
    start_app(&h).await;

    // No HelmRepository for that URL: fetched anonymously, and refused.
    let failed =
        wait_for::<HelmChart>(&h, "app", "BuildFailed", |c| is_true(c, "BuildFailed")).await;
    let (_, reason, message) = condition(&failed, "BuildFailed").unwrap();
    assert_eq!(reason, "DependencyBuildError");
    assert!(
        message.starts_with(&format!(
            "dependency build error: failed to add remote dependency 'dep': failed to get chart \
             'dep' version '1.x' from '{}/'",
            server.url()
        )),
        "{message}"
    );
    assert!(message.contains("401"), "{message}");
    assert_eq!(condition(&failed, "Ready").unwrap().0, "False");
    assert!(
        server.requests().iter().all(|r| !r.had_auth_header),
        "{:#?}",
        server.requests()
    );

    // A HelmRepository with that URL (no trailing slash: the same once normalised) lends
    // its credentials and its stored index. The chart waits, suspended, until the
    // repository is Ready, so that only the build that follows talks to the server.
    apply::<HelmChart>(&h, "app", chart_spec(true)).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    h.create_secret("auth", &[("username", "fleet"), ("password", "s3cret")])
        .await;
    apply::<HelmRepository>(
        &h,
        "private",
        json!({ "interval": "10m", "url": server.url(), "secretRef": { "name": "auth" } }),
    )
    .await;
    wait_for::<HelmRepository>(&h, "private", "Ready", |r| is_true(r, "Ready")).await;
    server.clear_requests();
    apply::<HelmChart>(&h, "app", chart_spec(false)).await;
    let chart = wait_for::<HelmChart>(&h, "app", "app 0.1.0", |c| {
        revision(c) == Some("0.1.0") && is_true(c, "Ready")
    })
    .await;
    assert_eq!(
        sub_charts(&stored_chart(&chart)),
        [("dep".to_string(), "1.1.0".to_string())]
    );
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/dep-1.1.0.tgz" && r.authorized && r.status == 200),
        "{requests:#?}"
    );
    assert!(
        requests.iter().all(|r| r.path != "/index.yaml"),
        "the stored index was not used: {requests:#?}"
    );
    assert!(condition(&chart, "BuildFailed").is_none());
}

#[tokio::test]
async fn an_unreachable_repository_fails_the_build_and_keeps_the_last_chart() {
    let h = Harness::start("helm-deps-down").await;
    let (_repo, _charts, server) = dependency_repository(&ChartRepoOptions::default());
    let dependencies = format!(
        "  - name: dep\n    version: ~1.0.0\n    repository: {}\n",
        server.url()
    );
    let git = h.servers.create_repo("fleet").unwrap();
    write_app(&git, "0.1.0", &dependencies, &[]);
    publish(&git, "Add the app chart");
    start_app(&h).await;
    let first = wait_for::<HelmChart>(&h, "app", "app 0.1.0", |c| {
        revision(c) == Some("0.1.0") && is_true(c, "Ready")
    })
    .await;
    assert_eq!(
        sub_charts(&stored_chart(&first)),
        [("dep".to_string(), "1.0.0".to_string())]
    );
    let stored = first.status.as_ref().unwrap().artifact.clone().unwrap();

    // The repository goes down and a new chart version needs a rebuild.
    server.stop();
    write_app(&git, "0.2.0", &dependencies, &[]);
    publish(&git, "Bump the app chart");
    h.request_reconcile("fleet").await;
    let failed =
        wait_for::<HelmChart>(&h, "app", "BuildFailed", |c| is_true(c, "BuildFailed")).await;
    let (_, reason, message) = condition(&failed, "BuildFailed").unwrap();
    assert_eq!(reason, "DependencyBuildError");
    assert!(
        message.starts_with(&format!(
            "dependency build error: failed to add remote dependency 'dep': failed to get chart \
             'dep' version '~1.0.0' from '{}': failed to cache index: GET {}/index.yaml: ",
            server.url(),
            server.url()
        )),
        "{message}"
    );
    assert!(message.contains("connection"), "{message}");
    let (ready, ready_reason, ready_message) = condition(&failed, "Ready").unwrap();
    assert_eq!(
        (ready.as_str(), ready_reason.as_str()),
        ("False", "DependencyBuildError")
    );
    assert_eq!(ready_message, message);
    assert!(!is_true(&failed, "Stalled"));
    // The last chart stays, and is still served.
    let kept = failed.status.as_ref().unwrap().artifact.clone().unwrap();
    assert_eq!(
        (
            kept.revision.as_str(),
            kept.digest.as_str(),
            kept.path.as_str()
        ),
        (
            stored.revision.as_str(),
            stored.digest.as_str(),
            stored.path.as_str()
        )
    );
    assert_eq!(stored_chart(&failed).metadata.version, "0.1.0");

    // Back up: the retry packages the new version.
    server.start_again().unwrap();
    h.request_reconcile_of::<HelmChart>("app").await;
    let chart = wait_for::<HelmChart>(&h, "app", "app 0.2.0", |c| {
        revision(c) == Some("0.2.0") && is_true(c, "Ready")
    })
    .await;
    assert!(condition(&chart, "BuildFailed").is_none());
}

#[tokio::test]
async fn oci_dependencies_are_pulled_from_the_registry_of_the_matching_helm_repository() {
    let h = Harness::start("helm-deps-oci").await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    // `dep` pushed by the real helm; 1.2.0+build.1 is tagged `1.2.0_build.1`.
    let packaged = ChartRepo::new().unwrap();
    let src = tempfile::tempdir().unwrap();
    let dep = write_test_chart(src.path(), "dep", "1.0.0").unwrap();
    let mut pushed = Vec::new();
    for version in ["1.0.0", "1.1.0", "1.2.0+build.1", "2.0.0"] {
        let tgz = packaged.add_chart(&dep, Some(version), None).unwrap();
        registry.push_chart(&tgz, "charts").unwrap();
        pushed.push(tgz);
    }
    let git = h.servers.create_repo("fleet").unwrap();
    // The dependency repository with a trailing slash: the same once normalised.
    let dependency_url = format!("{}/", registry.url("charts"));
    write_app(
        &git,
        "0.1.0",
        &format!(
            "  - name: dep\n    version: \">=1.0.0 <2.0.0\"\n    repository: {dependency_url}\n"
        ),
        &[],
    );
    publish(&git, "Add the app chart");
    start_app(&h).await;

    // No HelmRepository for that URL: the registry is read anonymously over HTTPS, which
    // this plain-HTTP registry does not speak.
    let failed =
        wait_for::<HelmChart>(&h, "app", "BuildFailed", |c| is_true(c, "BuildFailed")).await;
    let (_, reason, message) = condition(&failed, "BuildFailed").unwrap();
    assert_eq!(reason, "DependencyBuildError");
    assert!(
        message.starts_with(&format!(
            "dependency build error: failed to add remote dependency 'dep': failed to get chart \
             'dep' version '>=1.0.0 <2.0.0' from '{dependency_url}': could not get tags for \"dep\""
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "https://{}/v2/charts/dep/tags/list",
            registry.host()
        )),
        "{message}"
    );

    // A `type: oci`, `insecure: true` HelmRepository with that URL: plain HTTP, and the
    // highest tag in range, build metadata and all.
    apply::<HelmRepository>(
        &h,
        "registry",
        json!({ "type": "oci", "url": registry.url("charts"), "insecure": true }),
    )
    .await;
    h.request_reconcile_of::<HelmChart>("app").await;
    let chart = wait_for::<HelmChart>(&h, "app", "app 0.1.0", |c| {
        revision(c) == Some("0.1.0") && is_true(c, "Ready")
    })
    .await;
    assert!(condition(&chart, "BuildFailed").is_none());
    let stored = stored_chart(&chart);
    assert_eq!(
        sub_charts(&stored),
        [("dep".to_string(), "1.2.0+build.1".to_string())]
    );
    // The sub-chart is the one helm pushed.
    let pushed = helm::loader::load_archive(
        &std::fs::read(&pushed[2]).unwrap()[..],
        &helm::loader::Limits::default(),
    )
    .unwrap();
    let sub = &stored.dependencies[0];
    assert_eq!(sub.metadata, pushed.metadata);
    assert_eq!(sub.templates, pushed.templates);
    registry.check_alive().unwrap();
}

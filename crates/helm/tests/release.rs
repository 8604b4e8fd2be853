//! Release records are byte-compatible with Helm v3.21.4: tk's JSON equals what Go's
//! `json.Marshal(release)` writes for the same release (tests/expected/release.json,
//! produced by decoding tk's record with Helm's types and marshalling it again), and
//! tk decodes a record Helm encoded (tests/expected/release.secret).

mod common;

use std::collections::BTreeMap;

use helm::release::{Hook, HookExecution, Info, ReleaseRecord, Status, Time, secret_name};

fn sample() -> ReleaseRecord {
    let mut chart = helm::loader::load(
        &common::corpus().join("charts/podinfo"),
        &helm::loader::Limits::default(),
    )
    .unwrap();
    chart.schema = Some(br#"{"type":"object"}"#.to_vec());
    let config = helm::strvals::parse(
        "replicaCount=3,image.tag=v1,ratio=0.5,big=1000000,flag=true,empty=null",
    )
    .unwrap();
    ReleaseRecord {
        name: "podinfo".into(),
        info: Info {
            first_deployed: Time::from_unix(1_700_000_000, 123_456_789),
            last_deployed: Time::from_unix(1_700_000_100, 0),
            deleted: Time::zero(),
            description: "Install complete".into(),
            status: Status::Deployed,
            notes: "1. Get the application URL & open <it>\n".into(),
        },
        chart,
        config,
        manifest: "---\n# Source: podinfo/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    a: \"<b> & c\"\n".into(),
        hooks: vec![Hook {
            name: "podinfo-grpc-test-abc".into(),
            kind: "Pod".into(),
            path: "podinfo/templates/tests/grpc.yaml".into(),
            manifest: "apiVersion: v1\nkind: Pod\n".into(),
            events: vec!["test".into()],
            last_run: HookExecution { started_at: Time::zero(), completed_at: Time::zero(), phase: String::new() },
            weight: -5,
            delete_policies: vec!["before-hook-creation".into(), "hook-succeeded".into()],
            output_log_policies: vec![],
        }],
        version: 2,
        namespace: "apps".into(),
        labels: BTreeMap::from([("team".to_string(), "a".to_string()), ("owner".to_string(), "me".to_string())]),
    }
}

#[test]
fn json_matches_helms_marshalling_byte_for_byte() {
    let rec = sample();
    let json = rec.to_json().unwrap();
    if let Ok(dir) = std::env::var("HELM_TEST_DUMP") {
        std::fs::write(format!("{dir}/release.encoded"), rec.encode().unwrap()).unwrap();
    }
    let want = std::fs::read(common::expected("release.json")).unwrap();
    assert!(
        json == want,
        "got:\n{}\nwant:\n{}",
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&want)
    );
}

/// A processed chart with a lock, aliased dependencies and imported values.
fn sample_with_lock() -> ReleaseRecord {
    let mut chart = helm::loader::load(
        &common::corpus().join("charts/bitnami/nginx"),
        &helm::loader::Limits::default(),
    )
    .unwrap();
    let user = helm::strvals::parse("replicaCount=2").unwrap();
    helm::dependencies::process_dependencies(&mut chart, &user).unwrap();
    ReleaseRecord {
        name: "web".into(),
        info: Info {
            status: Status::PendingUpgrade,
            ..Default::default()
        },
        chart,
        config: user,
        version: 1,
        namespace: "default".into(),
        ..Default::default()
    }
}

#[test]
fn json_with_lock_and_dependencies_matches_helm() {
    let rec = sample_with_lock();
    let json = rec.to_json().unwrap();
    if let Ok(dir) = std::env::var("HELM_TEST_DUMP") {
        std::fs::write(format!("{dir}/release-lock.encoded"), rec.encode().unwrap()).unwrap();
    }
    let want = std::fs::read(common::expected("release-lock.json")).unwrap();
    assert!(
        json == want,
        "got:\n{}\nwant:\n{}",
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&want)
    );
}

#[test]
fn encode_then_decode_round_trips() {
    let rec = sample();
    let back = ReleaseRecord::decode(&rec.encode().unwrap()).unwrap();
    // What Helm keeps: no sub-charts, no raw files, numbers as float64.
    assert_eq!(back.to_json().unwrap(), rec.to_json().unwrap());
    assert_eq!(back.chart.templates, rec.chart.templates);
    assert!(back.chart.dependencies.is_empty());
    assert_eq!(
        helm::values::to_template_value(&back.config["replicaCount"]).type_name(),
        "float64"
    );
}

#[test]
fn decodes_a_record_helm_encoded() {
    let data = std::fs::read_to_string(common::expected("release.secret")).unwrap();
    let rec = ReleaseRecord::decode(&data).unwrap();
    assert_eq!(rec.name, "podinfo");
    assert_eq!(rec.version, 2);
    assert_eq!(rec.info.status, Status::Deployed);
    assert_eq!(
        rec.info.first_deployed.0.as_deref(),
        Some("2023-11-14T22:13:20.123456789Z")
    );
    assert!(rec.info.deleted.is_zero());
    assert_eq!(rec.chart.metadata.name, "podinfo");
    assert_eq!(rec.hooks[0].weight, -5);
    assert_eq!(
        rec.to_json().unwrap(),
        std::fs::read(common::expected("release.json")).unwrap()
    );
    // Plain (ungzipped) JSON is accepted too, as Helm does.
    let plain = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        rec.to_json().unwrap(),
    );
    assert_eq!(ReleaseRecord::decode(&plain).unwrap().name, "podinfo");
}

#[test]
fn secret_name_and_labels_follow_helm() {
    let rec = sample();
    assert_eq!(
        secret_name(&rec.name, rec.version),
        "sh.helm.release.v1.podinfo.v2"
    );
    let labels = rec.secret_labels(None, Some(1_700_000_200));
    let want: BTreeMap<String, String> = [
        ("modifiedAt", "1700000200"),
        ("name", "podinfo"),
        ("owner", "helm"),
        ("status", "deployed"),
        ("team", "a"),
        ("version", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(labels, want);
    assert_eq!(
        ReleaseRecord::labels_from_secret(&labels),
        BTreeMap::from([("team".to_string(), "a".to_string())])
    );
    assert_eq!(helm::release::SECRET_TYPE, "helm.sh/release.v1");
}

#[test]
fn hostile_records_are_errors() {
    assert!(ReleaseRecord::decode("not base64!").is_err());
    assert!(ReleaseRecord::decode("e30=").is_ok()); // "{}"
    let b64 = |b: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b);
    assert!(ReleaseRecord::decode(&b64(b"[1,2]")).is_err());
    assert!(ReleaseRecord::decode(&b64(&[0x1f, 0x8b, 0x08, 0, 1, 2, 3])).is_err());
    // A gzip bomb stops at the cap.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..(helm::release::MAX_DECODED_SIZE >> 20) + 1 {
        std::io::Write::write_all(&mut gz, &zeros).unwrap();
    }
    let bomb = b64(&gz.finish().unwrap());
    assert_eq!(
        ReleaseRecord::decode(&bomb).unwrap_err().to_string(),
        format!(
            "release record is larger than {} bytes when decompressed",
            helm::release::MAX_DECODED_SIZE
        )
    );
}

#[test]
fn status_names_are_helms() {
    let all = [
        (Status::Unknown, "unknown"),
        (Status::Deployed, "deployed"),
        (Status::Uninstalled, "uninstalled"),
        (Status::Superseded, "superseded"),
        (Status::Failed, "failed"),
        (Status::Uninstalling, "uninstalling"),
        (Status::PendingInstall, "pending-install"),
        (Status::PendingUpgrade, "pending-upgrade"),
        (Status::PendingRollback, "pending-rollback"),
    ];
    for (s, name) in all {
        assert_eq!(s.as_str(), name);
        assert_eq!(serde_json::to_value(s).unwrap(), name);
        assert_eq!(s.is_pending(), name.starts_with("pending"));
    }
}

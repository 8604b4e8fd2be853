//! The GitRepository from the "Flux v2 deep dive" talk (../shared/seed/flux-v2-deep-dive.txt),
//! in its GA form, reconciled against the local sshd: a semver range over signed releases,
//! an SSH deploy key with known_hosts, and OpenPGP verification of HEAD.

use serde_json::json;
use testenv::git::{GpgKey, SshKeyPair, SshKeyType};

use crate::source_support::{Harness, condition, download};

#[tokio::test(flavor = "multi_thread")]
async fn the_talks_git_repository_reconciles_over_ssh_with_verified_semver_tags() {
    let h = Harness::start("src-seed").await;
    let repo = h.servers.create_repo("gitopsrun/fleet-infra").unwrap();
    let gpg = GpgKey::generate().unwrap();
    repo.signed_commit(
        "Release 0.9.0",
        &[(
            "clusters/prod/kustomization.yaml",
            "resources: []\n# 0.9.0\n",
        )],
        &gpg,
    )
    .unwrap();
    repo.tag("v0.9.0").unwrap();
    let v120 = repo
        .signed_commit(
            "Release 1.2.0",
            &[(
                "clusters/prod/kustomization.yaml",
                "resources: []\n# 1.2.0\n",
            )],
            &gpg,
        )
        .unwrap();
    repo.tag("v1.2.0").unwrap();
    repo.signed_commit(
        "Release 2.0.0",
        &[
            (
                "clusters/prod/kustomization.yaml",
                "resources: []\n# 2.0.0\n",
            ),
            ("clusters/prod/v2-only.yaml", "kind: ConfigMap\n"),
        ],
        &gpg,
    )
    .unwrap();
    repo.tag("v2.0.0").unwrap();
    repo.push().unwrap();

    let deploy_key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    h.servers
        .ssh()
        .add_authorized_key(&deploy_key.public_key)
        .unwrap();
    let ssh_data = deploy_key.secret_data(&h.servers.ssh().known_hosts());
    let ssh_data: Vec<(&str, &str)> = ssh_data
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    h.create_secret("fleet-infra-ssh-keys", &ssh_data).await;
    h.create_secret(
        "fleet-infra-pgp-keys",
        &[("author.asc", gpg.public_key_armored())],
    )
    .await;

    // The talk's manifest, with the v1 API group and `HEAD` as the GA mode name.
    h.apply_repo(
        "fleet-infra",
        json!({
            "url": h.servers.ssh().url("gitopsrun/fleet-infra"),
            "ref": { "semver": ">=1.0.0 <2.0.0" },
            "secretRef": { "name": "fleet-infra-ssh-keys" },
            "verify": { "mode": "HEAD", "secretRef": { "name": "fleet-infra-pgp-keys" } },
            "interval": "1m",
        }),
    )
    .await;
    // The talk's literal lower-case `head`, which the GA API still admits.
    h.apply_repo(
        "fleet-infra-legacy-mode",
        json!({
            "url": h.servers.ssh().url("gitopsrun/fleet-infra"),
            "ref": { "semver": ">=1.0.0 <2.0.0" },
            "secretRef": { "name": "fleet-infra-ssh-keys" },
            "verify": { "mode": "head", "secretRef": { "name": "fleet-infra-pgp-keys" } },
            "interval": "1m",
        }),
    )
    .await;

    let revision = format!("v1.2.0@sha1:{v120}");
    for name in ["fleet-infra", "fleet-infra-legacy-mode"] {
        let ready = h.wait_ready_or_fail(name, &revision).await;
        let (status, reason, message) = condition(&ready, "SourceVerified")
            .unwrap_or_else(|| panic!("{name}: no SourceVerified: {:?}", ready.status));
        assert_eq!(status, "True", "{name}: {message}");
        assert_eq!(reason, "Succeeded", "{name}: {message}");
        assert!(
            message.contains(&v120) && message.contains(gpg.key_id()),
            "{name}: SourceVerified names the commit and the key: {message}"
        );
        let (_, _, ready_message) = condition(&ready, "Ready").unwrap();
        assert_eq!(
            ready_message,
            format!("stored artifact for revision '{revision}'")
        );
        let status = ready.status.unwrap();
        if name == "fleet-infra" {
            assert_eq!(status.source_verification_mode.as_deref(), Some("HEAD"));
        }
        let artifact = status.artifact.unwrap();
        assert_eq!(
            artifact.path,
            format!("gitrepository/{}/{name}/{v120}.tar.gz", h.ns)
        );
        assert_eq!(
            download(&artifact.url, &artifact.digest),
            ["clusters/prod/kustomization.yaml"],
            "{name}: the v1.2.0 tree"
        );
    }
}

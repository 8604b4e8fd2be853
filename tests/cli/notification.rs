//! `create alert-provider|alert|receiver` without a cluster: `--export` output compared
//! byte for byte with flux's export goldens (flux has no create goldens for these kinds; its
//! create commands build the same Go objects its export prints), and flag validation errors
//! that name the flag and what to pass.

use super::{stderr, stdout, tk};

const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/corpus/flux/flux2/cmd/flux/testdata"
);

fn golden(path: &str, namespace: &str) -> String {
    std::fs::read_to_string(format!("{TESTDATA}/{path}"))
        .expect("golden file exists")
        .replace("{{ .fluxns }}", namespace)
}

fn export(args: &[&str]) -> String {
    let out = tk(args);
    assert!(out.status.success(), "tk {args:?} failed: {}", stderr(&out));
    assert!(
        !stderr(&out).contains('✚'),
        "--export prints no progress: {}",
        stderr(&out)
    );
    stdout(&out)
}

fn error(args: &[&str]) -> String {
    let out = tk(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "tk {args:?} should fail: {}",
        stdout(&out)
    );
    assert!(stdout(&out).is_empty(), "a refused create prints nothing");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn create_alert_provider_export_matches_flux_golden() {
    assert_eq!(
        export(&[
            "create",
            "alert-provider",
            "slack",
            "--type",
            "slack",
            "--channel",
            "A channel with spacess",
            "--address",
            "https://hooks.slack.com/services/mock",
            "-n",
            "monitoring",
            "--export",
        ]),
        golden("export/provider.yaml", "monitoring")
    );
}

#[test]
fn create_alert_provider_export_writes_every_flag() {
    assert_eq!(
        export(&[
            "create",
            "alert-provider",
            "github-podinfo",
            "--type=github",
            "--address=https://github.com/stefanprodan/podinfo",
            "--secret-ref=github-token",
            "--username=flux-bot",
            "--label=team=apps,tier=ci",
            "--export",
        ]),
        "---\napiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata:\n  \
         labels:\n    team: apps\n    tier: ci\n  name: github-podinfo\n  namespace: \
         flux-system\nspec:\n  address: https://github.com/stefanprodan/podinfo\n  secretRef:\n    \
         name: github-token\n  type: github\n  username: flux-bot\n"
    );
}

#[test]
fn create_alert_export_matches_flux_golden() {
    // The golden's `summary` has no create flag in flux either.
    let expected =
        golden("export/alert.yaml", "apps").replace("  summary: Slacktest Notification\n", "");
    assert_eq!(
        export(&[
            "create",
            "alert",
            "flux-system",
            "--event-severity",
            "info",
            "--event-source",
            "GitRepository/*",
            "--event-source",
            "Kustomization/*",
            "--provider-ref",
            "slack",
            "--namespace",
            "apps",
            "--export",
        ]),
        expected
    );
    // Comma-separated sources, a namespaced one, the kind in any case, no severity.
    assert_eq!(
        export(&[
            "create",
            "alert",
            "web",
            "--provider-ref=msteams",
            "--event-source=helmrelease/web.prod,OCIRepository/*",
            "--export",
        ]),
        "---\napiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata:\n  \
         name: web\n  namespace: flux-system\nspec:\n  eventSources:\n  - kind: HelmRelease\n    \
         name: web\n    namespace: prod\n  - kind: OCIRepository\n    name: '*'\n  providerRef:\n    \
         name: msteams\n"
    );
}

#[test]
fn create_receiver_export_matches_flux_golden() {
    // The golden holds what the API server stored: its default `interval` is not a flag.
    let expected = golden("export/receiver.yaml", "flux-system").replace("  interval: 10m0s\n", "");
    assert_eq!(
        export(&[
            "create",
            "receiver",
            "flux-system",
            "--type",
            "github",
            "--event",
            "ping,push",
            "--secret-ref",
            "webhook-token",
            "--resource",
            "GitRepository/flux-system.flux-system",
            "--export",
        ]),
        expected
    );
    // flux's example: no namespace, repeated flags, a label, no events.
    assert_eq!(
        export(&[
            "create",
            "receiver",
            "generic-receiver",
            "--type=generic",
            "--secret-ref=webhook-token",
            "--resource=GitRepository/webapp",
            "--resource=HelmRepository/webapp",
            "--label=app=web",
            "--export",
        ]),
        "---\napiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\nmetadata:\n  \
         labels:\n    app: web\n  name: generic-receiver\n  namespace: flux-system\nspec:\n  \
         resources:\n  - kind: GitRepository\n    name: webapp\n  - kind: HelmRepository\n    \
         name: webapp\n  secretRef:\n    name: webhook-token\n  type: generic\n"
    );
}

#[test]
fn create_alert_provider_refuses_missing_or_unknown_types() {
    let err = error(&["create", "alert-provider", "p", "--export"]);
    assert!(
        err.contains("flag --type: Provider type is required: pass --type with one of: slack,"),
        "{err}"
    );
    let err = error(&["create", "alert-provider", "p", "--type=slak", "--export"]);
    assert!(
        err.contains("flag --type: provider type 'slak' is not supported, must be one of: ")
            && err.contains("msteams")
            && err.contains("generic-hmac"),
        "{err}"
    );
    let err = error(&[
        "create",
        "alert-provider",
        "p",
        "--type=slack",
        "--label=novalue",
        "--export",
    ]);
    assert!(err.contains("flag --label"), "{err}");
}

#[test]
fn create_alert_refuses_bad_flags() {
    let base = ["create", "alert", "a", "--export"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        error(&args)
    };
    let err = with(&["--event-source=Kustomization/x"]);
    assert!(
        err.contains("flag --provider-ref: provider ref is required"),
        "{err}"
    );
    let err = with(&["--provider-ref=slack"]);
    assert!(
        err.contains("flag --event-source: at least one event source is required: pass --event-source <kind>/<name>"),
        "{err}"
    );
    for bad in ["flux-system", "Kustomization/", "a/b/c"] {
        let err = with(&["--provider-ref=slack", &format!("--event-source={bad}")]);
        assert!(
            err.contains(&format!(
                "flag --event-source: invalid event source '{bad}', must be in format <kind>/<name>[.<namespace>]"
            )),
            "{bad}: {err}"
        );
    }
    let err = with(&["--provider-ref=slack", "--event-source=Deployment/web"]);
    assert!(
        err.contains("flag --event-source: kind 'Deployment' is not supported, must be one of: Bucket, GitRepository, Kustomization"),
        "{err}"
    );
    let err = with(&[
        "--provider-ref=slack",
        "--event-source=Kustomization/x",
        "--event-severity=warning",
    ]);
    assert!(
        err.contains(
            "flag --event-severity: event severity 'warning' is not supported, must be one of: info, error"
        ),
        "{err}"
    );
}

#[test]
fn create_receiver_refuses_bad_flags() {
    let base = ["create", "receiver", "r", "--export"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        error(&args)
    };
    let err = with(&["--secret-ref=t", "--resource=GitRepository/x"]);
    assert!(
        err.contains("flag --type: Receiver type is required: pass --type with one of: generic, generic-hmac, github"),
        "{err}"
    );
    let err = with(&[
        "--type=gihtub",
        "--secret-ref=t",
        "--resource=GitRepository/x",
    ]);
    assert!(
        err.contains(
            "flag --type: receiver type 'gihtub' is not supported, must be one of: generic,"
        ) && !err.contains("generic-oidc"),
        "{err}"
    );
    let err = with(&["--type=generic-oidc", "--resource=GitRepository/x"]);
    assert!(
        err.contains("flag --type: generic-oidc receivers authenticate with spec.oidcProviders"),
        "{err}"
    );
    let err = with(&["--type=github", "--resource=GitRepository/x"]);
    assert!(
        err.contains("flag --secret-ref: secret ref is required: pass the name of the Secret"),
        "{err}"
    );
    let err = with(&["--type=github", "--secret-ref=t"]);
    assert!(
        err.contains(
            "flag --resource: at least one resource is required: pass --resource <kind>/<name>"
        ),
        "{err}"
    );
    let err = with(&["--type=github", "--secret-ref=t", "--resource=webapp"]);
    assert!(
        err.contains("flag --resource: invalid resource 'webapp', must be in format <kind>/<name>"),
        "{err}"
    );
}

#[test]
fn notification_commands_are_in_the_command_tree() {
    for (verb, nouns) in [
        ("get", &["alerts", "alert-providers", "receivers"][..]),
        ("suspend", &["alert", "alert-provider", "receiver"]),
        ("resume", &["alert", "alert-provider", "receiver"]),
        ("delete", &["alert", "alert-provider", "receiver"]),
        ("export", &["alert", "alert-provider", "receiver"]),
        ("reconcile", &["alert", "alert-provider", "receiver"]),
        ("create", &["alert", "alert-provider", "receiver"]),
    ] {
        for noun in nouns {
            let out = tk(&[verb, noun, "--help"]);
            assert!(
                out.status.success(),
                "tk {verb} {noun} --help: {}",
                stderr(&out)
            );
        }
    }
    // flux's singular aliases of the get commands.
    for alias in ["alert", "alert-provider", "receiver"] {
        assert!(tk(&["get", alias, "--help"]).status.success(), "{alias}");
    }
}

//! `tk create source bucket NAME`: a Bucket (and, unless `--secret-ref` names one, a Secret
//! `bucket-NAME` with `--access-key`/`--secret-key` under `accesskey`/`secretkey`, labelled
//! as the Bucket is), applied and waited for until its first artifact, as `flux create source
//! bucket` does. As in flux, `--export` prints the Bucket alone: the generated Secret only
//! ever goes to the cluster, so exported YAML never carries the keys in the clear.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::secret_helm::{credential_pair, given};
use super::{
    apply_credentials, apply_source_and_wait, export_document, generated, go_duration, parse_labels,
};
use crate::cli::args::CreateSourceBucketArgs;
use crate::cli::objects::BUCKET;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

#[derive(Debug, Clone)]
pub struct SourceBucketOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub bucket_name: String,
    pub endpoint: String,
    pub provider: &'static str,
    pub region: Option<String>,
    pub insecure: bool,
    /// The access key and secret key the generated Secret stores; unused with `--secret-ref`.
    pub credentials: Option<(String, String)>,
    pub secret_ref: Option<String>,
    pub proxy_secret_ref: Option<String>,
    pub ignore: Option<String>,
    pub interval: String,
    pub timeout: Option<String>,
    pub export: bool,
}

impl SourceBucketOptions {
    pub fn resolve(args: &CreateSourceBucketArgs, settings: &GlobalSettings) -> Result<Self> {
        let Some(name) = given(&args.name) else {
            bail!(
                "name is required: pass the Bucket's name, as in \
                 `tk create source bucket NAME --bucket-name BUCKET --endpoint HOST`"
            );
        };
        let Some(bucket_name) = given(&args.bucket_name) else {
            bail!(
                "Bucket {name}: bucket-name is required: pass --bucket-name, the name of the \
                 bucket in the object storage"
            );
        };
        let Some(endpoint) = given(&args.endpoint) else {
            bail!(
                "Bucket {name}: endpoint is required: pass --endpoint, the object storage's \
                 address (e.g. s3.amazonaws.com or minio.minio.svc.cluster.local:9000)"
            );
        };
        let credentials = credential_pair(
            ("access-key", &args.access_key),
            ("secret-key", &args.secret_key),
            "static authentication",
        )
        .map_err(|err| anyhow::anyhow!("Bucket {name}: {err}"))?;
        let timeout = args
            .fetch_timeout
            .as_deref()
            .map(|t| go_duration("fetch-timeout", t))
            .transpose()?;
        Ok(Self {
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            bucket_name,
            endpoint,
            provider: args.provider.as_str(),
            region: given(&args.region),
            insecure: args.insecure,
            credentials,
            secret_ref: given(&args.secret_ref),
            proxy_secret_ref: given(&args.proxy_secret_ref),
            ignore: (!args.ignore_paths.is_empty()).then(|| args.ignore_paths.join("\n")),
            interval: go_duration("interval", &args.interval)?,
            timeout,
            export: args.export,
            name,
        })
    }

    /// The Bucket as flux writes it, referencing `secret_ref` (the YAML printer sorts the
    /// keys; Go's `omitempty` leaves out what was not given).
    pub fn object(&self, secret_ref: Option<&str>) -> Value {
        let mut spec = json!({
            "bucketName": self.bucket_name,
            "endpoint": self.endpoint,
            "interval": self.interval,
            "provider": self.provider,
        });
        for (key, secret) in [
            ("secretRef", secret_ref),
            ("proxySecretRef", self.proxy_secret_ref.as_deref()),
        ] {
            if let Some(secret) = secret {
                spec[key] = json!({ "name": secret });
            }
        }
        if let Some(region) = &self.region {
            spec["region"] = json!(region);
        }
        if self.insecure {
            spec["insecure"] = json!(true);
        }
        if let Some(ignore) = &self.ignore {
            spec["ignore"] = json!(ignore);
        }
        if let Some(timeout) = &self.timeout {
            spec["timeout"] = json!(timeout);
        }
        super::object(
            BUCKET,
            super::metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }

    /// What `--export` prints.
    pub fn export(&self) -> String {
        export_document(&self.object(self.secret_ref.as_deref()))
    }

    /// The Secret to generate, by name and data: only without `--secret-ref`, and only with
    /// static credentials (a cloud provider's identity needs none).
    fn generated_secret(&self) -> Option<(String, BTreeMap<String, String>)> {
        if self.secret_ref.is_some() {
            return None;
        }
        let (access_key, secret_key) = self.credentials.clone()?;
        Some((
            format!("bucket-{}", self.name),
            BTreeMap::from([
                ("accesskey".to_string(), access_key),
                ("secretkey".to_string(), secret_key),
            ]),
        ))
    }
}

pub async fn run(
    options: &SourceBucketOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!("{}", options.export());
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    generated("generating Bucket source");

    let mut secret_ref = options.secret_ref.clone();
    if let Some((secret_name, data)) = options.generated_secret() {
        apply_credentials(
            &client,
            &printer,
            "the bucket credentials",
            (&options.namespace, &secret_name),
            &options.labels,
            &data,
        )
        .await?;
        secret_ref = Some(secret_name);
    }

    apply_source_and_wait(
        &client,
        &printer,
        BUCKET,
        "Bucket source",
        &options.object(secret_ref.as_deref()),
        (&options.namespace, &options.name),
        deadline,
    )
    .await
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::args::{Cli, Command, CreateCommand, CreateSourceCommand};

    /// `tk create source bucket` with `args`, resolved as the command resolves it.
    fn resolve(args: &str) -> Result<SourceBucketOptions> {
        let argv = format!("tk create source bucket {args}");
        let cli = Cli::try_parse_from(argv.split_whitespace()).expect("the arguments parse");
        let settings = GlobalSettings::resolve(&cli.global).unwrap();
        let Command::Create(create) = cli.command else {
            unreachable!()
        };
        let CreateCommand::Source(source) = create.command else {
            unreachable!()
        };
        let CreateSourceCommand::Bucket(bucket) = source.command else {
            unreachable!()
        };
        SourceBucketOptions::resolve(&bucket, &settings)
    }

    fn export(args: &str) -> String {
        resolve(args).unwrap().export()
    }

    fn error(args: &str) -> String {
        resolve(args).unwrap_err().to_string()
    }

    #[test]
    fn exports_what_flux_prints() {
        // flux's IAM example: the provider and region as given, the interval Go-formatted.
        assert_eq!(
            export(
                "podinfo --bucket-name=podinfo --provider=aws --endpoint=s3.amazonaws.com \
                 --region=us-east-1 --interval=10m -n flux-system"
            ),
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  \
             name: podinfo\n  namespace: flux-system\nspec:\n  bucketName: podinfo\n  \
             endpoint: s3.amazonaws.com\n  interval: 10m0s\n  provider: aws\n  \
             region: us-east-1\n"
        );
        // flux's static-authentication example: `--export` returns before the Secret is
        // generated, so neither the keys nor a secretRef to them are printed.
        assert_eq!(
            export(
                "podinfo --bucket-name=podinfo --endpoint=minio.minio.svc.cluster.local:9000 \
                 --insecure=true --access-key=myaccesskey --secret-key=mysecretkey \
                 --interval=10m -n flux-system"
            ),
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  \
             name: podinfo\n  namespace: flux-system\nspec:\n  bucketName: podinfo\n  \
             endpoint: minio.minio.svc.cluster.local:9000\n  insecure: true\n  \
             interval: 10m0s\n  provider: generic\n"
        );
        // Every other flag, in Go's key order and with the defaults flux fills in.
        assert_eq!(
            export(
                "app --bucket-name=manifests --endpoint=storage.googleapis.com --provider=gcp \
                 --secret-ref=gcs-key --proxy-secret-ref=proxy --ignore-paths=/*,!/deploy \
                 --fetch-timeout=90s --label=team=web,tier=front -n apps"
            ),
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  \
             labels:\n    team: web\n    tier: front\n  name: app\n  namespace: apps\nspec:\n  \
             bucketName: manifests\n  endpoint: storage.googleapis.com\n  ignore: |-\n    \
             /*\n    !/deploy\n  interval: 1m0s\n  provider: gcp\n  proxySecretRef:\n    \
             name: proxy\n  secretRef:\n    name: gcs-key\n  timeout: 1m30s\n"
        );
        // `--insecure` alone means true, `--insecure=false` is flux's default.
        assert!(
            resolve("a --bucket-name=b --endpoint=e --insecure")
                .unwrap()
                .insecure
        );
        assert!(
            !resolve("a --bucket-name=b --endpoint=e --insecure=false")
                .unwrap()
                .insecure
        );
    }

    #[test]
    fn generates_a_secret_for_static_credentials_only() {
        let options =
            resolve("podinfo --bucket-name=b --endpoint=e --access-key=ak --secret-key=sk")
                .unwrap();
        assert_eq!(
            options.generated_secret(),
            Some((
                "bucket-podinfo".to_string(),
                BTreeMap::from([
                    ("accesskey".to_string(), "ak".to_string()),
                    ("secretkey".to_string(), "sk".to_string()),
                ])
            ))
        );
        let with_ref = resolve(
            "podinfo --bucket-name=b --endpoint=e --access-key=ak --secret-key=sk \
             --secret-ref=creds",
        )
        .unwrap();
        assert_eq!(with_ref.generated_secret(), None);
        let iam = resolve("podinfo --bucket-name=b --endpoint=e --provider=aws").unwrap();
        assert_eq!(iam.generated_secret(), None);
    }

    #[test]
    fn refuses_what_flux_refuses_and_half_credentials() {
        assert!(error("").starts_with("name is required"));
        assert_eq!(
            error("podinfo --endpoint=e"),
            "Bucket podinfo: bucket-name is required: pass --bucket-name, the name of the \
             bucket in the object storage"
        );
        assert!(
            error("podinfo --bucket-name=b").starts_with("Bucket podinfo: endpoint is required"),
        );
        for half in ["--access-key=ak", "--secret-key=sk"] {
            assert_eq!(
                error(&format!("podinfo --bucket-name=b --endpoint=e {half}")),
                "Bucket podinfo: flags --access-key/--secret-key: pass both for static \
                 authentication, or neither"
            );
        }
        assert!(
            error("podinfo --bucket-name=b --endpoint=e --interval=5")
                .starts_with("flag --interval")
        );
        assert!(
            error("podinfo --bucket-name=b --endpoint=e --fetch-timeout=0s")
                .starts_with("flag --fetch-timeout")
        );
        let cli = Cli::try_parse_from(
            "tk create source bucket p --bucket-name=b --endpoint=e --provider=ibm"
                .split_whitespace(),
        );
        assert!(cli.is_err());
    }
}

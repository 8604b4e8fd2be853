//! The CRDs canary routers write to, installed in a control plane from their published
//! manifests: Gateway API (standard channel), Istio, and SMI's TrafficSplit.
//!
//! The manifests come from `TK_MESH_CRDS` when set, else from the directory
//! `hack/rig-build.sh --mesh-crds` prints, which it fills once (into the rig cache) from the
//! Go modules that publish them; the versions are pinned there:
//!
//! - `gateway-api/*.yaml`: `sigs.k8s.io/gateway-api` `config/crd/standard`;
//! - `istio/customresourcedefinitions.gen.yaml`: `istio.io/api` `kubernetes/`;
//! - `smi/smi_traffic_split.yaml`: `github.com/openservicemesh/osm`
//!   `cmd/osm-bootstrap/crds/` (split.smi-spec.io, `v1alpha2` served; `v1alpha3` and
//!   `v1alpha4` defined but not served).
//!
//! [`install`] server-side applies every CustomResourceDefinition of the chosen meshes and
//! waits until each is Established and its served versions answer. Other documents of the
//! published sets (Gateway API's `safe-upgrades` ValidatingAdmissionPolicy) are left out.
//!
//! ```no_run
//! use testenv::mesh::{self, Mesh};
//! let cp = testenv::shared();
//! mesh::install(cp, &[Mesh::GatewayApi, Mesh::Istio, Mesh::Smi])?;
//! # anyhow::Ok(())
//! ```

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use crate::ControlPlane;

/// The field manager the CRDs are applied with.
pub const FIELD_MANAGER: &str = "tk-testenv-mesh";

/// How long one CRD may take to become Established and serve its versions.
const ESTABLISH_TIMEOUT: Duration = Duration::from_secs(60);

/// A traffic router's set of CRDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mesh {
    /// Gateway API standard channel: GatewayClass, Gateway, HTTPRoute, GRPCRoute,
    /// ReferenceGrant, BackendTLSPolicy, ListenerSet, TCPRoute, TLSRoute, UDPRoute
    /// (gateway.networking.k8s.io).
    GatewayApi,
    /// Istio's CRDs, VirtualService and DestinationRule (networking.istio.io) among them.
    Istio,
    /// SMI's TrafficSplit (split.smi-spec.io).
    Smi,
}

impl Mesh {
    /// The subdirectory of [`crd_dir`] that holds its manifests.
    pub fn subdir(self) -> &'static str {
        match self {
            Mesh::GatewayApi => "gateway-api",
            Mesh::Istio => "istio",
            Mesh::Smi => "smi",
        }
    }

    /// A file that must be there, so a wrong `TK_MESH_CRDS` is caught before applying.
    fn landmark(self) -> &'static str {
        match self {
            Mesh::GatewayApi => "gateway-api/gateway.networking.k8s.io_httproutes.yaml",
            Mesh::Istio => "istio/customresourcedefinitions.gen.yaml",
            Mesh::Smi => "smi/smi_traffic_split.yaml",
        }
    }

    /// The manifest files, sorted by name.
    pub fn files(self, dir: &Path) -> Result<Vec<PathBuf>> {
        let sub = dir.join(self.subdir());
        let mut files = Vec::new();
        for entry in
            std::fs::read_dir(&sub).with_context(|| format!("reading {}", sub.display()))?
        {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
        files.sort();
        if files.is_empty() {
            bail!("{} holds no YAML files", sub.display());
        }
        Ok(files)
    }
}

/// Checks that `dir` holds every mesh's manifests; `source` says where the path came from.
fn check_crd_dir(dir: &Path, source: &str) -> Result<PathBuf> {
    if !dir.is_dir() {
        bail!("{source} ({}): no such directory", dir.display());
    }
    for mesh in [Mesh::GatewayApi, Mesh::Istio, Mesh::Smi] {
        let path = dir.join(mesh.landmark());
        if !path.is_file() {
            bail!(
                "{source} ({}): {} is missing",
                dir.display(),
                path.display()
            );
        }
    }
    Ok(dir.to_path_buf())
}

/// The directory of published CRD manifests: `TK_MESH_CRDS` when set, else what
/// `hack/rig-build.sh --mesh-crds` prints (downloading once into the rig cache).
pub fn crd_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("TK_MESH_CRDS") {
        return check_crd_dir(Path::new(&dir), "TK_MESH_CRDS");
    }
    let script = build_script()?;
    let out = Command::new("bash")
        .arg(&script)
        .arg("--mesh-crds")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {} --mesh-crds", script.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Progress goes past the test harness's capture, as for the other rig tools.
    let _ = std::io::stderr().write_all(stderr.as_bytes());
    if !out.status.success() {
        bail!(
            "{} --mesh-crds failed ({}), so the mesh CRDs are not available; its last output:\n{}",
            script.display(),
            out.status,
            tail(&stderr, 30)
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default().trim();
    if line.is_empty() {
        bail!("{} --mesh-crds printed no directory", script.display());
    }
    check_crd_dir(
        Path::new(line),
        &format!("the directory printed by {} --mesh-crds", script.display()),
    )
}

/// hack/rig-build.sh, found as `bins` finds it: above the crate's manifest directory or the
/// working directory.
fn build_script() -> Result<PathBuf> {
    let mut starts = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    starts
        .iter()
        .flat_map(|start| start.ancestors())
        .map(|dir| dir.join("hack/rig-build.sh"))
        .find(|script| script.is_file())
        .ok_or_else(|| {
            anyhow!(
                "TK_MESH_CRDS is not set and hack/rig-build.sh was not found above {} or the working directory",
                env!("CARGO_MANIFEST_DIR")
            )
        })
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// What has been installed in this process, by apiserver URL: tests share one control
/// plane, and the lock also keeps two tests from applying the same CRDs at once.
static INSTALLED: Mutex<Option<HashSet<(String, Mesh)>>> = Mutex::new(None);

/// Applies the CRDs of `which` to `cp` (server-side apply, forcing ownership, so it also
/// updates CRDs someone else created) and waits until each is Established and every
/// version it serves answers a list. Idempotent: a mesh already installed in this control
/// plane by this process is skipped, and applying again changes nothing.
pub fn install(cp: &ControlPlane, which: &[Mesh]) -> Result<()> {
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    let installed = installed.get_or_insert_with(HashSet::new);
    let todo: Vec<Mesh> = which
        .iter()
        .copied()
        .filter(|m| !installed.contains(&(cp.server_url().to_string(), *m)))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let dir = crd_dir()?;
    let agent = cp.admin_agent()?;
    for mesh in todo {
        let mut applied = Vec::new();
        for file in mesh.files(&dir)? {
            for crd in read_crds(&file)? {
                let name = apply(&agent, cp.server_url(), &crd).with_context(|| {
                    format!("installing the {mesh:?} CRDs from {}", file.display())
                })?;
                applied.push((file.clone(), name));
            }
        }
        if applied.is_empty() {
            bail!(
                "no CustomResourceDefinition found in {}",
                dir.join(mesh.subdir()).display()
            );
        }
        for (file, name) in &applied {
            wait_established(&agent, cp.server_url(), name).with_context(|| {
                format!("CRD {name} (from {}) did not become usable", file.display())
            })?;
        }
        installed.insert((cp.server_url().to_string(), mesh));
    }
    Ok(())
}

/// The CustomResourceDefinition documents of a manifest file (other kinds are skipped).
pub fn read_crds(file: &Path) -> Result<Vec<Value>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    // Istio's file is a megabyte of schemas: more nodes than the parser's default budget.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 10_000_000;
    budget.max_events = 40_000_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(&text, options)
        .map_err(|e| anyhow!("parsing {}: {e}", file.display()))?;
    let mut crds = Vec::new();
    for doc in docs {
        if doc.is_null() || doc["kind"] != "CustomResourceDefinition" {
            continue;
        }
        if doc["apiVersion"] != "apiextensions.k8s.io/v1" {
            bail!(
                "{}: CRD {} is {}, not apiextensions.k8s.io/v1",
                file.display(),
                doc["metadata"]["name"],
                doc["apiVersion"]
            );
        }
        if doc["metadata"]["name"].as_str().is_none_or(str::is_empty) {
            bail!(
                "{}: a CustomResourceDefinition without a name",
                file.display()
            );
        }
        crds.push(doc);
    }
    Ok(crds)
}

/// Server-side applies one CRD; returns its name.
fn apply(agent: &ureq::Agent, server: &str, crd: &Value) -> Result<String> {
    let name = crd["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let url = format!(
        "{server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}?fieldManager={FIELD_MANAGER}&force=true"
    );
    let mut resp = agent
        .patch(&url)
        .header("Content-Type", "application/apply-patch+yaml")
        .send(crd.to_string())
        .with_context(|| format!("applying CRD {name}"))?;
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    if !(200..300).contains(&status) {
        bail!("applying CRD {name}: {status}: {}", body.trim());
    }
    Ok(name)
}

/// Waits until the CRD is Established and each version it serves answers a list.
fn wait_established(agent: &ureq::Agent, server: &str, name: &str) -> Result<()> {
    let url = format!("{server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}");
    let start = Instant::now();
    loop {
        let last = match crd_ready(agent, server, &url) {
            Ok(()) => return Ok(()),
            Err(e) => format!("{e:#}"),
        };
        if start.elapsed() > ESTABLISH_TIMEOUT {
            bail!(
                "not Established within {}s (last: {last})",
                ESTABLISH_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn crd_ready(agent: &ureq::Agent, server: &str, url: &str) -> Result<()> {
    let (status, body) = crate::http::get(agent, url)?;
    if status != 200 {
        bail!("GET {url}: {status}: {}", body.trim());
    }
    let crd: Value = serde_json::from_str(&body).context("parsing the CRD")?;
    let conditions = crd["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let condition = |kind: &str| {
        conditions.iter().find(|c| c["type"] == kind).map(|c| {
            (
                c["status"] == "True",
                c["message"].as_str().unwrap_or_default().to_string(),
            )
        })
    };
    if let Some((false, message)) = condition("NamesAccepted") {
        bail!("NamesAccepted is False: {message}");
    }
    match condition("Established") {
        Some((true, _)) => {}
        Some((false, message)) => bail!("Established is False: {message}"),
        None => bail!("no Established condition yet"),
    }
    let group = crd["spec"]["group"].as_str().unwrap_or_default();
    let plural = crd["spec"]["names"]["plural"].as_str().unwrap_or_default();
    let namespaced = crd["spec"]["scope"] == "Namespaced";
    for version in crd["spec"]["versions"].as_array().into_iter().flatten() {
        if version["served"] != true {
            continue;
        }
        let version = version["name"].as_str().unwrap_or_default();
        // Established flips as the handler is installed; a list proves it serves.
        let list = if namespaced {
            format!("{server}/apis/{group}/{version}/namespaces/default/{plural}?limit=1")
        } else {
            format!("{server}/apis/{group}/{version}/{plural}?limit=1")
        };
        let (status, body) = crate::http::get(agent, &list)?;
        if status != 200 {
            bail!("GET {list}: {status}: {}", body.trim());
        }
    }
    Ok(())
}

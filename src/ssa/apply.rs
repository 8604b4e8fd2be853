//! The staged apply: validate a stage with server-side dry runs, write only what drifted,
//! wait for class definitions before the objects that need them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use futures::future::Either;
use futures::{StreamExt, stream};
use kube::api::{DeleteParams, Patch, PatchParams};
use serde_json::Value;

use super::discovery::{Kind, api_for};
use super::drift::{self, Verified};
use super::normalize::{has_drifted, normalize_desired};
use super::order::{Stage, apply_order, stage_of};
use super::{
    Action, ApplyOptions, ChangeSet, ChangeSetEntry, Error, ObjectFailure, ObjectRef,
    POLICY_PREFIX, ResourceManager, api_message, api_status, has_policy, is_not_found,
};

/// How many dry runs of a stage are in flight at once.
const CONCURRENCY: usize = 4;

/// A desired object, normalised and labelled, with its reference.
pub(super) struct Desired {
    pub r: ObjectRef,
    pub object: Value,
}

/// Reads, normalises and labels the desired objects.
pub(super) fn prepare(m: &ResourceManager, objects: Vec<Value>) -> Result<Vec<Desired>, Error> {
    objects
        .into_iter()
        .map(|mut object| {
            let r = ObjectRef::from_object(&object)?;
            normalize_desired(&mut object);
            set_owner_labels(&mut object, m);
            Ok(Desired { r, object })
        })
        .collect()
}

/// What to do with one object.
enum Step {
    /// Excluded by policy (`ssa: Ignore`, `reconcile: disabled`, or `ssa: IfNotPresent`
    /// and it exists).
    Skip,
    /// The dry run equals the live object: no write.
    Unchanged,
    /// The drift cache proves the object unchanged: neither dry run nor write.
    Proven,
    /// Apply (after the optional managed-fields cleanup patch).
    Write {
        created: bool,
        cleanup: Option<Value>,
    },
    /// An immutable field changed and force is on: delete, wait, apply.
    Recreate,
}

struct Plan {
    desired: Desired,
    kind: Kind,
    step: Step,
    /// Digest of the desired object, for the proof an apply leaves.
    digest: [u8; 32],
    /// For an Unchanged object: what proved it (see [`drift`]).
    proof: Option<Verified>,
}

pub(crate) async fn apply_all_staged(
    m: &ResourceManager,
    objects: Vec<Value>,
    opts: &ApplyOptions,
) -> Result<ChangeSet, Error> {
    let mut stages: BTreeMap<Stage, Vec<Desired>> = BTreeMap::new();
    for d in prepare(m, objects)? {
        stages.entry(stage_of(&d.r)).or_default().push(d);
    }
    for objects in stages.values_mut() {
        objects.sort_by(|a, b| apply_order(&a.r, &b.r));
    }
    // CRDs and Namespaces the set defines: later stages may need them before they can be
    // validated.
    let defined_kinds: BTreeSet<(String, String)> = stages
        .values()
        .flatten()
        .filter_map(|d| crd_defines(&d.object))
        .collect();
    let defined_namespaces: BTreeSet<String> = stages
        .get(&Stage::ClusterDefinitions)
        .into_iter()
        .flatten()
        .filter(|d| d.r.kind == "Namespace" && d.r.group.is_empty())
        .map(|d| d.r.name.clone())
        .collect();

    let drift_scope = m.drift_scope();
    let proofs = match (&m.drift, &drift_scope) {
        (Some((cache, _)), Some(scope)) => cache.proofs(scope),
        _ => HashMap::new(),
    };
    let mut new_proofs = HashMap::new();
    let mut change_set = ChangeSet::default();
    let mut stages: Vec<(Stage, Vec<Desired>)> = stages.into_iter().collect();
    let mut index = 0;
    while index < stages.len() {
        let (stage, objects) = (stages[index].0, std::mem::take(&mut stages[index].1));
        let plans = plan_stage(m, objects, opts, &proofs).await?;
        let writes = plans
            .iter()
            .any(|p| !matches!(p.step, Step::Skip | Step::Unchanged | Step::Proven));
        if writes && index + 1 < stages.len() {
            // Validate what later stages can already be validated, so that a bad object
            // there stops the run before anything is written.
            let later = stages[index + 1..].iter().flat_map(|(_, objects)| objects);
            preflight(m, later, &defined_kinds, &defined_namespaces).await?;
        }
        let mut applied = Vec::with_capacity(plans.len());
        for plan in plans {
            let r = plan.desired.r.clone();
            // What a successful apply proved ready before needs no new wait.
            let wait = !matches!(plan.step, Step::Skip | Step::Proven);
            let (entry, proof) = execute(m, plan, opts).await?;
            if let Some(proof) = proof {
                new_proofs.insert(r, proof);
            }
            if wait {
                applied.push(entry.object.clone());
            }
            change_set.entries.push(entry);
        }
        if stage == Stage::ClusterDefinitions {
            // CRDs must be Established (and Namespaces not terminating) before the objects
            // that need them are validated.
            m.wait_for_set(&applied, opts.wait_interval, opts.wait_timeout)
                .await?;
        }
        index += 1;
    }
    if let (Some((cache, _)), Some(scope)) = (&m.drift, drift_scope) {
        cache.replace(scope, new_proofs);
    }
    Ok(change_set)
}

fn set_owner_labels(object: &mut Value, m: &ResourceManager) {
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let labels = metadata
        .entry("labels")
        .or_insert_with(|| Value::Object(Default::default()));
    if !labels.is_object() {
        *labels = Value::Object(Default::default());
    }
    if let Some(labels) = labels.as_object_mut() {
        for (key, value) in m.owner.labels() {
            labels.insert(key, Value::String(value));
        }
    }
}

/// The (group, kind) a CRD manifest defines.
pub(super) fn crd_defines(object: &Value) -> Option<(String, String)> {
    let is_crd = object["kind"] == "CustomResourceDefinition"
        && object["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"));
    if !is_crd {
        return None;
    }
    Some((
        object["spec"]["group"].as_str()?.to_string(),
        object["spec"]["names"]["kind"].as_str()?.to_string(),
    ))
}

/// Dry-runs every object of a stage that the drift cache cannot prove unchanged; all
/// failures are reported together.
async fn plan_stage(
    m: &ResourceManager,
    objects: Vec<Desired>,
    opts: &ApplyOptions,
    proofs: &HashMap<ObjectRef, Verified>,
) -> Result<Vec<Plan>, Error> {
    let mut resolved = Vec::with_capacity(objects.len());
    let mut failures = Vec::new();
    for mut d in objects {
        match resolve(m, &mut d).await {
            Ok(kind) => {
                let digest = drift::digest(&d.object);
                resolved.push((d, kind, digest));
            }
            Err(failure) => failures.push(failure),
        }
    }
    if !failures.is_empty() {
        return Err(Error::DryRun(failures));
    }
    let mut proven = if proofs.is_empty() {
        HashMap::new()
    } else {
        let candidates: Vec<_> = resolved
            .iter()
            .map(|(d, kind, digest)| (kind, &d.r, digest))
            .collect();
        drift::proven_unchanged(&m.client, &m.owner_selector(), proofs, &candidates).await
    };
    // Futures are built up front (no closure inside the stream type), which keeps the
    // caller's future provably Send.
    let plans: Vec<_> = resolved
        .into_iter()
        .enumerate()
        .map(|(i, (desired, kind, digest))| match proven.remove(&i) {
            Some(proof) => Either::Left(std::future::ready(Ok(Plan {
                desired,
                kind,
                step: Step::Proven,
                digest,
                proof: Some(proof),
            }))),
            None => Either::Right(plan_one(m, desired, kind, digest, opts)),
        })
        .collect();
    let results: Vec<Result<Plan, ObjectFailure>> =
        stream::iter(plans).buffered(CONCURRENCY).collect().await;
    let mut plans = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(plan) => plans.push(plan),
            Err(failure) => failures.push(failure),
        }
    }
    if failures.is_empty() {
        Ok(plans)
    } else {
        Err(Error::DryRun(failures))
    }
}

async fn plan_one(
    m: &ResourceManager,
    d: Desired,
    kind: Kind,
    digest: [u8; 32],
    opts: &ApplyOptions,
) -> Result<Plan, ObjectFailure> {
    let api = api_for(&m.client, &kind, &d.r);
    // As Flux, a failed read is treated as absent: the dry run reports the real problem.
    let live = api
        .get_opt(&d.r.name)
        .await
        .ok()
        .flatten()
        .and_then(|o| serde_json::to_value(o).ok());

    let ssa = format!("{POLICY_PREFIX}/ssa");
    let excluded = |o: &Value| {
        has_policy(o, &ssa, "Ignore")
            || has_policy(o, &format!("{POLICY_PREFIX}/reconcile"), "disabled")
    };
    if excluded(&d.object) || live.as_ref().is_some_and(excluded) {
        return Ok(Plan {
            desired: d,
            kind,
            step: Step::Skip,
            digest,
            proof: None,
        });
    }
    let exists = live
        .as_ref()
        .is_some_and(|l| l["metadata"]["uid"].as_str().is_some_and(|u| !u.is_empty()));
    if exists && has_policy(&d.object, &ssa, "IfNotPresent") {
        return Ok(Plan {
            desired: d,
            kind,
            step: Step::Skip,
            digest,
            proof: None,
        });
    }

    let dry_run = match api
        .patch(&d.r.name, &apply_params(m, true), &Patch::Apply(&d.object))
        .await
    {
        Ok(result) => serde_json::to_value(result).unwrap_or_default(),
        Err(err) => {
            let force_key = format!("{POLICY_PREFIX}/force");
            let forced = opts.force
                || has_policy(&d.object, &force_key, "Enabled")
                || live
                    .as_ref()
                    .is_some_and(|l| has_policy(l, &force_key, "Enabled"));
            if exists && forced && is_immutable(&err) {
                return Ok(Plan {
                    desired: d,
                    kind,
                    step: Step::Recreate,
                    digest,
                    proof: None,
                });
            }
            return Err(dry_run_failure(&d.r, &err));
        }
    };
    let cleanup = match &live {
        Some(live) if !has_policy(&d.object, &ssa, "Merge") && !has_policy(live, &ssa, "Merge") => {
            super::fields::cleanup_patch(live, &m.field_manager)
        }
        _ => None,
    };
    let (step, proof) = if cleanup.is_some() || has_drifted(live.as_ref(), &dry_run) {
        let created = dry_run["metadata"]["resourceVersion"]
            .as_str()
            .is_none_or(str::is_empty);
        (Step::Write { created, cleanup }, None)
    } else {
        let proof = live.as_ref().and_then(|l| Verified::new(digest, l));
        (Step::Unchanged, proof)
    };
    Ok(Plan {
        desired: d,
        kind,
        step,
        digest,
        proof,
    })
}

/// Finds the kind of `d`, dropping `metadata.namespace` of cluster-scoped objects (the API
/// server ignores it, and Flux's inventory has none).
pub(super) async fn resolve(m: &ResourceManager, d: &mut Desired) -> Result<Kind, ObjectFailure> {
    let kind = match m.discovery.lookup(&m.client, &d.r).await {
        Ok(Some(kind)) => kind,
        Ok(None) => {
            return Err(ObjectFailure {
                message: format!(
                    "{} dry-run failed: no matches for kind \"{}\" in version \"{}\": install the \
                     CustomResourceDefinition that defines it first, or fix apiVersion/kind",
                    d.r,
                    d.r.kind,
                    d.r.api_version()
                ),
                object: d.r.clone(),
            });
        }
        Err(err) => {
            return Err(ObjectFailure {
                object: d.r.clone(),
                message: format!("{} dry-run failed: {err}", d.r),
            });
        }
    };
    if kind.namespaced && d.r.namespace.is_empty() {
        return Err(ObjectFailure {
            object: d.r.clone(),
            message: format!(
                "{} namespace not specified: set metadata.namespace (or the Kustomization's \
                 targetNamespace)",
                d.r
            ),
        });
    }
    if !kind.namespaced && !d.r.namespace.is_empty() {
        d.r.namespace.clear();
        if let Some(meta) = d.object["metadata"].as_object_mut() {
            meta.remove("namespace");
        }
    }
    Ok(kind)
}

/// Dry-runs objects of later stages that do not depend on earlier ones (their kind is
/// served and their namespace exists or is not created by this set).
async fn preflight<'a>(
    m: &ResourceManager,
    later: impl Iterator<Item = &'a Desired>,
    defined_kinds: &BTreeSet<(String, String)>,
    defined_namespaces: &BTreeSet<String>,
) -> Result<(), Error> {
    let checks: Vec<_> = later
        .map(|d| async move {
            let kind = match m.discovery.lookup(&m.client, &d.r).await {
                Ok(Some(kind)) => kind,
                Ok(None) if defined_kinds.contains(&(d.r.group.clone(), d.r.kind.clone())) => {
                    return Ok(());
                }
                _ => {
                    let mut copy = Desired {
                        r: d.r.clone(),
                        object: d.object.clone(),
                    };
                    return resolve(m, &mut copy).await.map(|_| ());
                }
            };
            if kind.namespaced && defined_namespaces.contains(&d.r.namespace) {
                return Ok(());
            }
            let mut copy = Desired {
                r: d.r.clone(),
                object: d.object.clone(),
            };
            let kind = resolve(m, &mut copy).await?;
            let api = api_for(&m.client, &kind, &copy.r);
            match api
                .patch(
                    &copy.r.name,
                    &apply_params(m, true),
                    &Patch::Apply(&copy.object),
                )
                .await
            {
                Ok(_) => Ok(()),
                // An immutable change is decided (and forced) in its own stage.
                Err(err) if is_immutable(&err) => Ok(()),
                Err(err) => Err(dry_run_failure(&copy.r, &err)),
            }
        })
        .collect();
    let results: Vec<Result<(), ObjectFailure>> =
        stream::iter(checks).buffered(CONCURRENCY).collect().await;
    let failures: Vec<ObjectFailure> = results.into_iter().filter_map(Result::err).collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::DryRun(failures))
    }
}

/// Carries out a plan; an apply also returns the proof it leaves for the drift cache.
async fn execute(
    m: &ResourceManager,
    plan: Plan,
    opts: &ApplyOptions,
) -> Result<(ChangeSetEntry, Option<Verified>), Error> {
    let Plan {
        desired: d,
        kind,
        step,
        digest,
        proof,
    } = plan;
    let api = api_for(&m.client, &kind, &d.r);
    let entry = |action| ChangeSetEntry {
        object: d.r.clone(),
        action,
    };
    let apply = || async {
        let applied = api
            .patch(&d.r.name, &apply_params(m, false), &Patch::Apply(&d.object))
            .await
            .map_err(|err| Error::Apply {
                object: d.r.clone(),
                message: api_message(&err),
            })?;
        let applied = serde_json::to_value(applied).unwrap_or_default();
        Ok::<_, Error>(Verified::new(digest, &applied))
    };
    match step {
        Step::Skip => Ok((entry(Action::Skipped), None)),
        Step::Unchanged | Step::Proven => Ok((entry(Action::Unchanged), proof)),
        Step::Write { created, cleanup } => {
            if let Some(patch) = cleanup {
                let params = PatchParams {
                    field_manager: Some(m.field_manager.clone()),
                    ..Default::default()
                };
                api.patch(&d.r.name, &params, &Patch::Merge(&patch))
                    .await
                    .map_err(|err| Error::Apply {
                        object: d.r.clone(),
                        message: format!(
                            "metadata.managedFields cleanup failed: {}",
                            api_message(&err)
                        ),
                    })?;
            }
            let proof = apply().await?;
            let action = if created {
                Action::Created
            } else {
                Action::Configured
            };
            Ok((entry(action), proof))
        }
        Step::Recreate => {
            match api.delete(&d.r.name, &DeleteParams::background()).await {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => {
                    return Err(Error::Recreate {
                        object: d.r.clone(),
                        message: api_message(&err),
                    });
                }
            }
            let deadline = Instant::now() + opts.wait_timeout;
            loop {
                match api.get_opt(&d.r.name).await {
                    Ok(None) => break,
                    Ok(Some(_)) if Instant::now() < deadline => {}
                    Ok(Some(_)) => {
                        return Err(Error::RecreateWait {
                            object: d.r.clone(),
                            message: format!(
                                "still present after {:?}: check its finalizers",
                                opts.wait_timeout
                            ),
                        });
                    }
                    Err(err) => {
                        return Err(Error::RecreateWait {
                            object: d.r.clone(),
                            message: api_message(&err),
                        });
                    }
                }
                tokio::time::sleep(
                    opts.wait_interval
                        .min(std::time::Duration::from_millis(500)),
                )
                .await;
            }
            if let Err(err) = api
                .patch(&d.r.name, &apply_params(m, true), &Patch::Apply(&d.object))
                .await
            {
                return Err(Error::DryRun(vec![dry_run_failure(&d.r, &err)]));
            }
            let proof = apply().await?;
            Ok((entry(Action::Created), proof))
        }
    }
}

pub(super) fn apply_params(m: &ResourceManager, dry_run: bool) -> PatchParams {
    PatchParams {
        dry_run,
        force: true,
        field_manager: Some(m.field_manager.clone()),
        ..Default::default()
    }
}

/// Whether an apply failed because an immutable field changed: kubectl's rule (a Conflict,
/// or an Invalid whose message says so), plus the wording of CEL rules and webhooks.
pub(crate) fn is_immutable(err: &kube::Error) -> bool {
    let message = api_message(err);
    immutable_message(api_status(err), &message)
}

pub(crate) fn immutable_message(status: Option<(u16, &str)>, message: &str) -> bool {
    let says_immutable = message.contains("is immutable")
        || message.contains("immutable field")
        || message.contains("field is immutable")
        || message.contains("may not change once set")
        || message.contains("Forbidden: updates to");
    match status {
        Some((409, _)) => true,
        Some((422, _)) => says_immutable,
        _ => says_immutable,
    }
}

/// Flux's wording of a dry-run failure, plus how to recreate the object when an immutable
/// field is the cause.
pub(super) fn dry_run_failure(r: &ObjectRef, err: &kube::Error) -> ObjectFailure {
    let msg = api_message(err);
    let mut line = match api_status(err) {
        Some((404, _)) if r.namespace.is_empty() => format!("{r} namespace not specified: {msg}"),
        Some((404, _)) => format!("{r} not found: {msg}"),
        Some((_, reason)) if !reason.is_empty() => format!("{r} dry-run failed ({reason}): {msg}"),
        _ => format!("{r} dry-run failed: {msg}"),
    };
    if is_immutable(err) {
        line.push_str(&format!(
            " (to recreate the object, set the Kustomization's spec.force: true or annotate it \
             {POLICY_PREFIX}/force: Enabled)"
        ));
    }
    ObjectFailure {
        object: r.clone(),
        message: line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_immutable_field_errors() {
        let clusterip = "Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.0.0.9\"}: may not change once set";
        assert!(immutable_message(Some((422, "Invalid")), clusterip));
        let job = "Job.batch \"j\" is invalid: spec.template: Invalid value: core.PodTemplateSpec{}: field is immutable";
        assert!(immutable_message(Some((422, "Invalid")), job));
        assert!(immutable_message(
            Some((409, "Conflict")),
            "the object has been modified"
        ));
        assert!(!immutable_message(
            Some((422, "Invalid")),
            "spec.replicas: Invalid value: -1"
        ));
        assert!(immutable_message(
            Some((400, "BadRequest")),
            "admission webhook: field x is immutable"
        ));
    }

    #[test]
    fn reads_what_a_crd_defines() {
        let crd = serde_json::json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "spec": {"group": "example.com", "names": {"kind": "Widget"}}
        });
        assert_eq!(
            crd_defines(&crd),
            Some(("example.com".into(), "Widget".into()))
        );
        assert_eq!(crd_defines(&serde_json::json!({"kind": "ConfigMap"})), None);
    }
}

//! kustomize's name-reference transformer: after names change (prefix, suffix) or namespaces
//! change, every field that refers to a resource by an earlier name gets its current name.
//! Semantics follow kustomize's `api/filters/nameref` and the builtin `nameReference` field
//! specs (`api/internal/konfig/builtinpluginconsts/namereference.go`, kustomize v5.5).

use serde_json::Value;

use super::fieldspec::{self, CreateKind, FieldSpec};
use crate::error::{Error, Result};
use crate::resource::{Gvk, PrevId, Resource};

/// The builtin table: `(target group, target version, target kind, referrer group, referrer
/// version, referrer kind, path)`, in kustomize's order (duplicates included).
#[rustfmt::skip]
const BUILTIN: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    // Deployment
    ("", "", "Deployment", "", "", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    // ReplicationController
    ("", "", "ReplicationController", "", "", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    // ReplicaSet
    ("", "", "ReplicaSet", "", "", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    // StatefulSet
    ("", "", "StatefulSet", "", "", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    // ConfigMap
    ("", "v1", "ConfigMap", "", "v1", "Pod", "spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "v1", "Pod", "spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "v1", "Pod", "spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "v1", "Pod", "spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "v1", "Pod", "spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "v1", "Pod", "spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "PodTemplate", "template/spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "PodTemplate", "template/spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "PodTemplate", "template/spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "PodTemplate", "template/spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "PodTemplate", "template/spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "PodTemplate", "template/spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "Deployment", "spec/template/spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "Deployment", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "Deployment", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "Deployment", "spec/template/spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "Deployment", "spec/template/spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "Deployment", "spec/template/spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "ReplicaSet", "spec/template/spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "ReplicaSet", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "ReplicaSet", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "ReplicaSet", "spec/template/spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "ReplicaSet", "spec/template/spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "ReplicaSet", "spec/template/spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "DaemonSet", "spec/template/spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "DaemonSet", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "DaemonSet", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "DaemonSet", "spec/template/spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "DaemonSet", "spec/template/spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "DaemonSet", "spec/template/spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "StatefulSet", "spec/template/spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "StatefulSet", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "StatefulSet", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "StatefulSet", "spec/template/spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "StatefulSet", "spec/template/spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "StatefulSet", "spec/template/spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "Job", "spec/template/spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "Job", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "Job", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "Job", "spec/template/spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "Job", "spec/template/spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "Job", "spec/template/spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/volumes/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name"),
    ("", "v1", "ConfigMap", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name"),
    ("", "v1", "ConfigMap", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name"),
    ("", "v1", "ConfigMap", "", "", "Node", "spec/configSource/configMap"),
    ("", "v1", "ConfigMap", "", "", "Role", "rules/resourceNames"),
    ("", "v1", "ConfigMap", "", "", "ClusterRole", "rules/resourceNames"),
    ("", "v1", "ConfigMap", "", "", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap"),
    // Secret
    ("", "v1", "Secret", "", "v1", "Pod", "spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "v1", "Pod", "spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "v1", "Pod", "spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "v1", "Pod", "spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "v1", "Pod", "spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "v1", "Pod", "spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "v1", "Pod", "spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "PodTemplate", "template/spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "", "PodTemplate", "template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "PodTemplate", "template/spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "PodTemplate", "template/spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "PodTemplate", "template/spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "PodTemplate", "template/spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "PodTemplate", "template/spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "Deployment", "spec/template/spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "", "Deployment", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "Deployment", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "Deployment", "spec/template/spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "Deployment", "spec/template/spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "Deployment", "spec/template/spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "Deployment", "spec/template/spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "ReplicaSet", "spec/template/spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "", "ReplicaSet", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "ReplicaSet", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "ReplicaSet", "spec/template/spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "ReplicaSet", "spec/template/spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "ReplicaSet", "spec/template/spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "ReplicaSet", "spec/template/spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "DaemonSet", "spec/template/spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "", "DaemonSet", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "DaemonSet", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "DaemonSet", "spec/template/spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "DaemonSet", "spec/template/spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "DaemonSet", "spec/template/spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "DaemonSet", "spec/template/spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "StatefulSet", "spec/template/spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "", "StatefulSet", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "StatefulSet", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "StatefulSet", "spec/template/spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "StatefulSet", "spec/template/spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "StatefulSet", "spec/template/spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "StatefulSet", "spec/template/spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "Job", "spec/template/spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "", "Job", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "Job", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "Job", "spec/template/spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "Job", "spec/template/spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "Job", "spec/template/spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "Job", "spec/template/spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/volumes/secret/secretName"),
    ("", "v1", "Secret", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name"),
    ("", "v1", "Secret", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name"),
    ("", "v1", "Secret", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "Ingress", "spec/tls/secretName"),
    ("", "v1", "Secret", "", "", "Ingress", "metadata/annotations/ingress.kubernetes.io\\/auth-secret"),
    ("", "v1", "Secret", "", "", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"),
    ("", "v1", "Secret", "", "", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret"),
    ("", "v1", "Secret", "", "", "Ingress", "spec/tls/secretName"),
    ("", "v1", "Secret", "", "", "ServiceAccount", "imagePullSecrets/name"),
    ("", "v1", "Secret", "", "", "StorageClass", "parameters/secretName"),
    ("", "v1", "Secret", "", "", "StorageClass", "parameters/adminSecretName"),
    ("", "v1", "Secret", "", "", "StorageClass", "parameters/userSecretName"),
    ("", "v1", "Secret", "", "", "StorageClass", "parameters/secretRef"),
    ("", "v1", "Secret", "", "", "Role", "rules/resourceNames"),
    ("", "v1", "Secret", "", "", "ClusterRole", "rules/resourceNames"),
    ("", "v1", "Secret", "serving.knative.dev", "v1", "Service", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
    ("", "v1", "Secret", "", "", "PersistentVolume", "spec/azureFile/secretName"),
    // Service
    ("", "v1", "Service", "apps", "", "StatefulSet", "spec/serviceName"),
    ("", "v1", "Service", "", "", "Ingress", "spec/rules/http/paths/backend/serviceName"),
    ("", "v1", "Service", "", "", "Ingress", "spec/backend/serviceName"),
    ("", "v1", "Service", "", "", "Ingress", "spec/rules/http/paths/backend/service/name"),
    ("", "v1", "Service", "", "", "Ingress", "spec/defaultBackend/service/name"),
    ("", "v1", "Service", "apiregistration.k8s.io", "", "APIService", "spec/service/name"),
    ("", "v1", "Service", "admissionregistration.k8s.io", "", "ValidatingWebhookConfiguration", "webhooks/clientConfig/service"),
    ("", "v1", "Service", "admissionregistration.k8s.io", "", "MutatingWebhookConfiguration", "webhooks/clientConfig/service"),
    // Role
    ("rbac.authorization.k8s.io", "", "Role", "rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name"),
    // ClusterRole
    ("rbac.authorization.k8s.io", "", "ClusterRole", "rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name"),
    ("rbac.authorization.k8s.io", "", "ClusterRole", "rbac.authorization.k8s.io", "", "ClusterRoleBinding", "roleRef/name"),
    // ServiceAccount
    ("", "v1", "ServiceAccount", "rbac.authorization.k8s.io", "", "RoleBinding", "subjects"),
    ("", "v1", "ServiceAccount", "rbac.authorization.k8s.io", "", "ClusterRoleBinding", "subjects"),
    ("", "v1", "ServiceAccount", "", "", "Pod", "spec/serviceAccountName"),
    ("", "v1", "ServiceAccount", "", "", "StatefulSet", "spec/template/spec/serviceAccountName"),
    ("", "v1", "ServiceAccount", "", "", "Deployment", "spec/template/spec/serviceAccountName"),
    ("", "v1", "ServiceAccount", "", "", "ReplicationController", "spec/template/spec/serviceAccountName"),
    ("", "v1", "ServiceAccount", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/serviceAccountName"),
    ("", "v1", "ServiceAccount", "", "", "Job", "spec/template/spec/serviceAccountName"),
    ("", "v1", "ServiceAccount", "", "", "DaemonSet", "spec/template/spec/serviceAccountName"),
    // PersistentVolumeClaim
    ("", "v1", "PersistentVolumeClaim", "", "", "Pod", "spec/volumes/persistentVolumeClaim/claimName"),
    ("", "v1", "PersistentVolumeClaim", "", "", "StatefulSet", "spec/template/spec/volumes/persistentVolumeClaim/claimName"),
    ("", "v1", "PersistentVolumeClaim", "", "", "Deployment", "spec/template/spec/volumes/persistentVolumeClaim/claimName"),
    ("", "v1", "PersistentVolumeClaim", "", "", "ReplicationController", "spec/template/spec/volumes/persistentVolumeClaim/claimName"),
    ("", "v1", "PersistentVolumeClaim", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName"),
    ("", "v1", "PersistentVolumeClaim", "", "", "Job", "spec/template/spec/volumes/persistentVolumeClaim/claimName"),
    ("", "v1", "PersistentVolumeClaim", "", "", "DaemonSet", "spec/template/spec/volumes/persistentVolumeClaim/claimName"),
    // PersistentVolume
    ("", "v1", "PersistentVolume", "", "", "PersistentVolumeClaim", "spec/volumeName"),
    ("", "v1", "PersistentVolume", "", "", "ClusterRole", "rules/resourceNames"),
    // StorageClass
    ("storage.k8s.io", "v1", "StorageClass", "", "", "PersistentVolume", "spec/storageClassName"),
    ("storage.k8s.io", "v1", "StorageClass", "", "", "PersistentVolumeClaim", "spec/storageClassName"),
    ("storage.k8s.io", "v1", "StorageClass", "", "", "StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName"),
    // PriorityClass
    ("scheduling.k8s.io", "v1", "PriorityClass", "", "", "Pod", "spec/priorityClassName"),
    ("scheduling.k8s.io", "v1", "PriorityClass", "", "", "StatefulSet", "spec/template/spec/priorityClassName"),
    ("scheduling.k8s.io", "v1", "PriorityClass", "", "", "Deployment", "spec/template/spec/priorityClassName"),
    ("scheduling.k8s.io", "v1", "PriorityClass", "", "", "ReplicationController", "spec/template/spec/priorityClassName"),
    ("scheduling.k8s.io", "v1", "PriorityClass", "", "", "CronJob", "spec/jobTemplate/spec/template/spec/priorityClassName"),
    ("scheduling.k8s.io", "v1", "PriorityClass", "", "", "Job", "spec/template/spec/priorityClassName"),
    ("scheduling.k8s.io", "v1", "PriorityClass", "", "", "DaemonSet", "spec/template/spec/priorityClassName"),
    // IngressClass
    ("networking.k8s.io/v1", "v1", "IngressClass", "", "", "Ingress", "spec/ingressClassName"),
    // ValidatingAdmissionPolicy
    ("admissionregistration.k8s.io", "", "ValidatingAdmissionPolicy", "admissionregistration.k8s.io", "", "ValidatingAdmissionPolicyBinding", "spec/policyName"),
];

/// One back reference: the kind of resource referred to and the field that refers to it.
#[derive(Debug, Clone)]
pub struct NameRef {
    /// The referral target (blank fields match anything).
    pub target: FieldSpec,
    /// The referring field.
    pub field: FieldSpec,
}

/// kustomize's builtin `nameReference` configuration.
pub fn builtin_specs() -> Vec<NameRef> {
    let spec = |group: &str, version: &str, kind: &str, path: &str| FieldSpec {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        path: path.into(),
        create: false,
    };
    BUILTIN
        .iter()
        .map(|(tg, tv, tk, g, v, k, p)| NameRef {
            target: spec(tg, tv, tk, ""),
            field: spec(g, v, k, p),
        })
        .collect()
}

/// What name resolution needs to know about a possible referral target.
#[derive(Debug, Clone)]
struct Candidate {
    gvk: Gvk,
    name: String,
    namespace: String,
    cluster_scoped: bool,
    previous: Vec<PrevId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Candidate {
    fn of(r: &Resource) -> Self {
        Self {
            gvk: r.gvk(),
            name: r.name().to_string(),
            namespace: r.namespace().to_string(),
            cluster_scoped: !r.is_namespaced(),
            previous: r.previous_ids().to_vec(),
            prefixes: r.name_prefixes().to_vec(),
            suffixes: r.name_suffixes().to_vec(),
        }
    }

    /// Whether an earlier id's GVK (the current group/version with the earlier kind) is
    /// selected by `sel`.
    fn previously_selected_by(&self, sel: &FieldSpec) -> bool {
        self.previous.iter().any(|p| {
            sel.selects(&Gvk {
                kind: p.kind.clone(),
                ..self.gvk.clone()
            })
        })
    }

    fn previously_named(&self, name: &str) -> bool {
        self.previous.iter().any(|p| p.name == name)
    }

    /// The original namespace as kustomize groups it (`EffectiveNamespace` of the `OrgId`).
    fn original_namespace_key(&self) -> &str {
        let ns = self
            .previous
            .first()
            .map_or(&self.namespace, |p| &p.namespace);
        effective_namespace(self.cluster_scoped, ns)
    }

    /// The current namespace as kustomize groups it.
    fn current_namespace_key(&self) -> &str {
        effective_namespace(self.cluster_scoped, &self.namespace)
    }
}

/// `resid.EffectiveNamespace`.
fn effective_namespace(cluster_scoped: bool, ns: &str) -> &str {
    if cluster_scoped {
        "_non_namespaceable_"
    } else if ns.is_empty() {
        "default"
    } else {
        ns
    }
}

/// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`.
fn id_string(gvk: &Gvk, name: &str, namespace: &str) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}/{name}.{}",
        gvk.kind,
        or(&gvk.version, "[noVer]"),
        or(&gvk.group, "[noGrp]"),
        or(namespace, "[noNs]")
    )
}

/// `resid.IsNsEquals`: `""` and `default` are the same namespace.
fn ns_equals(a: &str, b: &str) -> bool {
    let empty = |s: &str| s.is_empty() || s == "default";
    a == b || (empty(a) && empty(b))
}

/// kustomize's `utils.SameEndingSubSlice`: the shorter list ends the longer one, and an empty
/// list only equals an empty one.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long[long.len() - short.len()..] == *short
}

/// What the filter knows about the referrer while one of its fields is rewritten.
struct Referrer {
    namespace: String,
    cluster_scoped: bool,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    /// `roleRef`'s group and kind, when the field is a `roleRef/name`.
    role_ref: Option<FieldSpec>,
}

impl Referrer {
    /// kustomize's `selectReferral`: narrows the candidates down to one, or none; several
    /// that differ in name (and, for mappings, namespace) are an error.
    fn select<'c>(
        &self,
        old_name: &str,
        target: &FieldSpec,
        candidates: &[&'c Candidate],
        with_namespace: bool,
    ) -> Result<Option<&'c Candidate>> {
        let mut c: Vec<&Candidate> = candidates
            .iter()
            .copied()
            .filter(|c| c.previously_named(old_name))
            .filter(|c| c.previously_selected_by(target))
            .filter(|c| {
                self.role_ref
                    .as_ref()
                    .is_none_or(|rr| c.previously_selected_by(rr))
            })
            .filter(|c| {
                self.cluster_scoped
                    || c.cluster_scoped
                    || c.gvk.kind == "ServiceAccount"
                    || ns_equals(&self.namespace, &c.namespace)
            })
            .collect();
        if c.len() == 1 {
            return Ok(Some(c[0]));
        }
        c.retain(|c| {
            same_ending(&c.prefixes, &self.prefixes) && same_ending(&c.suffixes, &self.suffixes)
        });
        let identical = |a: &Candidate, b: &Candidate| {
            a.name == b.name && (!with_namespace || a.namespace == b.namespace)
        };
        match c.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            [first, rest @ ..] if rest.iter().all(|r| identical(first, r)) => Ok(Some(first)),
            _ => {
                let ids: Vec<String> = c
                    .iter()
                    .map(|c| id_string(&c.gvk, &c.name, &c.namespace))
                    .collect();
                Err(Error::Unsupported(format!(
                    "found multiple possible referrals: {}",
                    ids.join(", ")
                )))
            }
        }
    }

    fn set_scalar(
        &self,
        node: &mut Value,
        target: &FieldSpec,
        candidates: &[&Candidate],
    ) -> Result<()> {
        let Some(old) = node.as_str() else {
            return Ok(());
        };
        if let Some(referral) = self.select(old, target, candidates, false)? {
            *node = Value::String(referral.name.clone());
        }
        Ok(())
    }

    /// A mapping with `name` and perhaps `namespace` (RoleBinding subjects, webhook services).
    /// Like kustomize, a subject's `kind` is not consulted.
    fn set_mapping(
        &self,
        node: &mut Value,
        target: &FieldSpec,
        candidates: &[&Candidate],
    ) -> Result<()> {
        let Some(map) = node.as_object_mut() else {
            return Ok(());
        };
        let Some(old) = map.get("name").and_then(Value::as_str).map(str::to_string) else {
            return Err(Error::Unsupported(
                "path config error; no 'name' field in node".into(),
            ));
        };
        let narrowed: Vec<&Candidate>;
        let candidates = match map.get("namespace").and_then(Value::as_str) {
            None => candidates,
            Some(ns) => {
                let by_original: Vec<&Candidate> = candidates
                    .iter()
                    .copied()
                    .filter(|c| c.original_namespace_key() == ns)
                    .collect();
                narrowed = if by_original.is_empty() {
                    candidates
                        .iter()
                        .copied()
                        .filter(|c| c.current_namespace_key() == ns)
                        .collect()
                } else {
                    by_original
                };
                &narrowed
            }
        };
        let Some(referral) = self.select(&old, target, candidates, true)? else {
            return Ok(());
        };
        map.insert("name".into(), Value::String(referral.name.clone()));
        if !referral.namespace.is_empty() {
            map.insert(
                "namespace".into(),
                Value::String(referral.namespace.clone()),
            );
        }
        Ok(())
    }

    fn set(&self, node: &mut Value, target: &FieldSpec, candidates: &[&Candidate]) -> Result<()> {
        match node {
            Value::Null => Ok(()),
            Value::String(_) => self.set_scalar(node, target, candidates),
            Value::Object(_) => self.set_mapping(node, target, candidates),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(_) => self.set_mapping(item, target, candidates)?,
                        _ => self.set_scalar(item, target, candidates)?,
                    }
                }
                Ok(())
            }
            _ => Err(Error::Unsupported(
                "node must be a scalar, sequence or map".into(),
            )),
        }
    }
}

/// kustomize's `SubsetThatCouldBeReferencedByResource`: same namespace, cluster-scoped, or
/// (for a RoleBinding) a namespace its ServiceAccount subjects name.
fn could_be_referenced<'c>(r: &Resource, all: &'c [Candidate]) -> Vec<&'c Candidate> {
    if !r.is_namespaced() {
        return all.iter().collect();
    }
    let mut subject_namespaces = Vec::new();
    if r.kind() == "RoleBinding"
        && let Some(Value::Array(subjects)) = r.value().get("subjects")
    {
        for s in subjects {
            if s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                && let Some(ns) = s.get("namespace").and_then(Value::as_str)
            {
                subject_namespaces.push(ns);
            }
        }
    }
    all.iter()
        .filter(|c| {
            c.cluster_scoped
                || ns_equals(&c.namespace, r.namespace())
                || subject_namespaces.contains(&c.namespace.as_str())
        })
        .collect()
}

/// `roleRef`'s group and kind as a selector (kustomize's `getRoleRefGvk`); `None` when either
/// is missing, which lets every candidate through.
fn role_ref_selector(r: &Resource) -> Option<FieldSpec> {
    let role_ref = r.value().get("roleRef")?;
    let group = role_ref.get("apiGroup")?.as_str().unwrap_or("");
    let kind = role_ref.get("kind")?.as_str().unwrap_or("");
    Some(FieldSpec {
        group: group.to_string(),
        version: String::new(),
        kind: kind.to_string(),
        path: String::new(),
        create: false,
    })
}

/// Rewrites every reference to an earlier name of a resource in `resources` to its current
/// name, using `specs` (normally [`builtin_specs`]). kustomize runs this once, after the
/// whole tree is accumulated (`FixBackReferences`).
pub fn apply(resources: &mut [Resource], specs: &[NameRef]) -> Result<()> {
    let all: Vec<Candidate> = resources.iter().map(Candidate::of).collect();
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        let applicable: Vec<&NameRef> = specs.iter().filter(|s| s.field.selects(&gvk)).collect();
        if applicable.is_empty() {
            continue;
        }
        let candidates = could_be_referenced(r, &all);
        let id = id_string(&gvk, r.name(), r.namespace());
        for spec in applicable {
            let referrer = Referrer {
                namespace: r.namespace().to_string(),
                cluster_scoped: !r.is_namespaced(),
                prefixes: r.name_prefixes().to_vec(),
                suffixes: r.name_suffixes().to_vec(),
                role_ref: if spec.field.path.ends_with("roleRef/name") {
                    role_ref_selector(r)
                } else {
                    None
                },
            };
            fieldspec::apply(r, &spec.field, CreateKind::Nothing, &mut |node| {
                referrer.set(node, &spec.target, &candidates)
            })
            .map_err(|e| {
                Error::Unsupported(format!(
                    "updating name reference in '{}' field of '{id}': {e}",
                    spec.field.path
                ))
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform;
    use serde_json::json;

    fn res(v: Value) -> Resource {
        Resource::from_value(v).unwrap()
    }

    fn fix(rs: &mut [Resource]) -> Result<()> {
        apply(rs, &builtin_specs())
    }

    #[test]
    fn config_map_and_service_account_refs_follow_prefix() {
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})),
            res(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}})),
            res(
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {
                    "serviceAccountName": "sa",
                    "volumes": [{"name": "v", "configMap": {"name": "cm"}},
                                {"name": "w", "configMap": {"name": "other"}}],
                    "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "cm"}}]}]
                }}}}),
            ),
        ];
        transform::prefix_suffix(&mut rs, "p-", "-s");
        fix(&mut rs).unwrap();
        let spec = &rs[2].value()["spec"]["template"]["spec"];
        assert_eq!(spec["serviceAccountName"], "p-sa-s");
        assert_eq!(spec["volumes"][0]["configMap"]["name"], "p-cm-s");
        assert_eq!(spec["volumes"][1]["configMap"]["name"], "other");
        assert_eq!(
            spec["containers"][0]["envFrom"][0]["configMapRef"]["name"],
            "p-cm-s"
        );
        assert_eq!(rs[0].previous_ids().len(), 2);
        assert!(rs[0].had_name("cm") && rs[0].had_name("p-cm"));
    }

    #[test]
    fn role_ref_respects_kind_and_subjects_get_namespace() {
        let mut rs = vec![
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": "r"}}),
            ),
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "r"}}),
            ),
            res(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}})),
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "rb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
                "subjects": [{"kind": "ServiceAccount", "name": "sa"}]}),
            ),
        ];
        transform::namespace(&mut rs, "ns");
        // Only the namespaced ones get the prefix here, to tell Role from ClusterRole.
        transform::prefix_suffix(&mut rs[..1], "a-", "");
        transform::prefix_suffix(&mut rs[2..], "a-", "");
        fix(&mut rs).unwrap();
        let rb = rs[3].value();
        assert_eq!(rb["roleRef"]["name"], "a-r");
        assert_eq!(rb["subjects"][0]["name"], "a-sa");
        assert_eq!(rb["subjects"][0]["namespace"], "ns");
    }

    #[test]
    fn other_namespaces_are_not_referrals() {
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "s", "namespace": "a"}})),
            res(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "namespace": "b"},
                "spec": {"imagePullSecrets": [{"name": "s"}]}})),
        ];
        transform::prefix_suffix(&mut rs[..1], "x-", "");
        fix(&mut rs).unwrap();
        assert_eq!(rs[1].value()["spec"]["imagePullSecrets"][0]["name"], "s");
    }

    #[test]
    fn ambiguous_referrals_are_an_error() {
        let sa = |ns: &str| {
            res(json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "sa", "namespace": ns}}))
        };
        let mut rs = vec![
            sa("a"),
            sa("b"),
            res(json!({"apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding", "metadata": {"name": "crb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "r"},
                "subjects": [{"kind": "ServiceAccount", "name": "sa"}]})),
        ];
        // Same name in two namespaces: a subject without a namespace cannot choose.
        transform::prefix_suffix(&mut rs, "x-", "");
        let err = fix(&mut rs).unwrap_err().to_string();
        assert!(err.contains("found multiple possible referrals"), "{err}");
        assert!(err.contains("ServiceAccount.v1.[noGrp]/x-sa.a"), "{err}");
    }

    #[test]
    fn escaped_slash_in_annotation_path() {
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "auth"}})),
            res(
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": "i", "annotations":
                    {"nginx.ingress.kubernetes.io/auth-secret": "auth"}}}),
            ),
        ];
        transform::prefix_suffix(&mut rs[..1], "", "-1");
        fix(&mut rs).unwrap();
        assert_eq!(
            rs[1].value()["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-secret"],
            "auth-1"
        );
    }

    #[test]
    fn same_ending_matches_kustomize() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&v(&[]), &v(&[])));
        assert!(!same_ending(&v(&[]), &v(&["a"])));
        assert!(same_ending(&v(&["a"]), &v(&["p", "a"])));
        assert!(!same_ending(&v(&["p"]), &v(&["p", "a"])));
    }
}

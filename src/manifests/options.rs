//! Install options, validated before anything is rendered or applied.

use std::collections::BTreeMap;

use super::labels;

/// The components tk installs. Names are Flux's, so Deployments, ServiceAccounts and
/// Services keep the names Flux users and tools look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    Source,
    Kustomize,
    Helm,
    Notification,
    /// Flagger's Canaries (`flagger.app/v1beta1`): an extra component, installed only when
    /// asked for, as Flux's image automation controllers are.
    Canary,
}

impl Component {
    /// The default set: what `tk install` installs without `--components`.
    pub const ALL: [Component; 4] = [
        Component::Source,
        Component::Kustomize,
        Component::Helm,
        Component::Notification,
    ];

    /// Components installed only when named, usually with `--components-extra`.
    pub const EXTRA: [Component; 1] = [Component::Canary];

    /// The Deployment / ServiceAccount name.
    pub fn name(self) -> &'static str {
        match self {
            Component::Source => "source-controller",
            Component::Kustomize => "kustomize-controller",
            Component::Helm => "helm-controller",
            Component::Notification => "notification-controller",
            Component::Canary => "canary-controller",
        }
    }

    /// The argument of `tk controller` that runs this component.
    pub fn controller(self) -> &'static str {
        self.name().trim_end_matches("-controller")
    }

    /// A default or an extra component by its name.
    pub fn from_name(name: &str) -> Option<Component> {
        Component::ALL
            .into_iter()
            .chain(Component::EXTRA)
            .find(|c| c.name() == name)
    }

    pub fn is_extra(self) -> bool {
        Component::EXTRA.contains(&self)
    }

    /// Reconcilers that apply arbitrary objects get cluster-admin, as in Flux.
    pub fn reconciles_workloads(self) -> bool {
        matches!(self, Component::Kustomize | Component::Helm)
    }

    /// Controllers of the toolkit's own kinds, bound to the `crd-controller` role; the
    /// canary controller gets a role of its own, Flagger's, instead.
    pub fn reconciles_toolkit_kinds(self) -> bool {
        !matches!(self, Component::Canary)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    #[error(
        "flag --components: unknown component {0:?}; valid components are {valid} and the extra {extra}",
        valid = names(&Component::ALL),
        extra = names(&Component::EXTRA)
    )]
    UnknownComponent(String),
    #[error(
        "flag --components-extra: {0:?} is not available in tk; the extra components tk offers are {extra}",
        extra = names(&Component::EXTRA)
    )]
    UnknownExtraComponent(String),
    #[error("flag --components: at least one component is required")]
    NoComponents,
    #[error(
        "flag --version: this tk binary installs {ours}, not {0}; run the tk binary of that version instead",
        ours = crate::VERSION
    )]
    VersionMismatch(String),
    #[error("flag --{0}: {1:?} is not a valid value: {2}")]
    Invalid(&'static str, String, &'static str),
}

fn names(components: &[Component]) -> String {
    components
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOptions {
    pub namespace: String,
    pub components: Vec<Component>,
    pub registry: String,
    pub version: String,
    pub image_pull_secret: Option<String>,
    pub watch_all_namespaces: bool,
    pub network_policy: bool,
    pub log_level: String,
    pub cluster_domain: String,
    pub toleration_keys: Vec<String>,
}

impl InstallOptions {
    pub fn defaults(namespace: &str) -> Self {
        Self {
            namespace: namespace.to_string(),
            components: Component::ALL.to_vec(),
            registry: "ghcr.io/tk-gitops".into(),
            version: crate::VERSION.into(),
            image_pull_secret: None,
            watch_all_namespaces: true,
            network_policy: true,
            log_level: "info".into(),
            cluster_domain: "cluster.local".into(),
            toleration_keys: Vec::new(),
        }
    }

    /// Resolves `--components` (`None` when not given: then `defaults`) and
    /// `--components-extra` as Flux does: the union of both lists, either of which may name any
    /// component tk offers, default or extra. Unknown names are refused, naming the flag and
    /// what tk offers; the result is in a stable order.
    pub fn parse_components(
        names: Option<&[String]>,
        extra: &[String],
        defaults: &[Component],
    ) -> Result<Vec<Component>, OptionsError> {
        let mut components = match names {
            Some(names) => parse_names(names, OptionsError::UnknownComponent)?,
            None => defaults.to_vec(),
        };
        components.extend(parse_names(extra, OptionsError::UnknownExtraComponent)?);
        components.sort();
        components.dedup();
        // `tk upgrade` of an installation whose only Deployments are ones tk no longer ships
        // has empty defaults; it proceeds and prunes them.
        if components.is_empty() && names.is_some() {
            return Err(OptionsError::NoComponents);
        }
        Ok(components)
    }

    /// Checks the free-form options; component names are checked by `parse_components`.
    pub fn validate(&self) -> Result<(), OptionsError> {
        let wanted = self.version.trim_start_matches('v');
        if wanted != crate::VERSION.trim_start_matches('v') {
            return Err(OptionsError::VersionMismatch(self.version.clone()));
        }
        if !is_dns_subdomain(&self.namespace) {
            return Err(OptionsError::Invalid(
                "namespace",
                self.namespace.clone(),
                "use a lowercase DNS label such as flux-system",
            ));
        }
        if !is_dns_subdomain(&self.cluster_domain) {
            return Err(OptionsError::Invalid(
                "cluster-domain",
                self.cluster_domain.clone(),
                "use a DNS name such as cluster.local",
            ));
        }
        if self.registry.is_empty()
            || self.registry.contains(char::is_whitespace)
            || self.registry.ends_with('/')
        {
            return Err(OptionsError::Invalid(
                "registry",
                self.registry.clone(),
                "use a registry path such as ghcr.io/tk-gitops",
            ));
        }
        if let Some(secret) = &self.image_pull_secret
            && !is_dns_subdomain(secret)
        {
            return Err(OptionsError::Invalid(
                "image-pull-secret",
                secret.clone(),
                "use the name of a Secret in the install namespace",
            ));
        }
        if let Some(key) = self.toleration_keys.iter().find(|k| !is_label_key(k)) {
            return Err(OptionsError::Invalid(
                "toleration-keys",
                key.clone(),
                "use taint keys such as node.kubernetes.io/unreachable",
            ));
        }
        Ok(())
    }

    pub fn has(&self, component: Component) -> bool {
        self.components.contains(&component)
    }

    /// The controller image; one image serves every component.
    pub fn image(&self) -> String {
        format!("{}/tk:{}", self.registry, self.version)
    }

    /// Where controllers post events, when the notification controller is installed.
    pub fn events_addr(&self) -> Option<String> {
        self.has(Component::Notification).then(|| {
            format!(
                "http://notification-controller.{}.svc.{}./",
                self.namespace, self.cluster_domain
            )
        })
    }

    /// Labels for an object of the installation, or of one component.
    pub fn labels(&self, component: Option<Component>) -> BTreeMap<String, String> {
        let mut map = BTreeMap::from([
            (
                labels::PART_OF.to_string(),
                labels::PART_OF_VALUE.to_string(),
            ),
            (labels::INSTANCE.to_string(), self.namespace.clone()),
            (labels::VERSION.to_string(), self.version.clone()),
            (
                labels::MANAGED_BY.to_string(),
                labels::MANAGED_BY_VALUE.to_string(),
            ),
        ]);
        if let Some(component) = component {
            map.insert(labels::COMPONENT.into(), component.name().into());
        }
        map
    }
}

fn parse_names(
    names: &[String],
    unknown: fn(String) -> OptionsError,
) -> Result<Vec<Component>, OptionsError> {
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|name| Component::from_name(name).ok_or_else(|| unknown(name.into())))
        .collect()
}

fn is_dns_subdomain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    prefix.is_none_or(is_dns_subdomain)
        && !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_components_in_stable_order() {
        let parsed = InstallOptions::parse_components(
            Some(&names(&["helm-controller", "source-controller"])),
            &[],
            &Component::ALL,
        )
        .unwrap();
        assert_eq!(parsed, vec![Component::Source, Component::Helm]);
    }

    #[test]
    fn canary_controller_is_an_extra_component() {
        assert!(!Component::ALL.contains(&Component::Canary));
        assert!(Component::Canary.is_extra());
        assert_eq!(
            Component::from_name("canary-controller"),
            Some(Component::Canary)
        );
        assert_eq!(Component::Canary.controller(), "canary");
        assert_eq!(
            InstallOptions::defaults("flux-system").components,
            Component::ALL
        );
    }

    #[test]
    fn extra_components_are_installed_besides_the_defaults() {
        let parsed =
            InstallOptions::parse_components(None, &names(&["canary-controller"]), &Component::ALL)
                .unwrap();
        let mut want = Component::ALL.to_vec();
        want.push(Component::Canary);
        assert_eq!(parsed, want);
        // Besides an explicit list too; a name given twice counts once.
        let parsed = InstallOptions::parse_components(
            Some(&names(&["source-controller"])),
            &names(&["canary-controller", "source-controller"]),
            &Component::ALL,
        )
        .unwrap();
        assert_eq!(parsed, vec![Component::Source, Component::Canary]);
    }

    #[test]
    fn components_may_name_an_extra_as_flux_allows() {
        let parsed = InstallOptions::parse_components(
            Some(&names(&["canary-controller"])),
            &[],
            &Component::ALL,
        )
        .unwrap();
        assert_eq!(parsed, vec![Component::Canary]);
    }

    #[test]
    fn refuses_unknown_components_naming_the_valid_ones() {
        let err = InstallOptions::parse_components(
            Some(&names(&["sauce-controller"])),
            &[],
            &Component::ALL,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("--components") && text.contains("sauce-controller"),
            "{text}"
        );
        assert!(
            text.contains("source-controller, kustomize-controller")
                && text.contains("canary-controller"),
            "{text}"
        );
        // Flux's image automation controllers are extras tk does not offer.
        for extra in ["image-reflector-controller", "image-automation-controller"] {
            let err = InstallOptions::parse_components(
                Some(&names(&["source-controller"])),
                &names(&[extra]),
                &Component::ALL,
            )
            .unwrap_err();
            assert_eq!(err, OptionsError::UnknownExtraComponent(extra.into()));
            let text = err.to_string();
            assert!(
                text.contains("--components-extra")
                    && text.contains(extra)
                    && text.contains("canary-controller"),
                "{text}"
            );
        }
        assert_eq!(
            InstallOptions::parse_components(Some(&[]), &[], &Component::ALL),
            Err(OptionsError::NoComponents)
        );
    }

    #[test]
    fn refuses_bad_free_form_options() {
        let base = InstallOptions::defaults("flux-system");
        assert_eq!(base.validate(), Ok(()));
        type Mutation = fn(&mut InstallOptions);
        let cases: [(&str, Mutation); 6] = [
            ("version", |o| o.version = "v9.9.9".into()),
            ("namespace", |o| o.namespace = "Flux_System".into()),
            ("cluster-domain", |o| o.cluster_domain = "bad domain".into()),
            ("registry", |o| o.registry = "ghcr.io/x/".into()),
            ("image-pull-secret", |o| {
                o.image_pull_secret = Some("Bad!".into())
            }),
            ("toleration-keys", |o| {
                o.toleration_keys = vec!["-bad".into()]
            }),
        ];
        for (flag, mutate) in cases {
            let mut options = base.clone();
            mutate(&mut options);
            let err = options.validate().unwrap_err().to_string();
            assert!(err.contains(&format!("--{flag}")), "{flag}: {err}");
        }
    }

    #[test]
    fn version_is_accepted_with_or_without_v() {
        let mut options = InstallOptions::defaults("flux-system");
        options.version = crate::VERSION.trim_start_matches('v').into();
        assert_eq!(options.validate(), Ok(()));
    }
}

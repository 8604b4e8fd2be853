# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tk_global_optspecs
    string join \n kubeconfig= context= n/namespace= timeout= verbose h/help V/version
end

function __fish_tk_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tk_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tk_using_subcommand
    set -l cmd (__fish_tk_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tk -n "__fish_tk_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_needs_command" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_needs_command" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_needs_command" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_needs_command" -s V -l version -d 'Print version'
complete -c tk -n "__fish_tk_needs_command" -f -a "version" -d 'Print the version of tk and of the installed components'
complete -c tk -n "__fish_tk_needs_command" -f -a "install" -d 'Install tk\'s components and CRDs on a cluster'
complete -c tk -n "__fish_tk_needs_command" -f -a "upgrade" -d 'Upgrade the installed components to this version of tk'
complete -c tk -n "__fish_tk_needs_command" -f -a "check" -d 'Check the cluster meets tk\'s requirements, or that an installation is healthy'
complete -c tk -n "__fish_tk_needs_command" -f -a "uninstall" -d 'Remove tk\'s components, CRDs and custom resources from a cluster'
complete -c tk -n "__fish_tk_needs_command" -f -a "completion" -d 'Generate a shell completion script'
complete -c tk -n "__fish_tk_needs_command" -f -a "create" -d 'Create or update sources, secrets, Kustomizations, HelmReleases, alerts, receivers and canaries'
complete -c tk -n "__fish_tk_needs_command" -f -a "get" -d 'Print the status of sources, Kustomizations, HelmReleases, alerts, receivers and canaries'
complete -c tk -n "__fish_tk_needs_command" -f -a "reconcile" -d 'Ask for an immediate reconcile and wait for it'
complete -c tk -n "__fish_tk_needs_command" -f -a "suspend" -d 'Stop reconciling sources, Kustomizations, HelmReleases, alerts, receivers and canaries'
complete -c tk -n "__fish_tk_needs_command" -f -a "resume" -d 'Reconcile suspended sources, Kustomizations, HelmReleases, alerts, receivers and canaries again'
complete -c tk -n "__fish_tk_needs_command" -f -a "promote" -d 'Approve the promotion of a canary\'s revision under analysis'
complete -c tk -n "__fish_tk_needs_command" -f -a "delete" -d 'Delete sources, Kustomizations, HelmReleases, alerts, receivers and canaries'
complete -c tk -n "__fish_tk_needs_command" -f -a "export" -d 'Print sources, Kustomizations, HelmReleases, alerts, receivers and canaries as YAML that can be applied again'
complete -c tk -n "__fish_tk_needs_command" -f -a "kustomize" -d 'Build kustomizations locally, as `kustomize build` does'
complete -c tk -n "__fish_tk_needs_command" -f -a "helm" -d 'Render Helm charts locally, as `helm template` does'
complete -c tk -n "__fish_tk_needs_command" -f -a "build" -d 'Build a Kustomization\'s manifests locally, as the controller would'
complete -c tk -n "__fish_tk_needs_command" -f -a "diff" -d 'Diff a Kustomization\'s local manifests against the cluster'
complete -c tk -n "__fish_tk_needs_command" -f -a "tree" -d 'Print the objects a Kustomization applied, as a tree'
complete -c tk -n "__fish_tk_needs_command" -f -a "events" -d 'Print the Kubernetes events of Flux objects'
complete -c tk -n "__fish_tk_needs_command" -f -a "bootstrap" -d 'Put a cluster under GitOps: commit tk\'s manifests to a Git repository, install tk and make the cluster reconcile itself from that repository'
complete -c tk -n "__fish_tk_needs_command" -f -a "controller" -d 'Run a controller (in-cluster, or locally against a kubeconfig)'
complete -c tk -n "__fish_tk_needs_command" -f -a "docs" -d 'Write the markdown reference for every command into a directory'
complete -c tk -n "__fish_tk_needs_command" -f -a "crds" -d 'Print the CRDs generated from the API types, as JSON (for hack/generated.sh)'
complete -c tk -n "__fish_tk_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand version" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand version" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand version" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand version" -l client -d 'Print only the client version, without contacting the cluster'
complete -c tk -n "__fish_tk_using_subcommand version" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand version" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand install" -l components -d 'Components to install, comma-separated (default: source-controller, kustomize-controller, helm-controller, notification-controller; `tk upgrade` keeps the installed set)' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l components-extra -d 'Components to install in addition to those given or defaulted, comma-separated: canary-controller (Flagger\'s Canary, MetricTemplate and AlertProvider)' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l registry -d 'Container registry the controller image is pulled from' -r
complete -c tk -n "__fish_tk_using_subcommand install" -s v -l version -d 'Version of the components to install (must match this binary)' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l image-pull-secret -d 'Name of a Secret in the install namespace used to pull the image' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l watch-all-namespaces -d 'Reconcile custom resources in all namespaces (false: only the install namespace)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand install" -l network-policy -d 'Deny ingress to the components from outside the namespace, except webhooks and metrics' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand install" -l log-level -d 'Log level of the controllers' -r -f -a "debug\t''
info\t''
error\t''"
complete -c tk -n "__fish_tk_using_subcommand install" -l cluster-domain -d 'Internal cluster domain, used for the events address' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l toleration-keys -d 'Toleration keys added to the controller pods (comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand install" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand install" -l export -d 'Print the manifests as YAML instead of applying them'
complete -c tk -n "__fish_tk_using_subcommand install" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand install" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l components -d 'Components to install, comma-separated (default: source-controller, kustomize-controller, helm-controller, notification-controller; `tk upgrade` keeps the installed set)' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l components-extra -d 'Components to install in addition to those given or defaulted, comma-separated: canary-controller (Flagger\'s Canary, MetricTemplate and AlertProvider)' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l registry -d 'Container registry the controller image is pulled from' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -s v -l version -d 'Version of the components to install (must match this binary)' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l image-pull-secret -d 'Name of a Secret in the install namespace used to pull the image' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l watch-all-namespaces -d 'Reconcile custom resources in all namespaces (false: only the install namespace)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l network-policy -d 'Deny ingress to the components from outside the namespace, except webhooks and metrics' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l log-level -d 'Log level of the controllers' -r -f -a "debug\t''
info\t''
error\t''"
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l cluster-domain -d 'Internal cluster domain, used for the events address' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l toleration-keys -d 'Toleration keys added to the controller pods (comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l export -d 'Print the manifests as YAML instead of applying them'
complete -c tk -n "__fish_tk_using_subcommand upgrade" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand upgrade" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand check" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand check" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand check" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand check" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand check" -l pre -d 'Only check the prerequisites of an installation'
complete -c tk -n "__fish_tk_using_subcommand check" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand check" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand uninstall" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand uninstall" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand uninstall" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand uninstall" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand uninstall" -l keep-namespace -d 'Leave the namespace in place'
complete -c tk -n "__fish_tk_using_subcommand uninstall" -l dry-run -d 'Print what would be deleted, delete nothing'
complete -c tk -n "__fish_tk_using_subcommand uninstall" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand uninstall" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand uninstall" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand completion" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand completion" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand completion" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand completion" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand completion" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "source" -d 'Create or update sources'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "secret" -d 'Create or update Kubernetes secrets for sources'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "kustomization" -d 'Create or update a Kustomization and wait for it to be applied'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "ks" -d 'Create or update a Kustomization and wait for it to be applied'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "helmrelease" -d 'Create or update a HelmRelease and wait for it to be released'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "hr" -d 'Create or update a HelmRelease and wait for it to be released'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "tenant" -d 'Create or update a tenant: its namespaces, service accounts and role bindings'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "alert-provider" -d 'Create or update a Provider: where alerts are sent'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "alert" -d 'Create or update an Alert: which events of which objects go to a Provider'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "receiver" -d 'Create or update a Receiver and print its webhook URL path'
complete -c tk -n "__fish_tk_using_subcommand create; and not __fish_seen_subcommand_from source secret kustomization ks helmrelease hr tenant alert-provider alert receiver canary" -f -a "canary" -d 'Create or update a Canary and wait for the canary controller to initialize it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -f -a "git" -d 'Create or update a GitRepository source and wait for its first artifact'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -f -a "helm" -d 'Create or update a HelmRepository source and wait for it to fetch the index'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -f -a "chart" -d 'Create or update a HelmChart source and wait for the chart to be available'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -f -a "oci" -d 'Create or update an OCIRepository source and wait for its first artifact'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from source" -f -a "bucket" -d 'Create or update a Bucket source and wait for its first artifact'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "git" -d 'Create or update a Secret with Git credentials (SSH key and known_hosts, basic auth or a bearer token)'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "helm" -d 'Create or update a Secret with Helm repository credentials (basic auth and TLS certificates)'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "oci" -d 'Create or update a docker-registry Secret with registry credentials, for OCIRepository sources'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l source -d 'Source with the manifests, as [<kind>/]<name>[.<namespace>]; kind is one of OCIRepository, GitRepository (the default) or Bucket' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l path -d 'Path to the directory with the kustomization.yaml, relative to the source\'s root' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l prune -d 'Delete objects that are removed from the source (garbage collection)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l wait -d 'Wait for every applied object to become ready (health checks are then ignored)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l health-check -d 'Workload whose health gates readiness, as <kind>/<name>.<namespace>; kind is one of Deployment, DaemonSet, StatefulSet or HelmRelease (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l health-check-timeout -d 'Timeout of health checking, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l depends-on -d 'Kustomization that must be ready first, as [<namespace>/]<name> (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l service-account -d 'ServiceAccount to impersonate when applying' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l target-namespace -d 'Namespace set on every namespaced object the Kustomization applies' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l decryption-provider -d 'Decryption provider for SOPS-encrypted manifests: sops' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l decryption-secret -d 'Secret with the keys for SOPS decryption (with --decryption-provider)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l kubeconfig-secret-ref -d 'Secret with a kubeconfig for applying to a remote cluster' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l retry-interval -d 'Interval between retries after a failed reconcile, as a Go duration (default: --interval)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l interval -d 'How often the Kustomization is reconciled, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l export -d 'Print the Kustomization as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l source -d 'Source with the manifests, as [<kind>/]<name>[.<namespace>]; kind is one of OCIRepository, GitRepository (the default) or Bucket' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l path -d 'Path to the directory with the kustomization.yaml, relative to the source\'s root' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l prune -d 'Delete objects that are removed from the source (garbage collection)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l wait -d 'Wait for every applied object to become ready (health checks are then ignored)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l health-check -d 'Workload whose health gates readiness, as <kind>/<name>.<namespace>; kind is one of Deployment, DaemonSet, StatefulSet or HelmRelease (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l health-check-timeout -d 'Timeout of health checking, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l depends-on -d 'Kustomization that must be ready first, as [<namespace>/]<name> (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l service-account -d 'ServiceAccount to impersonate when applying' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l target-namespace -d 'Namespace set on every namespaced object the Kustomization applies' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l decryption-provider -d 'Decryption provider for SOPS-encrypted manifests: sops' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l decryption-secret -d 'Secret with the keys for SOPS decryption (with --decryption-provider)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l kubeconfig-secret-ref -d 'Secret with a kubeconfig for applying to a remote cluster' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l retry-interval -d 'Interval between retries after a failed reconcile, as a Go duration (default: --interval)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l interval -d 'How often the Kustomization is reconciled, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l export -d 'Print the Kustomization as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l source -d 'Source holding the chart, as <kind>/<name>[.<namespace>]; kind is one of HelmRepository, GitRepository or Bucket (with --chart)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l chart -d 'Chart name (HelmRepository) or path of the chart directory (GitRepository, Bucket)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l chart-version -d 'Chart version or semver range (ignored for charts from GitRepository and Bucket sources)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l chart-ref -d 'An existing object holding the chart, as <kind>/<name>[.<namespace>]; kind is one of OCIRepository or HelmChart (instead of --source and --chart)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l chart-interval -d 'How often the chart\'s source is checked for a new chart, as a Go duration (default: --interval)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l reconcile-strategy -d 'When the generated HelmChart builds a new artifact: on a new chart version, or on every new revision of the source (default: ChartVersion)' -r -f -a "ChartVersion\t''
Revision\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l release-name -d 'Helm release name (default: [<target-namespace>-]<name>)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l target-namespace -d 'Namespace the release is installed into (default: the HelmRelease\'s)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l create-target-namespace -d 'Create the target namespace on install if it does not exist' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l storage-namespace -d 'Namespace the Helm release storage is kept in (default: the HelmRelease\'s)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l depends-on -d 'HelmRelease that must be ready first, as [<namespace>/]<name> (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l service-account -d 'ServiceAccount to impersonate for the Helm actions' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l values -d 'Local values file, merged into spec.values in order (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l values-from -d 'ConfigMap or Secret whose values.yaml key holds values, as <kind>/<name>; kind is Secret or ConfigMap (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l crds -d 'What the chart\'s CRDs get on upgrade (install always creates them)' -r -f -a "Skip\t''
Create\t''
CreateReplace\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l kubeconfig-secret-ref -d 'Secret with a kubeconfig for releasing to a remote cluster' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l interval -d 'How often the release is reconciled, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l export -d 'Print the HelmRelease as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l source -d 'Source holding the chart, as <kind>/<name>[.<namespace>]; kind is one of HelmRepository, GitRepository or Bucket (with --chart)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l chart -d 'Chart name (HelmRepository) or path of the chart directory (GitRepository, Bucket)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l chart-version -d 'Chart version or semver range (ignored for charts from GitRepository and Bucket sources)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l chart-ref -d 'An existing object holding the chart, as <kind>/<name>[.<namespace>]; kind is one of OCIRepository or HelmChart (instead of --source and --chart)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l chart-interval -d 'How often the chart\'s source is checked for a new chart, as a Go duration (default: --interval)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l reconcile-strategy -d 'When the generated HelmChart builds a new artifact: on a new chart version, or on every new revision of the source (default: ChartVersion)' -r -f -a "ChartVersion\t''
Revision\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l release-name -d 'Helm release name (default: [<target-namespace>-]<name>)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l target-namespace -d 'Namespace the release is installed into (default: the HelmRelease\'s)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l create-target-namespace -d 'Create the target namespace on install if it does not exist' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l storage-namespace -d 'Namespace the Helm release storage is kept in (default: the HelmRelease\'s)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l depends-on -d 'HelmRelease that must be ready first, as [<namespace>/]<name> (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l service-account -d 'ServiceAccount to impersonate for the Helm actions' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l values -d 'Local values file, merged into spec.values in order (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l values-from -d 'ConfigMap or Secret whose values.yaml key holds values, as <kind>/<name>; kind is Secret or ConfigMap (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l crds -d 'What the chart\'s CRDs get on upgrade (install always creates them)' -r -f -a "Skip\t''
Create\t''
CreateReplace\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l kubeconfig-secret-ref -d 'Secret with a kubeconfig for releasing to a remote cluster' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l interval -d 'How often the release is reconciled, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l export -d 'Print the HelmRelease as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l with-namespace -d 'Namespace belonging to this tenant (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l cluster-role -d 'ClusterRole the tenant\'s role bindings grant in its namespaces' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l with-service-account -d 'ServiceAccount made in each namespace (default: the tenant\'s name)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l skip-namespace -d 'Do not create the namespaces: they must exist already'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l export -d 'Print the objects as YAML instead of applying them'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from tenant" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l type -d 'Type of provider (slack, msteams, discord, github, gitlab, generic, ...)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l channel -d 'Channel to send messages to in the case of a chat provider' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l username -d 'Bot username used by the provider' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l address -d 'Path to either the git repository, chat provider or webhook' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l secret-ref -d 'Name of the Secret containing the authentication token (or address)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l export -d 'Print the Provider as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert-provider" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l provider-ref -d 'Name of the Provider events are sent to' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l event-severity -d 'Severity of events to send alerts for: info (all events) or error' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l event-source -d 'Objects that should generate alerts, as <kind>/<name>[.<namespace>] or <kind>/* for all of a kind (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l export -d 'Print the Alert as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from alert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l type -d 'Type of receiver (generic, generic-hmac, github, gitlab, bitbucket, harbor, dockerhub, quay, gcr, nexus, acr, cdevents)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l event -d 'Event type the receiver accepts, e.g. push (comma-separated or repeated; default: all)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l resource -d 'Object to reconcile on a valid request, as <kind>/<name>[.<namespace>] or <kind>/* for all of a kind (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l secret-ref -d 'Name of the Secret whose `token` key secures the webhook' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l export -d 'Print the Receiver as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from receiver" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l target-ref -d 'The workload to roll out, as [<kind>/]<name> in the Canary\'s namespace; kind is Deployment (the default) or DaemonSet' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l provider -d 'Traffic management provider (default: the controller\'s --mesh-provider): kubernetes, gatewayapi:v1, istio, linkerd, smi:v1alpha2, ... (Flagger\'s list)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l port -d 'Port of the Services generated for the target (spec.service.port)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l target-port -d 'Container port the Services send to, by number or name (default: --port)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l gateway-ref -d 'Gateway the generated HTTPRoute attaches to, as [<namespace>/]<name> (gatewayapi providers; comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l host -d 'Host name routed to the target (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l interval -d 'Time between the checks of an analysis, in seconds or minutes (30s, 1m)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l threshold -d 'Failed checks before the canary is rolled back' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l step-weight -d 'Percentage of traffic added to the canary at each step' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l max-weight -d 'Highest percentage of traffic routed to the canary, with --step-weight (default 100)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l step-weights -d 'The canary\'s percentage of traffic at each step, increasing (comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l iterations -d 'Checks to run without shifting traffic (A/B testing, blue/green), instead of weights' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l metric -d 'A built-in metric check: request-success-rate=MIN (percent) or request-duration=MAX (milliseconds) (repeatable)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l metric-template -d 'A check of a MetricTemplate\'s query, as [<namespace>/]<name>:<min>:<max>; leave the bound that does not apply empty, as in error-rate::1 (repeatable)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l webhook -d 'A webhook, as <type>=<url>, named after its type; type is one of rollout, pre-rollout, post-rollout, confirm-rollout, confirm-promotion, confirm-traffic-increase, event or rollback (repeatable)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l metrics-server -d 'Prometheus address the built-in metrics are queried from (default: the controller\'s --metrics-server)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l label -d 'Label to set, as key=value (comma-separated or repeated)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l wait -d 'Wait for the controller to initialize the Canary' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l export -d 'Print the Canary as YAML instead of applying it'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand create; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "sources" -d 'Print the status of sources'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "source" -d 'Print the status of sources'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "kustomizations" -d 'Print the status of Kustomizations'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "kustomization" -d 'Print the status of Kustomizations'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "ks" -d 'Print the status of Kustomizations'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "helmreleases" -d 'Print the status of HelmReleases'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "helmrelease" -d 'Print the status of HelmReleases'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "hr" -d 'Print the status of HelmReleases'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "alerts" -d 'Print the status of Alerts'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "alert" -d 'Print the status of Alerts'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "alert-providers" -d 'Print the status of Providers'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "alert-provider" -d 'Print the status of Providers'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "receivers" -d 'Print the status of Receivers'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "receiver" -d 'Print the status of Receivers'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "canaries" -d 'Print the status of Canaries: phase, canary weight, failed checks'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "canary" -d 'Print the status of Canaries: phase, canary weight, failed checks'
complete -c tk -n "__fish_tk_using_subcommand get; and not __fish_seen_subcommand_from sources source kustomizations kustomization ks helmreleases helmrelease hr alerts alert alert-providers alert-provider receivers receiver canaries canary all" -f -a "all" -d 'Print the status of every source, HelmRelease, Kustomization, Receiver, Provider and Alert, one table per kind'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -f -a "git" -d 'Print the status of GitRepository sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -f -a "helm" -d 'Print the status of HelmRepository sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -f -a "chart" -d 'Print the status of HelmChart sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -f -a "oci" -d 'Print the status of OCIRepository sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -f -a "bucket" -d 'Print the status of Bucket sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from sources" -f -a "all" -d 'Print the status of every kind of source'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -f -a "git" -d 'Print the status of GitRepository sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -f -a "helm" -d 'Print the status of HelmRepository sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -f -a "chart" -d 'Print the status of HelmChart sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -f -a "oci" -d 'Print the status of OCIRepository sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -f -a "bucket" -d 'Print the status of Bucket sources'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from source" -f -a "all" -d 'Print the status of every kind of source'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomizations" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmreleases" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alerts" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-providers" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from alert-provider" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receivers" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from receiver" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canaries" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -s w -l watch -d 'After listing, print a row each time an object changes (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -l status-selector -d 'Only objects whose condition has this status, as type=status (e.g. ready=false)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -s l -l label-selector -d 'Only objects matching this label selector (e.g. app=web,tier!=db)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -s A -l all-namespaces -d 'List across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -l no-header -d 'Leave out the header row'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand get; and __fish_seen_subcommand_from all" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "source" -d 'Reconcile a source'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "kustomization" -d 'Apply a Kustomization now (and with --with-source, fetch its source first) and wait'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "ks" -d 'Apply a Kustomization now (and with --with-source, fetch its source first) and wait'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "helmrelease" -d 'Release a HelmRelease now (with --with-source, fetch its chart first) and wait'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "hr" -d 'Release a HelmRelease now (with --with-source, fetch its chart first) and wait'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "receiver" -d 'Reconcile a Receiver and wait for it to be ready'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "alert" -d 'Annotate an Alert for reconciliation (Alerts have no status: done once annotated)'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr receiver alert alert-provider" -f -a "alert-provider" -d 'Annotate a Provider for reconciliation (Providers have no status: done once annotated)'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -f -a "git" -d 'Fetch a GitRepository now and wait for the new artifact'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -f -a "helm" -d 'Download a HelmRepository\'s index now and wait for the new artifact (an OCI repository has nothing to reconcile)'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -f -a "chart" -d 'Build a HelmChart now (with --with-source, fetch its source first) and wait for the new artifact'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -f -a "oci" -d 'Pull an OCIRepository\'s artifact now and wait for the new revision'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from source" -f -a "bucket" -d 'Fetch a Bucket\'s objects now and wait for the new artifact'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from kustomization" -l with-source -d 'Reconcile the Kustomization\'s source first and wait for its new revision'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from ks" -l with-source -d 'Reconcile the Kustomization\'s source first and wait for its new revision'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -l with-source -d 'Reconcile the chart (the HelmChart and its source, or the OCIRepository) first and wait for its new revision'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -l force -d 'Force a one-off install or upgrade, even when nothing changed'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -l reset -d 'Reset the failure counters, so install and upgrade retries start over'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -l with-source -d 'Reconcile the chart (the HelmChart and its source, or the OCIRepository) first and wait for its new revision'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -l force -d 'Force a one-off install or upgrade, even when nothing changed'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -l reset -d 'Reset the failure counters, so install and upgrade retries start over'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from receiver" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from receiver" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from receiver" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from receiver" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from receiver" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from receiver" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand reconcile; and __fish_seen_subcommand_from alert-provider" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "source" -d 'Suspend sources'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "kustomization" -d 'Suspend Kustomizations'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "ks" -d 'Suspend Kustomizations'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "helmrelease" -d 'Suspend HelmReleases'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "hr" -d 'Suspend HelmReleases'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert" -d 'Suspend Alerts: no events are sent for them'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert-provider" -d 'Suspend Providers: no events are sent to them'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "receiver" -d 'Suspend Receivers: their webhooks trigger nothing'
complete -c tk -n "__fish_tk_using_subcommand suspend; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "canary" -d 'Suspend Canaries: no analysis runs, no traffic shifts, until resumed'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -f -a "git" -d 'Suspend GitRepository sources'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -f -a "helm" -d 'Suspend HelmRepository sources'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -f -a "chart" -d 'Suspend HelmChart sources'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -f -a "oci" -d 'Suspend OCIRepository sources'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from source" -f -a "bucket" -d 'Suspend Bucket sources'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from kustomization" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from ks" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from helmrelease" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from hr" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert-provider" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from alert-provider" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from receiver" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from receiver" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from receiver" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from receiver" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from receiver" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from receiver" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from receiver" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from canary" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand suspend; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "source" -d 'Resume sources'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "kustomization" -d 'Resume Kustomizations and wait for them to be applied'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "ks" -d 'Resume Kustomizations and wait for them to be applied'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "helmrelease" -d 'Resume HelmReleases and wait for them to be released'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "hr" -d 'Resume HelmReleases and wait for them to be released'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert" -d 'Resume suspended Alerts'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert-provider" -d 'Resume suspended Providers'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "receiver" -d 'Resume suspended Receivers and wait for them to be ready'
complete -c tk -n "__fish_tk_using_subcommand resume; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "canary" -d 'Resume suspended Canaries: the controller runs their analysis at once (Canaries report no handled request: done once resumed)'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -f -a "git" -d 'Resume GitRepository sources and wait for them to be ready'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -f -a "helm" -d 'Resume HelmRepository sources and wait for them to be ready'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -f -a "chart" -d 'Resume HelmChart sources and wait for them to be ready'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -f -a "oci" -d 'Resume OCIRepository sources and wait for them to be ready'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from source" -f -a "bucket" -d 'Resume Bucket sources and wait for them to be ready'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -l wait -d 'Wait for the resumed objects to be reconciled' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -l wait -d 'Wait for the resumed objects to be reconciled' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -l wait -d 'Wait for the resumed objects to be reconciled' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -l wait -d 'Wait for the resumed objects to be reconciled' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -l wait -d 'Wait for the resumed objects to be reconciled' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -l wait -d 'Wait for the resumed objects to be reconciled' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from alert-provider" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -l wait -d 'Wait for the resumed objects to be reconciled' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from receiver" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from canary" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand resume; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand promote; and not __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and not __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and not __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and not __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and not __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand promote; and not __fish_seen_subcommand_from canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand promote; and not __fish_seen_subcommand_from canary" -f -a "canary" -d 'Approve what a Canary waits for (its rollout or its promotion) and wait for it'
complete -c tk -n "__fish_tk_using_subcommand promote; and __fish_seen_subcommand_from canary" -l wait -d 'Wait for the approved rollout or promotion to start' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand promote; and __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand promote; and __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand promote; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "source" -d 'Delete sources'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "kustomization" -d 'Delete a Kustomization (with prune, the objects it applied are deleted too)'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "ks" -d 'Delete a Kustomization (with prune, the objects it applied are deleted too)'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "helmrelease" -d 'Delete a HelmRelease (the helm controller uninstalls its release)'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "hr" -d 'Delete a HelmRelease (the helm controller uninstalls its release)'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert" -d 'Delete an Alert'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert-provider" -d 'Delete a Provider'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "receiver" -d 'Delete a Receiver'
complete -c tk -n "__fish_tk_using_subcommand delete; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "canary" -d 'Delete a Canary (with spec.revertOnDeletion, the controller restores the target first)'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -f -a "git" -d 'Delete a GitRepository source'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -f -a "helm" -d 'Delete a HelmRepository source'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -f -a "chart" -d 'Delete a HelmChart source'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -f -a "oci" -d 'Delete an OCIRepository source'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from source" -f -a "bucket" -d 'Delete a Bucket source'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from kustomization" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from ks" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from helmrelease" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from hr" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert-provider" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from alert-provider" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from receiver" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from receiver" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from receiver" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from receiver" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from receiver" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from receiver" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from receiver" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from canary" -s s -l silent -d 'Do not ask for confirmation'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand delete; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "source" -d 'Export sources'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "kustomization" -d 'Export Kustomizations as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "ks" -d 'Export Kustomizations as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "helmrelease" -d 'Export HelmReleases as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "hr" -d 'Export HelmReleases as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert" -d 'Export Alerts as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "alert-provider" -d 'Export Providers as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "receiver" -d 'Export Receivers as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and not __fish_seen_subcommand_from source kustomization ks helmrelease hr alert alert-provider receiver canary" -f -a "canary" -d 'Export Canaries as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -f -a "git" -d 'Export GitRepository sources as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -f -a "helm" -d 'Export HelmRepository sources as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -f -a "chart" -d 'Export HelmChart sources as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -f -a "oci" -d 'Export OCIRepository sources as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from source" -f -a "bucket" -d 'Export Bucket sources as YAML'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from kustomization" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from ks" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from helmrelease" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from hr" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert-provider" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert-provider" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert-provider" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert-provider" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert-provider" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert-provider" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from alert-provider" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from receiver" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from receiver" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from receiver" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from receiver" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from receiver" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from receiver" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from receiver" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from canary" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from canary" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from canary" -l all -d 'Every object of this kind in the namespace'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from canary" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand export; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand kustomize; and not __fish_seen_subcommand_from build" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and not __fish_seen_subcommand_from build" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and not __fish_seen_subcommand_from build" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and not __fish_seen_subcommand_from build" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and not __fish_seen_subcommand_from build" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand kustomize; and not __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand kustomize; and not __fish_seen_subcommand_from build" -f -a "build" -d 'Build a kustomization directory and print the resources as YAML'
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -l reorder -d 'Order of the output: `legacy` (kustomize\'s kind order: Namespaces and CRDs first, webhooks last) or `none` (the order resources were read in); a `sortOptions` field in the kustomization wins' -r -f -a "legacy\t''
none\t''"
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -l load-restrictor -d 'Which files a kustomization may read: `LoadRestrictionsRootOnly` or `root-only` (only files in or below its own directory; bases may be anywhere in the build root) or `LoadRestrictionsNone` or `none` (any file in the build root)' -r -f -a "LoadRestrictionsRootOnly\t''
LoadRestrictionsNone\t''"
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -l root -d 'Directory no read may leave (default: the Git work tree holding DIR, else the current directory if it holds DIR, else DIR)' -r -F
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -s o -l output -d 'Write the YAML to this file (replaced atomically) instead of stdout' -r -F
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand kustomize; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand helm; and not __fish_seen_subcommand_from template" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and not __fish_seen_subcommand_from template" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and not __fish_seen_subcommand_from template" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and not __fish_seen_subcommand_from template" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and not __fish_seen_subcommand_from template" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand helm; and not __fish_seen_subcommand_from template" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand helm; and not __fish_seen_subcommand_from template" -f -a "template" -d 'Render a chart\'s templates and print the manifests, as `helm template` does'
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -s f -l values -d 'Values files, merged in order (later wins)' -r -F
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l set -d 'Values as key=value[,key=value] (typed as Helm types them)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l set-string -d 'Values as key=value, always strings' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l set-json -d 'Values as key=JSON (a JSON value, object or array)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l set-file -d 'Values read from files, as key=path' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l set-literal -d 'Values as key=value, the value taken literally (no commas or escapes parsed)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l kube-version -d 'Kubernetes version for `.Capabilities.KubeVersion` and the chart\'s kubeVersion check' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -s a -l api-versions -d 'Extra API versions for `.Capabilities.APIVersions` (repeatable or comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -s s -l show-only -d 'Print only the manifests from these templates (paths below the chart, globs allowed)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l include-crds -d 'Print the chart\'s CRDs (crds/) before the other manifests'
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l skip-tests -d 'Leave out test hooks'
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l skip-schema-validation -d 'Do not validate values against values.schema.json'
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l debug -d 'On a YAML error, print the rendered manifests before the error'
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand helm; and __fish_seen_subcommand_from template" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "kustomization" -d 'Build Kustomization'
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "ks" -d 'Build Kustomization'
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "helmrelease" -d 'Build HelmRelease'
complete -c tk -n "__fish_tk_using_subcommand build; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "hr" -d 'Build HelmRelease'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -l path -d 'Path to the manifests location' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -l kustomization-file -d 'Path to the Flux Kustomization YAML file' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -l dry-run -d 'Dry run mode'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -l path -d 'Path to the manifests location' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -l kustomization-file -d 'Path to the Flux Kustomization YAML file' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -l dry-run -d 'Dry run mode'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l file -d 'Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l chart -d 'Chart to render: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l values -d 'Values file merged over the HelmRelease\'s values, repeatable, in order (helm\'s -f)' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l include-hooks -d 'Print the chart\'s hooks (tests included) after the objects of the release'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l dry-run -d 'Do not contact the cluster (requires --file; spec.valuesFrom entries must be optional)'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l file -d 'Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l chart -d 'Chart to render: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l values -d 'Values file merged over the HelmRelease\'s values, repeatable, in order (helm\'s -f)' -r -F
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l include-hooks -d 'Print the chart\'s hooks (tests included) after the objects of the release'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l dry-run -d 'Do not contact the cluster (requires --file; spec.valuesFrom entries must be optional)'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand build; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "kustomization" -d 'Diff Kustomization'
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "ks" -d 'Diff Kustomization'
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "helmrelease" -d 'Diff HelmRelease'
complete -c tk -n "__fish_tk_using_subcommand diff; and not __fish_seen_subcommand_from kustomization ks helmrelease hr" -f -a "hr" -d 'Diff HelmRelease'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -l path -d 'Path to a local directory that matches the specified Kustomization.spec.path' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -l kustomization-file -d 'Path to the Flux Kustomization YAML file' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -l path -d 'Path to a local directory that matches the specified Kustomization.spec.path' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -l kustomization-file -d 'Path to the Flux Kustomization YAML file' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -l file -d 'Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -l chart -d 'Chart to render: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -l values -d 'Values file merged over the HelmRelease\'s values, repeatable, in order (helm\'s -f)' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from helmrelease" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -l file -d 'Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -l chart -d 'Chart to render: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -l values -d 'Values file merged over the HelmRelease\'s values, repeatable, in order (helm\'s -f)' -r -F
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand diff; and __fish_seen_subcommand_from hr" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -f -a "kustomization" -d 'Print the resource inventory of a Kustomization, nested Kustomizations expanded'
complete -c tk -n "__fish_tk_using_subcommand tree; and not __fish_seen_subcommand_from kustomization ks" -f -a "ks" -d 'Print the resource inventory of a Kustomization, nested Kustomizations expanded'
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -s o -l output -d 'The format in which the tree should be printed: json or yaml' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -l compact -d 'List Flux resources only'
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from kustomization" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -s o -l output -d 'The format in which the tree should be printed: json or yaml' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -l compact -d 'List Flux resources only'
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand tree; and __fish_seen_subcommand_from ks" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand events" -l for -d 'Get events for a particular object, as Kind[/name]' -r
complete -c tk -n "__fish_tk_using_subcommand events" -l types -d 'Filter events by type: Normal, Warning (comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand events" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand events" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand events" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand events" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand events" -s A -l all-namespaces -d 'Display events from Flux resources across all namespaces'
complete -c tk -n "__fish_tk_using_subcommand events" -s w -l watch -d 'Stream the events (until --timeout)'
complete -c tk -n "__fish_tk_using_subcommand events" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand events" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -f -a "git" -d 'Bootstrap from any Git server reached over SSH or HTTPS'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -f -a "github" -d 'Bootstrap from a GitHub (or GitHub Enterprise) repository, created if missing, with a deploy key for the cluster'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and not __fish_seen_subcommand_from git github gitlab" -f -a "gitlab" -d 'Bootstrap from a GitLab (or self-managed GitLab) project, created if missing, with a deploy key or deploy token for the cluster'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l url -d 'Repository address: ssh://user@host[:port]/path, https://host/path (http:// with --allow-insecure-http)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -s u -l username -d 'Basic auth user name over HTTP/S; the SSH user when the URL names none' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -s p -l password -d 'Basic auth password over HTTP/S, or the passphrase of --private-key-file' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l components -d 'Components to install, comma-separated (default: source-controller, kustomize-controller, helm-controller, notification-controller; `tk upgrade` keeps the installed set)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l components-extra -d 'Components to install in addition to those given or defaulted, comma-separated: canary-controller (Flagger\'s Canary, MetricTemplate and AlertProvider)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l registry -d 'Container registry the controller image is pulled from' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -s v -l version -d 'Version of the components to install (must match this binary)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l image-pull-secret -d 'Name of a Secret in the install namespace used to pull the image' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l watch-all-namespaces -d 'Reconcile custom resources in all namespaces (false: only the install namespace)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l network-policy -d 'Deny ingress to the components from outside the namespace, except webhooks and metrics' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l log-level -d 'Log level of the controllers' -r -f -a "debug\t''
info\t''
error\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l cluster-domain -d 'Internal cluster domain, used for the events address' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l toleration-keys -d 'Toleration keys added to the controller pods (comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l ssh-key-algorithm -d 'Algorithm of the generated SSH key' -r -f -a "ecdsa\t''
ed25519\t''
rsa\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l ssh-ecdsa-curve -d 'Curve of a generated ECDSA key' -r -f -a "p256\t''
p384\t''
p521\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l ssh-rsa-bits -d 'Size of a generated RSA key in bits' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l branch -d 'Branch the manifests are committed to and the cluster reconciles' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l path -d 'Directory of the repository the cluster reconciles (e.g. clusters/prod); the manifests go to <path>/<namespace>/' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l interval -d 'How often the cluster fetches the repository, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l secret-name -d 'Name of the Secret holding the cluster\'s Git credentials' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l ssh-hostname -d 'Host (and port) the cluster reaches the repository at over SSH, when it differs from the one in the URL' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l private-key-file -d 'Private SSH key the cluster authenticates with (`bootstrap git`: also the one that pushes); default: a new key pair for the cluster' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l ca-file -d 'PEM CA certificates trusted for HTTPS (Git server and API), stored in the Secret' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l author-name -d 'Author name of the commits' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l author-email -d 'Author email of the commits (default: none, as flux writes them)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l commit-message-appendix -d 'Text appended to the commit messages' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l gpg-key-ring -d 'OpenPGP secret keyring (armored or binary) to sign the commits with' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l gpg-key-id -d 'ID of the key in --gpg-key-ring to sign with (default: the first)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l gpg-passphrase -d 'Passphrase of the signing key' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l with-bearer-token -d 'Send the password as a bearer token (`Authorization: Bearer`) instead of basic auth'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l allow-insecure-http -d 'Allow an http:// URL (credentials travel in clear)'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -s s -l silent -d 'Do not ask whether the generated deploy key was added to the repository'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l token-auth -d 'The cluster authenticates with the token/password rather than an SSH key'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l force -d 'Take over a namespace another tool manages (its `app.kubernetes.io/managed-by` label says so)'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from git" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l owner -d 'User, organisation or group (GitLab: with subgroups, group/sub) owning the repository' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l repository -d 'Name of the repository' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l team -d 'Team (GitLab: group path) given access, as NAME or NAME:PERMISSION (pull, triage, push, maintain, admin; default maintain); repeatable' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l private -d 'Create the repository private (true) or public (false)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l hostname -d 'GitHub host; another one is GitHub Enterprise, its API at https://HOST/api/v3' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l components -d 'Components to install, comma-separated (default: source-controller, kustomize-controller, helm-controller, notification-controller; `tk upgrade` keeps the installed set)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l components-extra -d 'Components to install in addition to those given or defaulted, comma-separated: canary-controller (Flagger\'s Canary, MetricTemplate and AlertProvider)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l registry -d 'Container registry the controller image is pulled from' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -s v -l version -d 'Version of the components to install (must match this binary)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l image-pull-secret -d 'Name of a Secret in the install namespace used to pull the image' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l watch-all-namespaces -d 'Reconcile custom resources in all namespaces (false: only the install namespace)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l network-policy -d 'Deny ingress to the components from outside the namespace, except webhooks and metrics' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l log-level -d 'Log level of the controllers' -r -f -a "debug\t''
info\t''
error\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l cluster-domain -d 'Internal cluster domain, used for the events address' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l toleration-keys -d 'Toleration keys added to the controller pods (comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l ssh-key-algorithm -d 'Algorithm of the generated SSH key' -r -f -a "ecdsa\t''
ed25519\t''
rsa\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l ssh-ecdsa-curve -d 'Curve of a generated ECDSA key' -r -f -a "p256\t''
p384\t''
p521\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l ssh-rsa-bits -d 'Size of a generated RSA key in bits' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l branch -d 'Branch the manifests are committed to and the cluster reconciles' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l path -d 'Directory of the repository the cluster reconciles (e.g. clusters/prod); the manifests go to <path>/<namespace>/' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l interval -d 'How often the cluster fetches the repository, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l secret-name -d 'Name of the Secret holding the cluster\'s Git credentials' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l ssh-hostname -d 'Host (and port) the cluster reaches the repository at over SSH, when it differs from the one in the URL' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l private-key-file -d 'Private SSH key the cluster authenticates with (`bootstrap git`: also the one that pushes); default: a new key pair for the cluster' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l ca-file -d 'PEM CA certificates trusted for HTTPS (Git server and API), stored in the Secret' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l author-name -d 'Author name of the commits' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l author-email -d 'Author email of the commits (default: none, as flux writes them)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l commit-message-appendix -d 'Text appended to the commit messages' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l gpg-key-ring -d 'OpenPGP secret keyring (armored or binary) to sign the commits with' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l gpg-key-id -d 'ID of the key in --gpg-key-ring to sign with (default: the first)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l gpg-passphrase -d 'Passphrase of the signing key' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l personal -d 'The owner is the token\'s own user, not an organisation or group'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l read-write-key -d 'The cluster\'s deploy key may push (read-only by default)'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l reconcile -d 'Bring an existing repository\'s description, default branch and visibility in line'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l token-auth -d 'The cluster authenticates with the token/password rather than an SSH key'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l force -d 'Take over a namespace another tool manages (its `app.kubernetes.io/managed-by` label says so)'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from github" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l owner -d 'User, organisation or group (GitLab: with subgroups, group/sub) owning the repository' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l repository -d 'Name of the repository' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l team -d 'Team (GitLab: group path) given access, as NAME or NAME:PERMISSION (pull, triage, push, maintain, admin; default maintain); repeatable' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l visibility -d 'Visibility of a created project' -r -f -a "private\t''
internal\t''
public\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l hostname -d 'GitLab host (self-managed GitLab: its host and port)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l components -d 'Components to install, comma-separated (default: source-controller, kustomize-controller, helm-controller, notification-controller; `tk upgrade` keeps the installed set)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l components-extra -d 'Components to install in addition to those given or defaulted, comma-separated: canary-controller (Flagger\'s Canary, MetricTemplate and AlertProvider)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l registry -d 'Container registry the controller image is pulled from' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -s v -l version -d 'Version of the components to install (must match this binary)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l image-pull-secret -d 'Name of a Secret in the install namespace used to pull the image' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l watch-all-namespaces -d 'Reconcile custom resources in all namespaces (false: only the install namespace)' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l network-policy -d 'Deny ingress to the components from outside the namespace, except webhooks and metrics' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l log-level -d 'Log level of the controllers' -r -f -a "debug\t''
info\t''
error\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l cluster-domain -d 'Internal cluster domain, used for the events address' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l toleration-keys -d 'Toleration keys added to the controller pods (comma-separated)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l ssh-key-algorithm -d 'Algorithm of the generated SSH key' -r -f -a "ecdsa\t''
ed25519\t''
rsa\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l ssh-ecdsa-curve -d 'Curve of a generated ECDSA key' -r -f -a "p256\t''
p384\t''
p521\t''"
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l ssh-rsa-bits -d 'Size of a generated RSA key in bits' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l branch -d 'Branch the manifests are committed to and the cluster reconciles' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l path -d 'Directory of the repository the cluster reconciles (e.g. clusters/prod); the manifests go to <path>/<namespace>/' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l interval -d 'How often the cluster fetches the repository, as a Go duration' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l secret-name -d 'Name of the Secret holding the cluster\'s Git credentials' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l ssh-hostname -d 'Host (and port) the cluster reaches the repository at over SSH, when it differs from the one in the URL' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l private-key-file -d 'Private SSH key the cluster authenticates with (`bootstrap git`: also the one that pushes); default: a new key pair for the cluster' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l ca-file -d 'PEM CA certificates trusted for HTTPS (Git server and API), stored in the Secret' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l author-name -d 'Author name of the commits' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l author-email -d 'Author email of the commits (default: none, as flux writes them)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l commit-message-appendix -d 'Text appended to the commit messages' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l gpg-key-ring -d 'OpenPGP secret keyring (armored or binary) to sign the commits with' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l gpg-key-id -d 'ID of the key in --gpg-key-ring to sign with (default: the first)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l gpg-passphrase -d 'Passphrase of the signing key' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l personal -d 'The owner is the token\'s own user, not an organisation or group'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l read-write-key -d 'The cluster\'s deploy key may push (read-only by default)'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l reconcile -d 'Bring an existing repository\'s description, default branch and visibility in line'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l deploy-token-auth -d 'The cluster authenticates with a project deploy token (read_repository) instead of an SSH key'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l token-auth -d 'The cluster authenticates with the token/password rather than an SSH key'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l force -d 'Take over a namespace another tool manages (its `app.kubernetes.io/managed-by` label says so)'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand bootstrap; and __fish_seen_subcommand_from gitlab" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand controller" -l events-addr -d 'The address of the notification controller\'s event endpoint (the last one given wins)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l watch-all-namespaces -d 'Watch objects in all namespaces; when false only the runtime namespace is watched' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand controller" -l watch-label-selector -d 'Only watch objects matching this label selector' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l enable-leader-election -l leader-elect -d 'Run only while holding the leader election Lease, so replicas never reconcile at once' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand controller" -l leader-election-lease-duration -d 'How long a non-leader waits after the last renewal before taking the Lease over' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l leader-election-renew-deadline -d 'How long the leader keeps retrying to renew before it gives up leadership' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l leader-election-retry-period -d 'How often candidates try to acquire and the leader renews' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l log-level -d 'Log verbosity' -r -f -a "debug\t''
info\t''
error\t''"
complete -c tk -n "__fish_tk_using_subcommand controller" -l log-encoding -d 'Log format: one JSON object per line, or human-readable text' -r -f -a "json\t''
console\t''"
complete -c tk -n "__fish_tk_using_subcommand controller" -l metrics-addr -d 'Where to serve /metrics; "0" turns metrics off' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l health-addr -d 'Where to serve /healthz and /readyz; "0" turns the probes off' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l concurrent -d 'How many objects of each kind are reconciled at once' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l kube-api-qps -d 'Client-side limit on requests per second to the API server' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l kube-api-burst -d 'Requests allowed in a burst above the QPS limit' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l requeue-dependency -d 'How long to wait before reconciling an object whose dependencies are not ready' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l interval-jitter-percentage -d 'Spread of the requeue interval, in percent either side, so objects created together do not reconcile together forever' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l no-cross-namespace-refs -d 'Refuse references to sources, dependencies and secrets in other namespaces' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand controller" -l default-service-account -d 'ServiceAccount (in the object\'s namespace) to impersonate when an object names none' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l artifact-fetch-retries -d 'How many times a failed artifact download is retried' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l storage-path -d 'Directory artifacts are stored in (default: <temp dir>/tk-artifacts)' -r -F
complete -c tk -n "__fish_tk_using_subcommand controller" -l storage-addr -d 'Address the artifact file server listens on' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l storage-adv-addr -d 'host[:port] other controllers fetch artifacts from (default: the listen address)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l artifact-retention-ttl -d 'How long superseded artifacts are kept' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l artifact-retention-records -d 'How many artifacts per object are kept, the current one included' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l events-listen-addr -d 'Address the event endpoint (`POST /`, Service notification-controller) listens on; "0" turns it off (the last one given wins)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l receiver-addr -d 'Address the webhook receivers (Service webhook-receiver) listen on; "0" turns them off (the last one given wins)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l rate-limit-interval -d 'How long an event identical to one already dispatched for the same object is refused (HTTP 429)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l mesh-provider -d 'The traffic provider of Canaries that set no spec.provider (kubernetes, gatewayapi:v1)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l metrics-server -d 'The Prometheus the built-in metrics (request-success-rate, request-duration) are queried from, unless a Canary sets spec.metricsServer' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l selector-labels -d 'Label keys, in order, that tell a target\'s pods apart in its selector' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l enable-config-tracking -d 'Make the ConfigMaps and Secrets a target\'s pods use part of its revision' -r -f -a "true\t''
false\t''"
complete -c tk -n "__fish_tk_using_subcommand controller" -l min-analysis-interval -d 'The shortest analysis interval honoured; shorter ones are raised to it (Flagger: 10s)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand controller" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand controller" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tk -n "__fish_tk_using_subcommand docs" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand docs" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand docs" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand docs" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand docs" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand docs" -s h -l help -d 'Print help'
complete -c tk -n "__fish_tk_using_subcommand crds" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' -r
complete -c tk -n "__fish_tk_using_subcommand crds" -l context -d 'The kubeconfig context to use' -r
complete -c tk -n "__fish_tk_using_subcommand crds" -s n -l namespace -d 'The namespace tk is installed in and the objects commands act on live in' -r
complete -c tk -n "__fish_tk_using_subcommand crds" -l timeout -d 'How long to wait for an operation, as a Go duration (30s, 5m, 1h)' -r
complete -c tk -n "__fish_tk_using_subcommand crds" -l verbose -d 'Print more detail: each object applied, each check made'
complete -c tk -n "__fish_tk_using_subcommand crds" -s h -l help -d 'Print help'

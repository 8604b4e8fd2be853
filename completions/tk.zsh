#compdef tk

autoload -U is-at-least

_tk() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_tk_commands" \
"*::: :->tk" \
&& ret=0
    case $state in
    (tk)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-command-$line[1]:"
        case $line[1] in
            (version)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--client[Print only the client version, without contacting the cluster]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(install)
_arguments "${_arguments_options[@]}" : \
'*--components=[Components to install, comma-separated (default\: source-controller, kustomize-controller, helm-controller, notification-controller; \`tk upgrade\` keeps the installed set)]:NAMES:_default' \
'*--components-extra=[Extra components to install (comma-separated); none exist yet beyond the defaults]:COMPONENTS_EXTRA:_default' \
'--registry=[Container registry the controller image is pulled from]:REGISTRY:_default' \
'-v+[Version of the components to install (must match this binary)]:VERSION:_default' \
'--version=[Version of the components to install (must match this binary)]:VERSION:_default' \
'--image-pull-secret=[Name of a Secret in the install namespace used to pull the image]:SECRET:_default' \
'--watch-all-namespaces=[Reconcile custom resources in all namespaces (false\: only the install namespace)]:BOOL:(true false)' \
'--network-policy=[Deny ingress to the components from outside the namespace, except webhooks and metrics]:BOOL:(true false)' \
'--log-level=[Log level of the controllers]:LOG_LEVEL:(debug info error)' \
'--cluster-domain=[Internal cluster domain, used for the events address]:CLUSTER_DOMAIN:_default' \
'*--toleration-keys=[Toleration keys added to the controller pods (comma-separated)]:TOLERATION_KEYS:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the manifests as YAML instead of applying them]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
'*--components=[Components to install, comma-separated (default\: source-controller, kustomize-controller, helm-controller, notification-controller; \`tk upgrade\` keeps the installed set)]:NAMES:_default' \
'*--components-extra=[Extra components to install (comma-separated); none exist yet beyond the defaults]:COMPONENTS_EXTRA:_default' \
'--registry=[Container registry the controller image is pulled from]:REGISTRY:_default' \
'-v+[Version of the components to install (must match this binary)]:VERSION:_default' \
'--version=[Version of the components to install (must match this binary)]:VERSION:_default' \
'--image-pull-secret=[Name of a Secret in the install namespace used to pull the image]:SECRET:_default' \
'--watch-all-namespaces=[Reconcile custom resources in all namespaces (false\: only the install namespace)]:BOOL:(true false)' \
'--network-policy=[Deny ingress to the components from outside the namespace, except webhooks and metrics]:BOOL:(true false)' \
'--log-level=[Log level of the controllers]:LOG_LEVEL:(debug info error)' \
'--cluster-domain=[Internal cluster domain, used for the events address]:CLUSTER_DOMAIN:_default' \
'*--toleration-keys=[Toleration keys added to the controller pods (comma-separated)]:TOLERATION_KEYS:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the manifests as YAML instead of applying them]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(check)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--pre[Only check the prerequisites of an installation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(uninstall)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--keep-namespace[Leave the namespace in place]' \
'--dry-run[Print what would be deleted, delete nothing]' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(completion)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':shell -- The shell to generate the script for:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(controller)
_arguments "${_arguments_options[@]}" : \
'--events-addr=[The address of the notification controller'\''s event endpoint]:URL:_default' \
'--watch-all-namespaces=[Watch objects in all namespaces; when false only the runtime namespace is watched]::BOOL:(true false)' \
'--watch-label-selector=[Only watch objects matching this label selector]:SELECTOR:_default' \
'--enable-leader-election=[Run only while holding the leader election Lease, so replicas never reconcile at once]::BOOL:(true false)' \
'--leader-elect=[Run only while holding the leader election Lease, so replicas never reconcile at once]::BOOL:(true false)' \
'--leader-election-lease-duration=[How long a non-leader waits after the last renewal before taking the Lease over]:DURATION:_default' \
'--leader-election-renew-deadline=[How long the leader keeps retrying to renew before it gives up leadership]:DURATION:_default' \
'--leader-election-retry-period=[How often candidates try to acquire and the leader renews]:DURATION:_default' \
'--log-level=[Log verbosity]:LOG_LEVEL:(debug info error)' \
'--log-encoding=[Log format\: one JSON object per line, or human-readable text]:LOG_ENCODING:(json console)' \
'--metrics-addr=[Where to serve /metrics; "0" turns metrics off]:ADDR:_default' \
'--health-addr=[Where to serve /healthz and /readyz; "0" turns the probes off]:ADDR:_default' \
'--concurrent=[How many objects of each kind are reconciled at once]:N:_default' \
'--kube-api-qps=[Client-side limit on requests per second to the API server]:QPS:_default' \
'--kube-api-burst=[Requests allowed in a burst above the QPS limit]:N:_default' \
'--requeue-dependency=[How long to wait before reconciling an object whose dependencies are not ready]:DURATION:_default' \
'--interval-jitter-percentage=[Spread of the requeue interval, in percent either side, so objects created together do not reconcile together forever]:PERCENT:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Which controller to run:(source kustomize helm notification all)' \
&& ret=0
;;
(docs)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in]:NAME:_default' \
'--namespace=[The namespace tk is installed in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::dir -- Directory the pages are written to:_files' \
&& ret=0
;;
        esac
    ;;
esac
}

(( $+functions[_tk_commands] )) ||
_tk_commands() {
    local commands; commands=(
'version:Print the version of tk and of the installed components' \
'install:Install tk'\''s components and CRDs on a cluster' \
'upgrade:Upgrade the installed components to this version of tk' \
'check:Check the cluster meets tk'\''s requirements, or that an installation is healthy' \
'uninstall:Remove tk'\''s components, CRDs and custom resources from a cluster' \
'completion:Generate a shell completion script' \
'controller:Run a controller (in-cluster, or locally against a kubeconfig)' \
'docs:Write the markdown reference for every command into a directory' \
    )
    _describe -t commands 'tk commands' commands "$@"
}
(( $+functions[_tk__subcmd__check_commands] )) ||
_tk__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'tk check commands' commands "$@"
}
(( $+functions[_tk__subcmd__completion_commands] )) ||
_tk__subcmd__completion_commands() {
    local commands; commands=()
    _describe -t commands 'tk completion commands' commands "$@"
}
(( $+functions[_tk__subcmd__controller_commands] )) ||
_tk__subcmd__controller_commands() {
    local commands; commands=()
    _describe -t commands 'tk controller commands' commands "$@"
}
(( $+functions[_tk__subcmd__docs_commands] )) ||
_tk__subcmd__docs_commands() {
    local commands; commands=()
    _describe -t commands 'tk docs commands' commands "$@"
}
(( $+functions[_tk__subcmd__install_commands] )) ||
_tk__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'tk install commands' commands "$@"
}
(( $+functions[_tk__subcmd__uninstall_commands] )) ||
_tk__subcmd__uninstall_commands() {
    local commands; commands=()
    _describe -t commands 'tk uninstall commands' commands "$@"
}
(( $+functions[_tk__subcmd__upgrade_commands] )) ||
_tk__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'tk upgrade commands' commands "$@"
}
(( $+functions[_tk__subcmd__version_commands] )) ||
_tk__subcmd__version_commands() {
    local commands; commands=()
    _describe -t commands 'tk version commands' commands "$@"
}

if [ "$funcstack[1]" = "_tk" ]; then
    _tk "$@"
else
    compdef _tk tk
fi

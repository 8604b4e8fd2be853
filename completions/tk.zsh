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
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
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
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
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
'*--components-extra=[Components to install in addition to those given or defaulted, comma-separated\: canary-controller (Flagger'\''s Canary, MetricTemplate and AlertProvider)]:NAMES:_default' \
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
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
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
'*--components-extra=[Components to install in addition to those given or defaulted, comma-separated\: canary-controller (Flagger'\''s Canary, MetricTemplate and AlertProvider)]:NAMES:_default' \
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
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
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
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
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
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
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
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':shell -- The shell to generate the script for:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(create)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__create_commands" \
"*::: :->create" \
&& ret=0

    case $state in
    (create)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-create-command-$line[1]:"
        case $line[1] in
            (source)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__create__subcmd__source_commands" \
"*::: :->source" \
&& ret=0

    case $state in
    (source)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-create-source-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--url=[Repository address\: ssh\://git@host/org/repo, https\://host/org/repo or http\://...]:URL:_default' \
'--branch=[Branch to check out]:BRANCH:_default' \
'--tag=[Tag to check out]:TAG:_default' \
'--tag-semver=[Semver range; the highest matching tag is checked out]:RANGE:_default' \
'--ref-name=[Full reference to check out, e.g. refs/pull/1/head]:REF:_default' \
'--commit=[Commit SHA to check out (with --branch\: the commit must be on that branch)]:SHA:_default' \
'--secret-ref=[Name of an existing Secret with the credentials; none is generated]:NAME:_default' \
'--provider=[Authentication provider]:PROVIDER:(generic github aws azure)' \
'-u+[Basic authentication username (HTTP/S)]:USERNAME:_default' \
'--username=[Basic authentication username (HTTP/S)]:USERNAME:_default' \
'-p+[Basic authentication password (HTTP/S), or the passphrase of --private-key-file]:PASSWORD:_default' \
'--password=[Basic authentication password (HTTP/S), or the passphrase of --private-key-file]:PASSWORD:_default' \
'--private-key-file=[OpenSSH private key to use instead of generating one (SSH)]:PATH:_default' \
'--ssh-key-algorithm=[Algorithm of the generated SSH key]:SSH_KEY_ALGORITHM:(ecdsa ed25519 rsa)' \
'--ssh-ecdsa-curve=[Curve of a generated ECDSA key]:SSH_ECDSA_CURVE:(p256 p384 p521)' \
'--ssh-rsa-bits=[Size of a generated RSA key in bits]:BITS:_default' \
'--ca-file=[CA certificate (PEM) to trust for the HTTPS server]:PATH:_default' \
'*--ignore-paths=[Paths to leave out of the artifact, .gitignore syntax (comma-separated or repeated)]:PATHS:_default' \
'*--sparse-checkout-paths=[Only these directories end up in the artifact (comma-separated or repeated)]:PATHS:_default' \
'--interval=[How often the source checks for new commits, as a Go duration]:DURATION:_default' \
'--fetch-timeout=[Timeout of each Git operation, as a Go duration (default\: the controller'\''s, 60s)]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--recurse-submodules[Check out submodules too]' \
'-s[Do not ask whether the deploy key was added]' \
'--silent[Do not ask whether the deploy key was added]' \
'--export[Print the GitRepository as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the GitRepository:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--url=[Repository address\: https\://..., http\://... or oci\://... (an OCI registry)]:URL:_default' \
'--secret-ref=[Name of an existing Secret with the credentials (basic auth, TLS or docker-config); none is generated]:NAME:_default' \
'-u+[Basic authentication username]:USERNAME:_default' \
'--username=[Basic authentication username]:USERNAME:_default' \
'-p+[Basic authentication password]:PASSWORD:_default' \
'--password=[Basic authentication password]:PASSWORD:_default' \
'--cert-file=[TLS client certificate (PEM), with --key-file]:PATH:_default' \
'--key-file=[TLS client key (PEM), with --cert-file]:PATH:_default' \
'--ca-file=[CA certificate (PEM) to trust for the repository'\''s server]:PATH:_default' \
'--oci-provider=[Identity provider that authenticates to an oci\:// repository]:PROVIDER:(generic aws azure gcp)' \
'--interval=[How often the index is downloaded, as a Go duration]:DURATION:_default' \
'--fetch-timeout=[Timeout of each index download or registry operation, as a Go duration (default\: the controller'\''s, 60s)]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--pass-credentials[Send the credentials to every host charts are downloaded from, not only the repository'\''s]' \
'--export[Print the HelmRepository as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmRepository:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--source=[Source holding the chart, as <kind>/<name>; kind is one of HelmRepository, GitRepository or Bucket]:KIND/NAME:_default' \
'--chart=[Chart name (HelmRepository) or path of the chart directory (GitRepository, Bucket)]:CHART:_default' \
'--chart-version=[Chart version or semver range (ignored for charts from GitRepository and Bucket sources)]:VERSION:_default' \
'--reconcile-strategy=[When a new artifact is built\: on a new chart version, or on every new revision of the source]:STRATEGY:(ChartVersion Revision)' \
'--verify-provider=[Verify the chart'\''s signature with this tool (charts from a HelmRepository only)]:PROVIDER:(cosign)' \
'--verify-secret-ref=[Secret with the public keys to verify with (default\: keyless verification)]:NAME:_default' \
'--verify-issuer=[Regular expression the OIDC issuer of a keyless signature must match]:REGEX:_default' \
'--verify-subject=[Regular expression the OIDC subject of a keyless signature must match]:REGEX:_default' \
'--interval=[How often the source is checked for a new chart, as a Go duration]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the HelmChart as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmChart:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--url=[Repository address\: oci\://<host>/<repository>, without tag or digest]:URL:_default' \
'--tag=[Tag of the artifact]:TAG:_default' \
'--tag-semver=[Semver range; the highest matching tag is pulled]:RANGE:_default' \
'--digest=[Digest of the artifact, sha256\:<hex>]:DIGEST:_default' \
'--secret-ref=[Name of an existing docker-registry Secret (kubernetes.io/dockerconfigjson) with the registry credentials]:NAME:_default' \
'--service-account=[Name of a ServiceAccount whose image pull secrets hold the registry credentials]:NAME:_default' \
'--cert-ref=[Name of a Secret with TLS material for the registry\: ca.crt, tls.crt and tls.key]:NAME:_default' \
'--proxy-secret-ref=[Name of a Secret with the address, username and password of an HTTP/S proxy]:NAME:_default' \
'--provider=[Identity provider that authenticates to the registry]:PROVIDER:(generic aws azure gcp)' \
'*--ignore-paths=[Paths to leave out of the artifact, .gitignore syntax (comma-separated or repeated)]:PATHS:_default' \
'--layer-selector=[Layer to take from the artifact and what to do with it, as <media-type>\:<operation>; operation is extract (unpack the tarball) or copy (store the blob as it is)]:MEDIA-TYPE:OPERATION:_default' \
'--verify-provider=[Verify the artifact'\''s signature with this tool]:PROVIDER:(cosign)' \
'--verify-secret-ref=[Secret with the public keys to verify with (default\: keyless verification)]:NAME:_default' \
'--verify-issuer=[Regular expression the OIDC issuer of a keyless signature must match]:REGEX:_default' \
'--verify-subject=[Regular expression the OIDC subject of a keyless signature must match]:REGEX:_default' \
'--interval=[How often the registry is checked for a new artifact, as a Go duration]:DURATION:_default' \
'--fetch-timeout=[Timeout of each registry operation, as a Go duration (default\: the controller'\''s, 60s)]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--insecure[Reach the registry over plain HTTP (no TLS)]' \
'--export[Print the OCIRepository as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'::name -- Name of the OCIRepository:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--bucket-name=[Name of the bucket in the object storage]:NAME:_default' \
'--endpoint=[Address of the object storage\: host\[\:port\] (e.g. s3.amazonaws.com, minio.minio.svc.cluster.local\:9000)]:ADDRESS:_default' \
'--provider=[Object storage provider; generic is any S3-compatible API, such as MinIO]:PROVIDER:(generic aws azure gcp)' \
'--region=[Region of the bucket]:REGION:_default' \
'--insecure=[Reach the endpoint over plain HTTP (no TLS)]::BOOL:(true false)' \
'--access-key=[Access key of the bucket, stored with --secret-key in a Secret named bucket-NAME]:KEY:_default' \
'--secret-key=[Secret key of the bucket, stored with --access-key in a Secret named bucket-NAME]:KEY:_default' \
'--secret-ref=[Name of an existing Secret with the credentials; none is generated]:NAME:_default' \
'--proxy-secret-ref=[Name of a Secret with the address, username and password of an HTTP/S proxy]:NAME:_default' \
'*--ignore-paths=[Paths to leave out of the artifact, .gitignore syntax (comma-separated or repeated)]:PATHS:_default' \
'--interval=[How often the bucket is checked for changes, as a Go duration]:DURATION:_default' \
'--fetch-timeout=[Timeout of each fetch from the bucket, as a Go duration (default\: the controller'\''s, 60s)]:DURATION:_default' \
'*--label=[Label to set on the Bucket and its Secret, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Bucket as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'::name -- Name of the Bucket:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(secret)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__create__subcmd__secret_commands" \
"*::: :->secret" \
&& ret=0

    case $state in
    (secret)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-create-secret-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--url=[Repository address; its scheme decides between SSH and HTTP/S credentials]:URL:_default' \
'-u+[Basic authentication username (HTTP/S)]:USERNAME:_default' \
'--username=[Basic authentication username (HTTP/S)]:USERNAME:_default' \
'-p+[Basic authentication password (HTTP/S), or the passphrase of --private-key-file]:PASSWORD:_default' \
'--password=[Basic authentication password (HTTP/S), or the passphrase of --private-key-file]:PASSWORD:_default' \
'--bearer-token=[Bearer token (HTTP/S), instead of --username/--password]:TOKEN:_default' \
'--private-key-file=[OpenSSH private key to use instead of generating one (SSH)]:PATH:_default' \
'--ssh-key-algorithm=[Algorithm of the generated SSH key]:SSH_KEY_ALGORITHM:(ecdsa ed25519 rsa)' \
'--ssh-ecdsa-curve=[Curve of a generated ECDSA key]:SSH_ECDSA_CURVE:(p256 p384 p521)' \
'--ssh-rsa-bits=[Size of a generated RSA key in bits]:BITS:_default' \
'--ca-crt-file=[CA certificate (PEM) stored under \`ca.crt\`]:PATH:_default' \
'--ca-file=[CA certificate (PEM) stored under the legacy \`caFile\` key; --ca-crt-file wins]:PATH:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Secret as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the Secret:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'-u+[Basic authentication username]:USERNAME:_default' \
'--username=[Basic authentication username]:USERNAME:_default' \
'-p+[Basic authentication password]:PASSWORD:_default' \
'--password=[Basic authentication password]:PASSWORD:_default' \
'--tls-crt-file=[TLS client certificate (PEM) stored under \`tls.crt\`, with --tls-key-file]:PATH:_default' \
'--tls-key-file=[TLS client key (PEM) stored under \`tls.key\`, with --tls-crt-file]:PATH:_default' \
'--ca-crt-file=[CA certificate (PEM) stored under \`ca.crt\`]:PATH:_default' \
'--cert-file=[Deprecated\: --tls-crt-file (stored under the legacy \`certFile\` key)]:PATH:_default' \
'--key-file=[Deprecated\: --tls-key-file (stored under the legacy \`keyFile\` key)]:PATH:_default' \
'--ca-file=[Deprecated\: --ca-crt-file (stored under the legacy \`caFile\` key)]:PATH:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Secret as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Secret:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--url=[Registry the credentials are for, as Docker keys it\: a host, optionally with a repository path (ghcr.io, ghcr.io/stefanprodan/charts); no scheme]:URL:_default' \
'-u+[Registry username]:USERNAME:_default' \
'--username=[Registry username]:USERNAME:_default' \
'-p+[Registry password or token]:PASSWORD:_default' \
'--password=[Registry password or token]:PASSWORD:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Secret as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'::name -- Name of the Secret:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomization)
_arguments "${_arguments_options[@]}" : \
'--source=[Source with the manifests, as \[<kind>/\]<name>\[.<namespace>\]; kind is one of OCIRepository, GitRepository (the default) or Bucket]:SOURCE:_default' \
'--path=[Path to the directory with the kustomization.yaml, relative to the source'\''s root]:PATH:_default' \
'--prune=[Delete objects that are removed from the source (garbage collection)]::BOOL:(true false)' \
'--wait=[Wait for every applied object to become ready (health checks are then ignored)]::BOOL:(true false)' \
'*--health-check=[Workload whose health gates readiness, as <kind>/<name>.<namespace>; kind is one of Deployment, DaemonSet, StatefulSet or HelmRelease (comma-separated or repeated)]:KIND/NAME.NAMESPACE:_default' \
'--health-check-timeout=[Timeout of health checking, as a Go duration]:DURATION:_default' \
'*--depends-on=[Kustomization that must be ready first, as \[<namespace>/\]<name> (comma-separated or repeated)]:[NAMESPACE/]NAME:_default' \
'--service-account=[ServiceAccount to impersonate when applying]:NAME:_default' \
'--target-namespace=[Namespace set on every namespaced object the Kustomization applies]:NAMESPACE:_default' \
'--decryption-provider=[Decryption provider for SOPS-encrypted manifests\: sops]:PROVIDER:_default' \
'--decryption-secret=[Secret with the keys for SOPS decryption (with --decryption-provider)]:NAME:_default' \
'--kubeconfig-secret-ref=[Secret with a kubeconfig for applying to a remote cluster]:NAME:_default' \
'--retry-interval=[Interval between retries after a failed reconcile, as a Go duration (default\: --interval)]:DURATION:_default' \
'--interval=[How often the Kustomization is reconciled, as a Go duration]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Kustomization as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--source=[Source with the manifests, as \[<kind>/\]<name>\[.<namespace>\]; kind is one of OCIRepository, GitRepository (the default) or Bucket]:SOURCE:_default' \
'--path=[Path to the directory with the kustomization.yaml, relative to the source'\''s root]:PATH:_default' \
'--prune=[Delete objects that are removed from the source (garbage collection)]::BOOL:(true false)' \
'--wait=[Wait for every applied object to become ready (health checks are then ignored)]::BOOL:(true false)' \
'*--health-check=[Workload whose health gates readiness, as <kind>/<name>.<namespace>; kind is one of Deployment, DaemonSet, StatefulSet or HelmRelease (comma-separated or repeated)]:KIND/NAME.NAMESPACE:_default' \
'--health-check-timeout=[Timeout of health checking, as a Go duration]:DURATION:_default' \
'*--depends-on=[Kustomization that must be ready first, as \[<namespace>/\]<name> (comma-separated or repeated)]:[NAMESPACE/]NAME:_default' \
'--service-account=[ServiceAccount to impersonate when applying]:NAME:_default' \
'--target-namespace=[Namespace set on every namespaced object the Kustomization applies]:NAMESPACE:_default' \
'--decryption-provider=[Decryption provider for SOPS-encrypted manifests\: sops]:PROVIDER:_default' \
'--decryption-secret=[Secret with the keys for SOPS decryption (with --decryption-provider)]:NAME:_default' \
'--kubeconfig-secret-ref=[Secret with a kubeconfig for applying to a remote cluster]:NAME:_default' \
'--retry-interval=[Interval between retries after a failed reconcile, as a Go duration (default\: --interval)]:DURATION:_default' \
'--interval=[How often the Kustomization is reconciled, as a Go duration]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Kustomization as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--source=[Source holding the chart, as <kind>/<name>\[.<namespace>\]; kind is one of HelmRepository, GitRepository or Bucket (with --chart)]:KIND/NAME[.NAMESPACE]:_default' \
'--chart=[Chart name (HelmRepository) or path of the chart directory (GitRepository, Bucket)]:CHART:_default' \
'--chart-version=[Chart version or semver range (ignored for charts from GitRepository and Bucket sources)]:VERSION:_default' \
'--chart-ref=[An existing object holding the chart, as <kind>/<name>\[.<namespace>\]; kind is one of OCIRepository or HelmChart (instead of --source and --chart)]:KIND/NAME[.NAMESPACE]:_default' \
'--chart-interval=[How often the chart'\''s source is checked for a new chart, as a Go duration (default\: --interval)]:DURATION:_default' \
'--reconcile-strategy=[When the generated HelmChart builds a new artifact\: on a new chart version, or on every new revision of the source (default\: ChartVersion)]:STRATEGY:(ChartVersion Revision)' \
'--release-name=[Helm release name (default\: \[<target-namespace>-\]<name>)]:NAME:_default' \
'--target-namespace=[Namespace the release is installed into (default\: the HelmRelease'\''s)]:NAMESPACE:_default' \
'--create-target-namespace=[Create the target namespace on install if it does not exist]::BOOL:(true false)' \
'--storage-namespace=[Namespace the Helm release storage is kept in (default\: the HelmRelease'\''s)]:NAMESPACE:_default' \
'*--depends-on=[HelmRelease that must be ready first, as \[<namespace>/\]<name> (comma-separated or repeated)]:[NAMESPACE/]NAME:_default' \
'--service-account=[ServiceAccount to impersonate for the Helm actions]:NAME:_default' \
'*--values=[Local values file, merged into spec.values in order (comma-separated or repeated)]:FILE:_default' \
'*--values-from=[ConfigMap or Secret whose values.yaml key holds values, as <kind>/<name>; kind is Secret or ConfigMap (comma-separated or repeated)]:KIND/NAME:_default' \
'--crds=[What the chart'\''s CRDs get on upgrade (install always creates them)]:POLICY:(Skip Create CreateReplace)' \
'--kubeconfig-secret-ref=[Secret with a kubeconfig for releasing to a remote cluster]:NAME:_default' \
'--interval=[How often the release is reconciled, as a Go duration]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the HelmRelease as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--source=[Source holding the chart, as <kind>/<name>\[.<namespace>\]; kind is one of HelmRepository, GitRepository or Bucket (with --chart)]:KIND/NAME[.NAMESPACE]:_default' \
'--chart=[Chart name (HelmRepository) or path of the chart directory (GitRepository, Bucket)]:CHART:_default' \
'--chart-version=[Chart version or semver range (ignored for charts from GitRepository and Bucket sources)]:VERSION:_default' \
'--chart-ref=[An existing object holding the chart, as <kind>/<name>\[.<namespace>\]; kind is one of OCIRepository or HelmChart (instead of --source and --chart)]:KIND/NAME[.NAMESPACE]:_default' \
'--chart-interval=[How often the chart'\''s source is checked for a new chart, as a Go duration (default\: --interval)]:DURATION:_default' \
'--reconcile-strategy=[When the generated HelmChart builds a new artifact\: on a new chart version, or on every new revision of the source (default\: ChartVersion)]:STRATEGY:(ChartVersion Revision)' \
'--release-name=[Helm release name (default\: \[<target-namespace>-\]<name>)]:NAME:_default' \
'--target-namespace=[Namespace the release is installed into (default\: the HelmRelease'\''s)]:NAMESPACE:_default' \
'--create-target-namespace=[Create the target namespace on install if it does not exist]::BOOL:(true false)' \
'--storage-namespace=[Namespace the Helm release storage is kept in (default\: the HelmRelease'\''s)]:NAMESPACE:_default' \
'*--depends-on=[HelmRelease that must be ready first, as \[<namespace>/\]<name> (comma-separated or repeated)]:[NAMESPACE/]NAME:_default' \
'--service-account=[ServiceAccount to impersonate for the Helm actions]:NAME:_default' \
'*--values=[Local values file, merged into spec.values in order (comma-separated or repeated)]:FILE:_default' \
'*--values-from=[ConfigMap or Secret whose values.yaml key holds values, as <kind>/<name>; kind is Secret or ConfigMap (comma-separated or repeated)]:KIND/NAME:_default' \
'--crds=[What the chart'\''s CRDs get on upgrade (install always creates them)]:POLICY:(Skip Create CreateReplace)' \
'--kubeconfig-secret-ref=[Secret with a kubeconfig for releasing to a remote cluster]:NAME:_default' \
'--interval=[How often the release is reconciled, as a Go duration]:DURATION:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the HelmRelease as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
(tenant)
_arguments "${_arguments_options[@]}" : \
'*--with-namespace=[Namespace belonging to this tenant (comma-separated or repeated)]:NAMESPACE:_default' \
'--cluster-role=[ClusterRole the tenant'\''s role bindings grant in its namespaces]:NAME:_default' \
'--with-service-account=[ServiceAccount made in each namespace (default\: the tenant'\''s name)]:NAME:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--skip-namespace[Do not create the namespaces\: they must exist already]' \
'--export[Print the objects as YAML instead of applying them]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the tenant:_default' \
&& ret=0
;;
(alert-provider)
_arguments "${_arguments_options[@]}" : \
'--type=[Type of provider (slack, msteams, discord, github, gitlab, generic, ...)]:TYPE:_default' \
'--channel=[Channel to send messages to in the case of a chat provider]:CHANNEL:_default' \
'--username=[Bot username used by the provider]:USERNAME:_default' \
'--address=[Path to either the git repository, chat provider or webhook]:ADDRESS:_default' \
'--secret-ref=[Name of the Secret containing the authentication token (or address)]:NAME:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Provider as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Provider:_default' \
&& ret=0
;;
(alert)
_arguments "${_arguments_options[@]}" : \
'--provider-ref=[Name of the Provider events are sent to]:NAME:_default' \
'--event-severity=[Severity of events to send alerts for\: info (all events) or error]:SEVERITY:_default' \
'*--event-source=[Objects that should generate alerts, as <kind>/<name>\[.<namespace>\] or <kind>/* for all of a kind (comma-separated or repeated)]:KIND/NAME[.NAMESPACE]:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Alert as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Alert:_default' \
&& ret=0
;;
(receiver)
_arguments "${_arguments_options[@]}" : \
'--type=[Type of receiver (generic, generic-hmac, github, gitlab, bitbucket, harbor, dockerhub, quay, gcr, nexus, acr, cdevents)]:TYPE:_default' \
'*--event=[Event type the receiver accepts, e.g. push (comma-separated or repeated; default\: all)]:EVENT:_default' \
'*--resource=[Object to reconcile on a valid request, as <kind>/<name>\[.<namespace>\] or <kind>/* for all of a kind (comma-separated or repeated)]:KIND/NAME[.NAMESPACE]:_default' \
'--secret-ref=[Name of the Secret whose \`token\` key secures the webhook]:NAME:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Receiver as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Receiver:_default' \
&& ret=0
;;
(canary)
_arguments "${_arguments_options[@]}" : \
'--target-ref=[The workload to roll out, as \[<kind>/\]<name> in the Canary'\''s namespace; kind is Deployment (the default) or DaemonSet]:[KIND/]NAME:_default' \
'--provider=[Traffic management provider (default\: the controller'\''s --mesh-provider)\: kubernetes, gatewayapi\:v1, istio, linkerd, smi\:v1alpha2, ... (Flagger'\''s list)]:PROVIDER:_default' \
'--port=[Port of the Services generated for the target (spec.service.port)]:PORT:_default' \
'--target-port=[Container port the Services send to, by number or name (default\: --port)]:PORT:_default' \
'*--gateway-ref=[Gateway the generated HTTPRoute attaches to, as \[<namespace>/\]<name> (gatewayapi providers; comma-separated or repeated)]:[NAMESPACE/]NAME:_default' \
'*--host=[Host name routed to the target (comma-separated or repeated)]:HOST:_default' \
'--interval=[Time between the checks of an analysis, in seconds or minutes (30s, 1m)]:DURATION:_default' \
'--threshold=[Failed checks before the canary is rolled back]:COUNT:_default' \
'--step-weight=[Percentage of traffic added to the canary at each step]:PERCENT:_default' \
'--max-weight=[Highest percentage of traffic routed to the canary, with --step-weight (default 100)]:PERCENT:_default' \
'*--step-weights=[The canary'\''s percentage of traffic at each step, increasing (comma-separated)]:PERCENTS:_default' \
'--iterations=[Checks to run without shifting traffic (A/B testing, blue/green), instead of weights]:COUNT:_default' \
'*--metric=[A built-in metric check\: request-success-rate=MIN (percent) or request-duration=MAX (milliseconds) (repeatable)]:NAME=VALUE:_default' \
'*--metric-template=[A check of a MetricTemplate'\''s query, as \[<namespace>/\]<name>\:<min>\:<max>; leave the bound that does not apply empty, as in error-rate\:\:1 (repeatable)]:[NAMESPACE/]NAME:MIN:MAX:_default' \
'*--webhook=[A webhook, as <type>=<url>, named after its type; type is one of rollout, pre-rollout, post-rollout, confirm-rollout, confirm-promotion, confirm-traffic-increase, event or rollback (repeatable)]:TYPE=URL:_default' \
'--metrics-server=[Prometheus address the built-in metrics are queried from (default\: the controller'\''s --metrics-server)]:URL:_default' \
'*--label=[Label to set, as key=value (comma-separated or repeated)]:KEY=VALUE:_default' \
'--wait=[Wait for the controller to initialize the Canary]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--export[Print the Canary as YAML instead of applying it]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Canary:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(get)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__get_commands" \
"*::: :->get" \
&& ret=0

    case $state in
    (get)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-get-command-$line[1]:"
        case $line[1] in
            (sources)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__get__subcmd__sources_commands" \
"*::: :->sources" \
&& ret=0

    case $state in
    (sources)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-get-sources-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(all)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
        esac
    ;;
esac
;;
(source)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__get__subcmd__sources_commands" \
"*::: :->sources" \
&& ret=0

    case $state in
    (sources)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-get-sources-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(all)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomizations)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(kustomization)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(helmreleases)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(alerts)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(alert)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(alert-providers)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(alert-provider)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(receivers)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(receiver)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(canaries)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(canary)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'-w[After listing, print a row each time an object changes (until --timeout)]' \
'--watch[After listing, print a row each time an object changes (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Only the object with this name:_default' \
&& ret=0
;;
(all)
_arguments "${_arguments_options[@]}" : \
'--status-selector=[Only objects whose condition has this status, as type=status (e.g. ready=false)]:TYPE=STATUS:_default' \
'-l+[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--label-selector=[Only objects matching this label selector (e.g. app=web,tier!=db)]:SELECTOR:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[List across all namespaces]' \
'--all-namespaces[List across all namespaces]' \
'--no-header[Leave out the header row]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
        esac
    ;;
esac
;;
(reconcile)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__reconcile_commands" \
"*::: :->reconcile" \
&& ret=0

    case $state in
    (reconcile)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-reconcile-command-$line[1]:"
        case $line[1] in
            (source)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__reconcile__subcmd__source_commands" \
"*::: :->source" \
&& ret=0

    case $state in
    (source)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-reconcile-source-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--with-source[Reconcile the HelmChart'\''s source first and wait for its new revision]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the HelmChart:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomization)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--with-source[Reconcile the Kustomization'\''s source first and wait for its new revision]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--with-source[Reconcile the Kustomization'\''s source first and wait for its new revision]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--with-source[Reconcile the chart (the HelmChart and its source, or the OCIRepository) first and wait for its new revision]' \
'--force[Force a one-off install or upgrade, even when nothing changed]' \
'--reset[Reset the failure counters, so install and upgrade retries start over]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--with-source[Reconcile the chart (the HelmChart and its source, or the OCIRepository) first and wait for its new revision]' \
'--force[Force a one-off install or upgrade, even when nothing changed]' \
'--reset[Reset the failure counters, so install and upgrade retries start over]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
(receiver)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(alert)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(alert-provider)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(suspend)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__suspend_commands" \
"*::: :->suspend" \
&& ret=0

    case $state in
    (suspend)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-suspend-command-$line[1]:"
        case $line[1] in
            (source)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__suspend__subcmd__source_commands" \
"*::: :->source" \
&& ret=0

    case $state in
    (source)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-suspend-source-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomization)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(alert)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(alert-provider)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(receiver)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(canary)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(resume)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__resume_commands" \
"*::: :->resume" \
&& ret=0

    case $state in
    (resume)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-resume-command-$line[1]:"
        case $line[1] in
            (source)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__resume__subcmd__source_commands" \
"*::: :->source" \
&& ret=0

    case $state in
    (source)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-resume-source-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomization)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(alert)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(alert-provider)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(receiver)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the resumed objects to be reconciled]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(canary)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(promote)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__promote_commands" \
"*::: :->promote" \
&& ret=0

    case $state in
    (promote)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-promote-command-$line[1]:"
        case $line[1] in
            (canary)
_arguments "${_arguments_options[@]}" : \
'--wait=[Wait for the approved rollout or promotion to start]:BOOL:(true false)' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Canary:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(delete)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__delete_commands" \
"*::: :->delete" \
&& ret=0

    case $state in
    (delete)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-delete-command-$line[1]:"
        case $line[1] in
            (source)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__delete__subcmd__source_commands" \
"*::: :->source" \
&& ret=0

    case $state in
    (source)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-delete-source-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomization)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(alert)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(alert-provider)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(receiver)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
(canary)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-s[Do not ask for confirmation]' \
'--silent[Do not ask for confirmation]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(export)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__export_commands" \
"*::: :->export" \
&& ret=0

    case $state in
    (export)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-export-command-$line[1]:"
        case $line[1] in
            (source)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__export__subcmd__source_commands" \
"*::: :->source" \
&& ret=0

    case $state in
    (source)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-export-source-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--with-credentials[Also export the Secret each source references]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--with-credentials[Also export the Secret each source references]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(chart)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--with-credentials[Also export the Secret each source references]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(oci)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--with-credentials[Also export the Secret each source references]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(bucket)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--with-credentials[Also export the Secret each source references]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomization)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(alert)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(alert-provider)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(receiver)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
(canary)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--all[Every object of this kind in the namespace]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::name -- Name of the object:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(kustomize)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__kustomize_commands" \
"*::: :->kustomize" \
&& ret=0

    case $state in
    (kustomize)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-kustomize-command-$line[1]:"
        case $line[1] in
            (build)
_arguments "${_arguments_options[@]}" : \
'--reorder=[Order of the output\: \`legacy\` (kustomize'\''s kind order\: Namespaces and CRDs first, webhooks last) or \`none\` (the order resources were read in); a \`sortOptions\` field in the kustomization wins]:ORDER:(legacy none)' \
'--load-restrictor=[Which files a kustomization may read\: \`LoadRestrictionsRootOnly\` or \`root-only\` (only files in or below its own directory; bases may be anywhere in the build root) or \`LoadRestrictionsNone\` or \`none\` (any file in the build root)]:RESTRICTION:(LoadRestrictionsRootOnly LoadRestrictionsNone)' \
'--root=[Directory no read may leave (default\: the Git work tree holding DIR, else the current directory if it holds DIR, else DIR)]:PATH:_files' \
'-o+[Write the YAML to this file (replaced atomically) instead of stdout]:FILE:_files' \
'--output=[Write the YAML to this file (replaced atomically) instead of stdout]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'::dir -- Directory holding a kustomization.yaml, kustomization.yml or Kustomization file:_files' \
&& ret=0
;;
        esac
    ;;
esac
;;
(helm)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__helm_commands" \
"*::: :->helm" \
&& ret=0

    case $state in
    (helm)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-helm-command-$line[1]:"
        case $line[1] in
            (template)
_arguments "${_arguments_options[@]}" : \
'*-f+[Values files, merged in order (later wins)]:FILE:_files' \
'*--values=[Values files, merged in order (later wins)]:FILE:_files' \
'*--set=[Values as key=value\[,key=value\] (typed as Helm types them)]:KEY=VALUE:_default' \
'*--set-string=[Values as key=value, always strings]:KEY=VALUE:_default' \
'*--set-json=[Values as key=JSON (a JSON value, object or array)]:KEY=JSON:_default' \
'*--set-file=[Values read from files, as key=path]:KEY=PATH:_default' \
'*--set-literal=[Values as key=value, the value taken literally (no commas or escapes parsed)]:KEY=VALUE:_default' \
'--kube-version=[Kubernetes version for \`.Capabilities.KubeVersion\` and the chart'\''s kubeVersion check]:VERSION:_default' \
'*-a+[Extra API versions for \`.Capabilities.APIVersions\` (repeatable or comma-separated)]:GROUP/VERSION:_default' \
'*--api-versions=[Extra API versions for \`.Capabilities.APIVersions\` (repeatable or comma-separated)]:GROUP/VERSION:_default' \
'*-s+[Print only the manifests from these templates (paths below the chart, globs allowed)]:PATH:_default' \
'*--show-only=[Print only the manifests from these templates (paths below the chart, globs allowed)]:PATH:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--include-crds[Print the chart'\''s CRDs (crds/) before the other manifests]' \
'--skip-tests[Leave out test hooks]' \
'--skip-schema-validation[Do not validate values against values.schema.json]' \
'--debug[On a YAML error, print the rendered manifests before the error]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::args -- \[NAME\] CHART\: the release name (default `release-name`) and a chart directory or .tgz:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(build)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__build_commands" \
"*::: :->build" \
&& ret=0

    case $state in
    (build)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-build-command-$line[1]:"
        case $line[1] in
            (kustomization)
_arguments "${_arguments_options[@]}" : \
'--path=[Path to the manifests location]:PATH:_default' \
'--kustomization-file=[Path to the Flux Kustomization YAML file]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--dry-run[Dry run mode]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--path=[Path to the manifests location]:PATH:_default' \
'--kustomization-file=[Path to the Flux Kustomization YAML file]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--dry-run[Dry run mode]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--file=[Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster]:FILE:_files' \
'--chart=[Chart to render\: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)]:PATH:_files' \
'*--values=[Values file merged over the HelmRelease'\''s values, repeatable, in order (helm'\''s -f)]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--include-hooks[Print the chart'\''s hooks (tests included) after the objects of the release]' \
'--dry-run[Do not contact the cluster (requires --file; spec.valuesFrom entries must be optional)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--file=[Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster]:FILE:_files' \
'--chart=[Chart to render\: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)]:PATH:_files' \
'*--values=[Values file merged over the HelmRelease'\''s values, repeatable, in order (helm'\''s -f)]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--include-hooks[Print the chart'\''s hooks (tests included) after the objects of the release]' \
'--dry-run[Do not contact the cluster (requires --file; spec.valuesFrom entries must be optional)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(diff)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__diff_commands" \
"*::: :->diff" \
&& ret=0

    case $state in
    (diff)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-diff-command-$line[1]:"
        case $line[1] in
            (kustomization)
_arguments "${_arguments_options[@]}" : \
'--path=[Path to a local directory that matches the specified Kustomization.spec.path]:PATH:_default' \
'--kustomization-file=[Path to the Flux Kustomization YAML file]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'--path=[Path to a local directory that matches the specified Kustomization.spec.path]:PATH:_default' \
'--kustomization-file=[Path to the Flux Kustomization YAML file]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(helmrelease)
_arguments "${_arguments_options[@]}" : \
'--file=[Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster]:FILE:_files' \
'--chart=[Chart to render\: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)]:PATH:_files' \
'*--values=[Values file merged over the HelmRelease'\''s values, repeatable, in order (helm'\''s -f)]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
(hr)
_arguments "${_arguments_options[@]}" : \
'--file=[Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it both are read from the cluster]:FILE:_files' \
'--chart=[Chart to render\: a chart directory or a packaged .tgz (required for charts from a GitRepository, a Bucket or a chartRef)]:PATH:_files' \
'*--values=[Values file merged over the HelmRelease'\''s values, repeatable, in order (helm'\''s -f)]:FILE:_files' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Name of the HelmRelease:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(tree)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__tree_commands" \
"*::: :->tree" \
&& ret=0

    case $state in
    (tree)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-tree-command-$line[1]:"
        case $line[1] in
            (kustomization)
_arguments "${_arguments_options[@]}" : \
'-o+[The format in which the tree should be printed\: json or yaml]:OUTPUT:_default' \
'--output=[The format in which the tree should be printed\: json or yaml]:OUTPUT:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--compact[List Flux resources only]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
(ks)
_arguments "${_arguments_options[@]}" : \
'-o+[The format in which the tree should be printed\: json or yaml]:OUTPUT:_default' \
'--output=[The format in which the tree should be printed\: json or yaml]:OUTPUT:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--compact[List Flux resources only]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- Name of the Kustomization:_default' \
&& ret=0
;;
        esac
    ;;
esac
;;
(events)
_arguments "${_arguments_options[@]}" : \
'--for=[Get events for a particular object, as Kind\[/name\]]:KIND[/NAME]:_default' \
'*--types=[Filter events by type\: Normal, Warning (comma-separated)]:TYPES:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'-A[Display events from Flux resources across all namespaces]' \
'--all-namespaces[Display events from Flux resources across all namespaces]' \
'-w[Stream the events (until --timeout)]' \
'--watch[Stream the events (until --timeout)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(bootstrap)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_tk__subcmd__bootstrap_commands" \
"*::: :->bootstrap" \
&& ret=0

    case $state in
    (bootstrap)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tk-bootstrap-command-$line[1]:"
        case $line[1] in
            (git)
_arguments "${_arguments_options[@]}" : \
'--url=[Repository address\: ssh\://user@host\[\:port\]/path, https\://host/path (http\:// with --allow-insecure-http)]:URL:_default' \
'-u+[Basic auth user name over HTTP/S; the SSH user when the URL names none]:USERNAME:_default' \
'--username=[Basic auth user name over HTTP/S; the SSH user when the URL names none]:USERNAME:_default' \
'-p+[Basic auth password over HTTP/S, or the passphrase of --private-key-file]:PASSWORD:_default' \
'--password=[Basic auth password over HTTP/S, or the passphrase of --private-key-file]:PASSWORD:_default' \
'*--components=[Components to install, comma-separated (default\: source-controller, kustomize-controller, helm-controller, notification-controller; \`tk upgrade\` keeps the installed set)]:NAMES:_default' \
'*--components-extra=[Components to install in addition to those given or defaulted, comma-separated\: canary-controller (Flagger'\''s Canary, MetricTemplate and AlertProvider)]:NAMES:_default' \
'--registry=[Container registry the controller image is pulled from]:REGISTRY:_default' \
'-v+[Version of the components to install (must match this binary)]:VERSION:_default' \
'--version=[Version of the components to install (must match this binary)]:VERSION:_default' \
'--image-pull-secret=[Name of a Secret in the install namespace used to pull the image]:SECRET:_default' \
'--watch-all-namespaces=[Reconcile custom resources in all namespaces (false\: only the install namespace)]:BOOL:(true false)' \
'--network-policy=[Deny ingress to the components from outside the namespace, except webhooks and metrics]:BOOL:(true false)' \
'--log-level=[Log level of the controllers]:LOG_LEVEL:(debug info error)' \
'--cluster-domain=[Internal cluster domain, used for the events address]:CLUSTER_DOMAIN:_default' \
'*--toleration-keys=[Toleration keys added to the controller pods (comma-separated)]:TOLERATION_KEYS:_default' \
'--ssh-key-algorithm=[Algorithm of the generated SSH key]:SSH_KEY_ALGORITHM:(ecdsa ed25519 rsa)' \
'--ssh-ecdsa-curve=[Curve of a generated ECDSA key]:SSH_ECDSA_CURVE:(p256 p384 p521)' \
'--ssh-rsa-bits=[Size of a generated RSA key in bits]:BITS:_default' \
'--branch=[Branch the manifests are committed to and the cluster reconciles]:BRANCH:_default' \
'--path=[Directory of the repository the cluster reconciles (e.g. clusters/prod); the manifests go to <path>/<namespace>/]:PATH:_default' \
'--interval=[How often the cluster fetches the repository, as a Go duration]:DURATION:_default' \
'--secret-name=[Name of the Secret holding the cluster'\''s Git credentials]:NAME:_default' \
'--ssh-hostname=[Host (and port) the cluster reaches the repository at over SSH, when it differs from the one in the URL]:HOST[:PORT]:_default' \
'--private-key-file=[Private SSH key the cluster authenticates with (\`bootstrap git\`\: also the one that pushes); default\: a new key pair for the cluster]:PATH:_default' \
'--ca-file=[PEM CA certificates trusted for HTTPS (Git server and API), stored in the Secret]:PATH:_default' \
'--author-name=[Author name of the commits]:AUTHOR_NAME:_default' \
'--author-email=[Author email of the commits (default\: none, as flux writes them)]:AUTHOR_EMAIL:_default' \
'--commit-message-appendix=[Text appended to the commit messages]:TEXT:_default' \
'--gpg-key-ring=[OpenPGP secret keyring (armored or binary) to sign the commits with]:PATH:_default' \
'--gpg-key-id=[ID of the key in --gpg-key-ring to sign with (default\: the first)]:ID:_default' \
'--gpg-passphrase=[Passphrase of the signing key]:PASSPHRASE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--with-bearer-token[Send the password as a bearer token (\`Authorization\: Bearer\`) instead of basic auth]' \
'--allow-insecure-http[Allow an http\:// URL (credentials travel in clear)]' \
'-s[Do not ask whether the generated deploy key was added to the repository]' \
'--silent[Do not ask whether the generated deploy key was added to the repository]' \
'--token-auth[The cluster authenticates with the token/password rather than an SSH key]' \
'--force[Take over a namespace another tool manages (its \`app.kubernetes.io/managed-by\` label says so)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(github)
_arguments "${_arguments_options[@]}" : \
'--owner=[User, organisation or group (GitLab\: with subgroups, group/sub) owning the repository]:OWNER:_default' \
'--repository=[Name of the repository]:REPOSITORY:_default' \
'*--team=[Team (GitLab\: group path) given access, as NAME or NAME\:PERMISSION (pull, triage, push, maintain, admin; default maintain); repeatable]:NAME[:PERMISSION]:_default' \
'--private=[Create the repository private (true) or public (false)]:BOOL:(true false)' \
'--hostname=[GitHub host; another one is GitHub Enterprise, its API at https\://HOST/api/v3]:HOST[:PORT]:_default' \
'*--components=[Components to install, comma-separated (default\: source-controller, kustomize-controller, helm-controller, notification-controller; \`tk upgrade\` keeps the installed set)]:NAMES:_default' \
'*--components-extra=[Components to install in addition to those given or defaulted, comma-separated\: canary-controller (Flagger'\''s Canary, MetricTemplate and AlertProvider)]:NAMES:_default' \
'--registry=[Container registry the controller image is pulled from]:REGISTRY:_default' \
'-v+[Version of the components to install (must match this binary)]:VERSION:_default' \
'--version=[Version of the components to install (must match this binary)]:VERSION:_default' \
'--image-pull-secret=[Name of a Secret in the install namespace used to pull the image]:SECRET:_default' \
'--watch-all-namespaces=[Reconcile custom resources in all namespaces (false\: only the install namespace)]:BOOL:(true false)' \
'--network-policy=[Deny ingress to the components from outside the namespace, except webhooks and metrics]:BOOL:(true false)' \
'--log-level=[Log level of the controllers]:LOG_LEVEL:(debug info error)' \
'--cluster-domain=[Internal cluster domain, used for the events address]:CLUSTER_DOMAIN:_default' \
'*--toleration-keys=[Toleration keys added to the controller pods (comma-separated)]:TOLERATION_KEYS:_default' \
'--ssh-key-algorithm=[Algorithm of the generated SSH key]:SSH_KEY_ALGORITHM:(ecdsa ed25519 rsa)' \
'--ssh-ecdsa-curve=[Curve of a generated ECDSA key]:SSH_ECDSA_CURVE:(p256 p384 p521)' \
'--ssh-rsa-bits=[Size of a generated RSA key in bits]:BITS:_default' \
'--branch=[Branch the manifests are committed to and the cluster reconciles]:BRANCH:_default' \
'--path=[Directory of the repository the cluster reconciles (e.g. clusters/prod); the manifests go to <path>/<namespace>/]:PATH:_default' \
'--interval=[How often the cluster fetches the repository, as a Go duration]:DURATION:_default' \
'--secret-name=[Name of the Secret holding the cluster'\''s Git credentials]:NAME:_default' \
'--ssh-hostname=[Host (and port) the cluster reaches the repository at over SSH, when it differs from the one in the URL]:HOST[:PORT]:_default' \
'--private-key-file=[Private SSH key the cluster authenticates with (\`bootstrap git\`\: also the one that pushes); default\: a new key pair for the cluster]:PATH:_default' \
'--ca-file=[PEM CA certificates trusted for HTTPS (Git server and API), stored in the Secret]:PATH:_default' \
'--author-name=[Author name of the commits]:AUTHOR_NAME:_default' \
'--author-email=[Author email of the commits (default\: none, as flux writes them)]:AUTHOR_EMAIL:_default' \
'--commit-message-appendix=[Text appended to the commit messages]:TEXT:_default' \
'--gpg-key-ring=[OpenPGP secret keyring (armored or binary) to sign the commits with]:PATH:_default' \
'--gpg-key-id=[ID of the key in --gpg-key-ring to sign with (default\: the first)]:ID:_default' \
'--gpg-passphrase=[Passphrase of the signing key]:PASSPHRASE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--personal[The owner is the token'\''s own user, not an organisation or group]' \
'--read-write-key[The cluster'\''s deploy key may push (read-only by default)]' \
'--reconcile[Bring an existing repository'\''s description, default branch and visibility in line]' \
'--token-auth[The cluster authenticates with the token/password rather than an SSH key]' \
'--force[Take over a namespace another tool manages (its \`app.kubernetes.io/managed-by\` label says so)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(gitlab)
_arguments "${_arguments_options[@]}" : \
'--owner=[User, organisation or group (GitLab\: with subgroups, group/sub) owning the repository]:OWNER:_default' \
'--repository=[Name of the repository]:REPOSITORY:_default' \
'*--team=[Team (GitLab\: group path) given access, as NAME or NAME\:PERMISSION (pull, triage, push, maintain, admin; default maintain); repeatable]:NAME[:PERMISSION]:_default' \
'--visibility=[Visibility of a created project]:VISIBILITY:(private internal public)' \
'--hostname=[GitLab host (self-managed GitLab\: its host and port)]:HOST[:PORT]:_default' \
'*--components=[Components to install, comma-separated (default\: source-controller, kustomize-controller, helm-controller, notification-controller; \`tk upgrade\` keeps the installed set)]:NAMES:_default' \
'*--components-extra=[Components to install in addition to those given or defaulted, comma-separated\: canary-controller (Flagger'\''s Canary, MetricTemplate and AlertProvider)]:NAMES:_default' \
'--registry=[Container registry the controller image is pulled from]:REGISTRY:_default' \
'-v+[Version of the components to install (must match this binary)]:VERSION:_default' \
'--version=[Version of the components to install (must match this binary)]:VERSION:_default' \
'--image-pull-secret=[Name of a Secret in the install namespace used to pull the image]:SECRET:_default' \
'--watch-all-namespaces=[Reconcile custom resources in all namespaces (false\: only the install namespace)]:BOOL:(true false)' \
'--network-policy=[Deny ingress to the components from outside the namespace, except webhooks and metrics]:BOOL:(true false)' \
'--log-level=[Log level of the controllers]:LOG_LEVEL:(debug info error)' \
'--cluster-domain=[Internal cluster domain, used for the events address]:CLUSTER_DOMAIN:_default' \
'*--toleration-keys=[Toleration keys added to the controller pods (comma-separated)]:TOLERATION_KEYS:_default' \
'--ssh-key-algorithm=[Algorithm of the generated SSH key]:SSH_KEY_ALGORITHM:(ecdsa ed25519 rsa)' \
'--ssh-ecdsa-curve=[Curve of a generated ECDSA key]:SSH_ECDSA_CURVE:(p256 p384 p521)' \
'--ssh-rsa-bits=[Size of a generated RSA key in bits]:BITS:_default' \
'--branch=[Branch the manifests are committed to and the cluster reconciles]:BRANCH:_default' \
'--path=[Directory of the repository the cluster reconciles (e.g. clusters/prod); the manifests go to <path>/<namespace>/]:PATH:_default' \
'--interval=[How often the cluster fetches the repository, as a Go duration]:DURATION:_default' \
'--secret-name=[Name of the Secret holding the cluster'\''s Git credentials]:NAME:_default' \
'--ssh-hostname=[Host (and port) the cluster reaches the repository at over SSH, when it differs from the one in the URL]:HOST[:PORT]:_default' \
'--private-key-file=[Private SSH key the cluster authenticates with (\`bootstrap git\`\: also the one that pushes); default\: a new key pair for the cluster]:PATH:_default' \
'--ca-file=[PEM CA certificates trusted for HTTPS (Git server and API), stored in the Secret]:PATH:_default' \
'--author-name=[Author name of the commits]:AUTHOR_NAME:_default' \
'--author-email=[Author email of the commits (default\: none, as flux writes them)]:AUTHOR_EMAIL:_default' \
'--commit-message-appendix=[Text appended to the commit messages]:TEXT:_default' \
'--gpg-key-ring=[OpenPGP secret keyring (armored or binary) to sign the commits with]:PATH:_default' \
'--gpg-key-id=[ID of the key in --gpg-key-ring to sign with (default\: the first)]:ID:_default' \
'--gpg-passphrase=[Passphrase of the signing key]:PASSPHRASE:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--personal[The owner is the token'\''s own user, not an organisation or group]' \
'--read-write-key[The cluster'\''s deploy key may push (read-only by default)]' \
'--reconcile[Bring an existing repository'\''s description, default branch and visibility in line]' \
'--deploy-token-auth[The cluster authenticates with a project deploy token (read_repository) instead of an SSH key]' \
'--token-auth[The cluster authenticates with the token/password rather than an SSH key]' \
'--force[Take over a namespace another tool manages (its \`app.kubernetes.io/managed-by\` label says so)]' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
        esac
    ;;
esac
;;
(controller)
_arguments "${_arguments_options[@]}" : \
'--events-addr=[The address of the notification controller'\''s event endpoint (the last one given wins)]:URL:_default' \
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
'--no-cross-namespace-refs=[Refuse references to sources, dependencies and secrets in other namespaces]::BOOL:(true false)' \
'--default-service-account=[ServiceAccount (in the object'\''s namespace) to impersonate when an object names none]:NAME:_default' \
'--artifact-fetch-retries=[How many times a failed artifact download is retried]:N:_default' \
'--storage-path=[Directory artifacts are stored in (default\: <temp dir>/tk-artifacts)]:PATH:_files' \
'--storage-addr=[Address the artifact file server listens on]:ADDR:_default' \
'--storage-adv-addr=[host\[\:port\] other controllers fetch artifacts from (default\: the listen address)]:HOST:_default' \
'--artifact-retention-ttl=[How long superseded artifacts are kept]:DURATION:_default' \
'--artifact-retention-records=[How many artifacts per object are kept, the current one included]:N:_default' \
'--events-listen-addr=[Address the event endpoint (\`POST /\`, Service notification-controller) listens on; "0" turns it off (the last one given wins)]:ADDR:_default' \
'--receiver-addr=[Address the webhook receivers (Service webhook-receiver) listen on; "0" turns them off (the last one given wins)]:ADDR:_default' \
'--rate-limit-interval=[How long an event identical to one already dispatched for the same object is refused (HTTP 429)]:DURATION:_default' \
'--mesh-provider=[The traffic provider of Canaries that set no spec.provider (kubernetes, gatewayapi\:v1)]:PROVIDER:_default' \
'--metrics-server=[The Prometheus the built-in metrics (request-success-rate, request-duration) are queried from, unless a Canary sets spec.metricsServer]:URL:_default' \
'--selector-labels=[Label keys, in order, that tell a target'\''s pods apart in its selector]:KEYS:_default' \
'--enable-config-tracking=[Make the ConfigMaps and Secrets a target'\''s pods use part of its revision]::BOOL:(true false)' \
'--min-analysis-interval=[The shortest analysis interval honoured; shorter ones are raised to it (Flagger\: 10s)]:DURATION:_default' \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':name -- Which controller to run:((source\:""
kustomize\:""
helm\:""
notification\:""
canary\:"Flagger'\''s Canaries (an extra component, not part of \`all\`)"
all\:""))' \
&& ret=0
;;
(docs)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
'::dir -- Directory the pages are written to:_files' \
&& ret=0
;;
(crds)
_arguments "${_arguments_options[@]}" : \
'--kubeconfig=[Path to the kubeconfig file (default\: \$KUBECONFIG or ~/.kube/config)]:PATH:_default' \
'--context=[The kubeconfig context to use]:NAME:_default' \
'-n+[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--namespace=[The namespace tk is installed in and the objects commands act on live in]:NAME:_default' \
'--timeout=[How long to wait for an operation, as a Go duration (30s, 5m, 1h)]:DURATION:_default' \
'--verbose[Print more detail\: each object applied, each check made]' \
'-h[Print help]' \
'--help[Print help]' \
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
'create:Create or update sources, secrets, Kustomizations, HelmReleases, alerts, receivers and canaries' \
'get:Print the status of sources, Kustomizations, HelmReleases, alerts, receivers and canaries' \
'reconcile:Ask for an immediate reconcile and wait for it' \
'suspend:Stop reconciling sources, Kustomizations, HelmReleases, alerts, receivers and canaries' \
'resume:Reconcile suspended sources, Kustomizations, HelmReleases, alerts, receivers and canaries again' \
'promote:Approve the promotion of a canary'\''s revision under analysis' \
'delete:Delete sources, Kustomizations, HelmReleases, alerts, receivers and canaries' \
'export:Print sources, Kustomizations, HelmReleases, alerts, receivers and canaries as YAML that can be applied again' \
'kustomize:Build kustomizations locally, as \`kustomize build\` does' \
'helm:Render Helm charts locally, as \`helm template\` does' \
'build:Build a Kustomization'\''s manifests locally, as the controller would' \
'diff:Diff a Kustomization'\''s local manifests against the cluster' \
'tree:Print the objects a Kustomization applied, as a tree' \
'events:Print the Kubernetes events of Flux objects' \
'bootstrap:Put a cluster under GitOps\: commit tk'\''s manifests to a Git repository, install tk and make the cluster reconcile itself from that repository' \
'controller:Run a controller (in-cluster, or locally against a kubeconfig)' \
'docs:Write the markdown reference for every command into a directory' \
'crds:Print the CRDs generated from the API types, as JSON (for hack/generated.sh)' \
    )
    _describe -t commands 'tk commands' commands "$@"
}
(( $+functions[_tk__subcmd__bootstrap_commands] )) ||
_tk__subcmd__bootstrap_commands() {
    local commands; commands=(
'git:Bootstrap from any Git server reached over SSH or HTTPS' \
'github:Bootstrap from a GitHub (or GitHub Enterprise) repository, created if missing, with a deploy key for the cluster' \
'gitlab:Bootstrap from a GitLab (or self-managed GitLab) project, created if missing, with a deploy key or deploy token for the cluster' \
    )
    _describe -t commands 'tk bootstrap commands' commands "$@"
}
(( $+functions[_tk__subcmd__bootstrap__subcmd__git_commands] )) ||
_tk__subcmd__bootstrap__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk bootstrap git commands' commands "$@"
}
(( $+functions[_tk__subcmd__bootstrap__subcmd__github_commands] )) ||
_tk__subcmd__bootstrap__subcmd__github_commands() {
    local commands; commands=()
    _describe -t commands 'tk bootstrap github commands' commands "$@"
}
(( $+functions[_tk__subcmd__bootstrap__subcmd__gitlab_commands] )) ||
_tk__subcmd__bootstrap__subcmd__gitlab_commands() {
    local commands; commands=()
    _describe -t commands 'tk bootstrap gitlab commands' commands "$@"
}
(( $+functions[_tk__subcmd__build_commands] )) ||
_tk__subcmd__build_commands() {
    local commands; commands=(
'kustomization:Build Kustomization' \
'ks:Build Kustomization' \
'helmrelease:Build HelmRelease' \
'hr:Build HelmRelease' \
    )
    _describe -t commands 'tk build commands' commands "$@"
}
(( $+functions[_tk__subcmd__build__subcmd__helmrelease_commands] )) ||
_tk__subcmd__build__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk build helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__build__subcmd__kustomization_commands] )) ||
_tk__subcmd__build__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk build kustomization commands' commands "$@"
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
(( $+functions[_tk__subcmd__crds_commands] )) ||
_tk__subcmd__crds_commands() {
    local commands; commands=()
    _describe -t commands 'tk crds commands' commands "$@"
}
(( $+functions[_tk__subcmd__create_commands] )) ||
_tk__subcmd__create_commands() {
    local commands; commands=(
'source:Create or update sources' \
'secret:Create or update Kubernetes secrets for sources' \
'kustomization:Create or update a Kustomization and wait for it to be applied' \
'ks:Create or update a Kustomization and wait for it to be applied' \
'helmrelease:Create or update a HelmRelease and wait for it to be released' \
'hr:Create or update a HelmRelease and wait for it to be released' \
'tenant:Create or update a tenant\: its namespaces, service accounts and role bindings' \
'alert-provider:Create or update a Provider\: where alerts are sent' \
'alert:Create or update an Alert\: which events of which objects go to a Provider' \
'receiver:Create or update a Receiver and print its webhook URL path' \
'canary:Create or update a Canary and wait for the canary controller to initialize it' \
    )
    _describe -t commands 'tk create commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__alert_commands] )) ||
_tk__subcmd__create__subcmd__alert_commands() {
    local commands; commands=()
    _describe -t commands 'tk create alert commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__alert-provider_commands] )) ||
_tk__subcmd__create__subcmd__alert-provider_commands() {
    local commands; commands=()
    _describe -t commands 'tk create alert-provider commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__canary_commands] )) ||
_tk__subcmd__create__subcmd__canary_commands() {
    local commands; commands=()
    _describe -t commands 'tk create canary commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__helmrelease_commands] )) ||
_tk__subcmd__create__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk create helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__kustomization_commands] )) ||
_tk__subcmd__create__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk create kustomization commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__receiver_commands] )) ||
_tk__subcmd__create__subcmd__receiver_commands() {
    local commands; commands=()
    _describe -t commands 'tk create receiver commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__secret_commands] )) ||
_tk__subcmd__create__subcmd__secret_commands() {
    local commands; commands=(
'git:Create or update a Secret with Git credentials (SSH key and known_hosts, basic auth or a bearer token)' \
'helm:Create or update a Secret with Helm repository credentials (basic auth and TLS certificates)' \
'oci:Create or update a docker-registry Secret with registry credentials, for OCIRepository sources' \
    )
    _describe -t commands 'tk create secret commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__secret__subcmd__git_commands] )) ||
_tk__subcmd__create__subcmd__secret__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk create secret git commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__secret__subcmd__helm_commands] )) ||
_tk__subcmd__create__subcmd__secret__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk create secret helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__secret__subcmd__oci_commands] )) ||
_tk__subcmd__create__subcmd__secret__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk create secret oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__source_commands] )) ||
_tk__subcmd__create__subcmd__source_commands() {
    local commands; commands=(
'git:Create or update a GitRepository source and wait for its first artifact' \
'helm:Create or update a HelmRepository source and wait for it to fetch the index' \
'chart:Create or update a HelmChart source and wait for the chart to be available' \
'oci:Create or update an OCIRepository source and wait for its first artifact' \
'bucket:Create or update a Bucket source and wait for its first artifact' \
    )
    _describe -t commands 'tk create source commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__source__subcmd__bucket_commands] )) ||
_tk__subcmd__create__subcmd__source__subcmd__bucket_commands() {
    local commands; commands=()
    _describe -t commands 'tk create source bucket commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__source__subcmd__chart_commands] )) ||
_tk__subcmd__create__subcmd__source__subcmd__chart_commands() {
    local commands; commands=()
    _describe -t commands 'tk create source chart commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__source__subcmd__git_commands] )) ||
_tk__subcmd__create__subcmd__source__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk create source git commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__source__subcmd__helm_commands] )) ||
_tk__subcmd__create__subcmd__source__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk create source helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__source__subcmd__oci_commands] )) ||
_tk__subcmd__create__subcmd__source__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk create source oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__create__subcmd__tenant_commands] )) ||
_tk__subcmd__create__subcmd__tenant_commands() {
    local commands; commands=()
    _describe -t commands 'tk create tenant commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete_commands] )) ||
_tk__subcmd__delete_commands() {
    local commands; commands=(
'source:Delete sources' \
'kustomization:Delete a Kustomization (with prune, the objects it applied are deleted too)' \
'ks:Delete a Kustomization (with prune, the objects it applied are deleted too)' \
'helmrelease:Delete a HelmRelease (the helm controller uninstalls its release)' \
'hr:Delete a HelmRelease (the helm controller uninstalls its release)' \
'alert:Delete an Alert' \
'alert-provider:Delete a Provider' \
'receiver:Delete a Receiver' \
'canary:Delete a Canary (with spec.revertOnDeletion, the controller restores the target first)' \
    )
    _describe -t commands 'tk delete commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__alert_commands] )) ||
_tk__subcmd__delete__subcmd__alert_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete alert commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__alert-provider_commands] )) ||
_tk__subcmd__delete__subcmd__alert-provider_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete alert-provider commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__canary_commands] )) ||
_tk__subcmd__delete__subcmd__canary_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete canary commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__helmrelease_commands] )) ||
_tk__subcmd__delete__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__kustomization_commands] )) ||
_tk__subcmd__delete__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete kustomization commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__receiver_commands] )) ||
_tk__subcmd__delete__subcmd__receiver_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete receiver commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__source_commands] )) ||
_tk__subcmd__delete__subcmd__source_commands() {
    local commands; commands=(
'git:Delete a GitRepository source' \
'helm:Delete a HelmRepository source' \
'chart:Delete a HelmChart source' \
'oci:Delete an OCIRepository source' \
'bucket:Delete a Bucket source' \
    )
    _describe -t commands 'tk delete source commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__source__subcmd__bucket_commands] )) ||
_tk__subcmd__delete__subcmd__source__subcmd__bucket_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete source bucket commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__source__subcmd__chart_commands] )) ||
_tk__subcmd__delete__subcmd__source__subcmd__chart_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete source chart commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__source__subcmd__git_commands] )) ||
_tk__subcmd__delete__subcmd__source__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete source git commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__source__subcmd__helm_commands] )) ||
_tk__subcmd__delete__subcmd__source__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete source helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__delete__subcmd__source__subcmd__oci_commands] )) ||
_tk__subcmd__delete__subcmd__source__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk delete source oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__diff_commands] )) ||
_tk__subcmd__diff_commands() {
    local commands; commands=(
'kustomization:Diff Kustomization' \
'ks:Diff Kustomization' \
'helmrelease:Diff HelmRelease' \
'hr:Diff HelmRelease' \
    )
    _describe -t commands 'tk diff commands' commands "$@"
}
(( $+functions[_tk__subcmd__diff__subcmd__helmrelease_commands] )) ||
_tk__subcmd__diff__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk diff helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__diff__subcmd__kustomization_commands] )) ||
_tk__subcmd__diff__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk diff kustomization commands' commands "$@"
}
(( $+functions[_tk__subcmd__docs_commands] )) ||
_tk__subcmd__docs_commands() {
    local commands; commands=()
    _describe -t commands 'tk docs commands' commands "$@"
}
(( $+functions[_tk__subcmd__events_commands] )) ||
_tk__subcmd__events_commands() {
    local commands; commands=()
    _describe -t commands 'tk events commands' commands "$@"
}
(( $+functions[_tk__subcmd__export_commands] )) ||
_tk__subcmd__export_commands() {
    local commands; commands=(
'source:Export sources' \
'kustomization:Export Kustomizations as YAML' \
'ks:Export Kustomizations as YAML' \
'helmrelease:Export HelmReleases as YAML' \
'hr:Export HelmReleases as YAML' \
'alert:Export Alerts as YAML' \
'alert-provider:Export Providers as YAML' \
'receiver:Export Receivers as YAML' \
'canary:Export Canaries as YAML' \
    )
    _describe -t commands 'tk export commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__alert_commands] )) ||
_tk__subcmd__export__subcmd__alert_commands() {
    local commands; commands=()
    _describe -t commands 'tk export alert commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__alert-provider_commands] )) ||
_tk__subcmd__export__subcmd__alert-provider_commands() {
    local commands; commands=()
    _describe -t commands 'tk export alert-provider commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__canary_commands] )) ||
_tk__subcmd__export__subcmd__canary_commands() {
    local commands; commands=()
    _describe -t commands 'tk export canary commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__helmrelease_commands] )) ||
_tk__subcmd__export__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk export helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__kustomization_commands] )) ||
_tk__subcmd__export__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk export kustomization commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__receiver_commands] )) ||
_tk__subcmd__export__subcmd__receiver_commands() {
    local commands; commands=()
    _describe -t commands 'tk export receiver commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__source_commands] )) ||
_tk__subcmd__export__subcmd__source_commands() {
    local commands; commands=(
'git:Export GitRepository sources as YAML' \
'helm:Export HelmRepository sources as YAML' \
'chart:Export HelmChart sources as YAML' \
'oci:Export OCIRepository sources as YAML' \
'bucket:Export Bucket sources as YAML' \
    )
    _describe -t commands 'tk export source commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__source__subcmd__bucket_commands] )) ||
_tk__subcmd__export__subcmd__source__subcmd__bucket_commands() {
    local commands; commands=()
    _describe -t commands 'tk export source bucket commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__source__subcmd__chart_commands] )) ||
_tk__subcmd__export__subcmd__source__subcmd__chart_commands() {
    local commands; commands=()
    _describe -t commands 'tk export source chart commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__source__subcmd__git_commands] )) ||
_tk__subcmd__export__subcmd__source__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk export source git commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__source__subcmd__helm_commands] )) ||
_tk__subcmd__export__subcmd__source__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk export source helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__export__subcmd__source__subcmd__oci_commands] )) ||
_tk__subcmd__export__subcmd__source__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk export source oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__get_commands] )) ||
_tk__subcmd__get_commands() {
    local commands; commands=(
'sources:Print the status of sources' \
'source:Print the status of sources' \
'kustomizations:Print the status of Kustomizations' \
'kustomization:Print the status of Kustomizations' \
'ks:Print the status of Kustomizations' \
'helmreleases:Print the status of HelmReleases' \
'helmrelease:Print the status of HelmReleases' \
'hr:Print the status of HelmReleases' \
'alerts:Print the status of Alerts' \
'alert:Print the status of Alerts' \
'alert-providers:Print the status of Providers' \
'alert-provider:Print the status of Providers' \
'receivers:Print the status of Receivers' \
'receiver:Print the status of Receivers' \
'canaries:Print the status of Canaries\: phase, canary weight, failed checks' \
'canary:Print the status of Canaries\: phase, canary weight, failed checks' \
'all:Print the status of every source, HelmRelease, Kustomization, Receiver, Provider and Alert, one table per kind' \
    )
    _describe -t commands 'tk get commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__alert-providers_commands] )) ||
_tk__subcmd__get__subcmd__alert-providers_commands() {
    local commands; commands=()
    _describe -t commands 'tk get alert-providers commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__alerts_commands] )) ||
_tk__subcmd__get__subcmd__alerts_commands() {
    local commands; commands=()
    _describe -t commands 'tk get alerts commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__all_commands] )) ||
_tk__subcmd__get__subcmd__all_commands() {
    local commands; commands=()
    _describe -t commands 'tk get all commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__canaries_commands] )) ||
_tk__subcmd__get__subcmd__canaries_commands() {
    local commands; commands=()
    _describe -t commands 'tk get canaries commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__helmreleases_commands] )) ||
_tk__subcmd__get__subcmd__helmreleases_commands() {
    local commands; commands=()
    _describe -t commands 'tk get helmreleases commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__kustomizations_commands] )) ||
_tk__subcmd__get__subcmd__kustomizations_commands() {
    local commands; commands=()
    _describe -t commands 'tk get kustomizations commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__receivers_commands] )) ||
_tk__subcmd__get__subcmd__receivers_commands() {
    local commands; commands=()
    _describe -t commands 'tk get receivers commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__sources_commands] )) ||
_tk__subcmd__get__subcmd__sources_commands() {
    local commands; commands=(
'git:Print the status of GitRepository sources' \
'helm:Print the status of HelmRepository sources' \
'chart:Print the status of HelmChart sources' \
'oci:Print the status of OCIRepository sources' \
'bucket:Print the status of Bucket sources' \
'all:Print the status of every kind of source' \
    )
    _describe -t commands 'tk get sources commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__sources__subcmd__all_commands] )) ||
_tk__subcmd__get__subcmd__sources__subcmd__all_commands() {
    local commands; commands=()
    _describe -t commands 'tk get sources all commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__sources__subcmd__bucket_commands] )) ||
_tk__subcmd__get__subcmd__sources__subcmd__bucket_commands() {
    local commands; commands=()
    _describe -t commands 'tk get sources bucket commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__sources__subcmd__chart_commands] )) ||
_tk__subcmd__get__subcmd__sources__subcmd__chart_commands() {
    local commands; commands=()
    _describe -t commands 'tk get sources chart commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__sources__subcmd__git_commands] )) ||
_tk__subcmd__get__subcmd__sources__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk get sources git commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__sources__subcmd__helm_commands] )) ||
_tk__subcmd__get__subcmd__sources__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk get sources helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__get__subcmd__sources__subcmd__oci_commands] )) ||
_tk__subcmd__get__subcmd__sources__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk get sources oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__helm_commands] )) ||
_tk__subcmd__helm_commands() {
    local commands; commands=(
'template:Render a chart'\''s templates and print the manifests, as \`helm template\` does' \
    )
    _describe -t commands 'tk helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__helm__subcmd__template_commands] )) ||
_tk__subcmd__helm__subcmd__template_commands() {
    local commands; commands=()
    _describe -t commands 'tk helm template commands' commands "$@"
}
(( $+functions[_tk__subcmd__install_commands] )) ||
_tk__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'tk install commands' commands "$@"
}
(( $+functions[_tk__subcmd__kustomize_commands] )) ||
_tk__subcmd__kustomize_commands() {
    local commands; commands=(
'build:Build a kustomization directory and print the resources as YAML' \
    )
    _describe -t commands 'tk kustomize commands' commands "$@"
}
(( $+functions[_tk__subcmd__kustomize__subcmd__build_commands] )) ||
_tk__subcmd__kustomize__subcmd__build_commands() {
    local commands; commands=()
    _describe -t commands 'tk kustomize build commands' commands "$@"
}
(( $+functions[_tk__subcmd__promote_commands] )) ||
_tk__subcmd__promote_commands() {
    local commands; commands=(
'canary:Approve what a Canary waits for (its rollout or its promotion) and wait for it' \
    )
    _describe -t commands 'tk promote commands' commands "$@"
}
(( $+functions[_tk__subcmd__promote__subcmd__canary_commands] )) ||
_tk__subcmd__promote__subcmd__canary_commands() {
    local commands; commands=()
    _describe -t commands 'tk promote canary commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile_commands] )) ||
_tk__subcmd__reconcile_commands() {
    local commands; commands=(
'source:Reconcile a source' \
'kustomization:Apply a Kustomization now (and with --with-source, fetch its source first) and wait' \
'ks:Apply a Kustomization now (and with --with-source, fetch its source first) and wait' \
'helmrelease:Release a HelmRelease now (with --with-source, fetch its chart first) and wait' \
'hr:Release a HelmRelease now (with --with-source, fetch its chart first) and wait' \
'receiver:Reconcile a Receiver and wait for it to be ready' \
'alert:Annotate an Alert for reconciliation (Alerts have no status\: done once annotated)' \
'alert-provider:Annotate a Provider for reconciliation (Providers have no status\: done once annotated)' \
    )
    _describe -t commands 'tk reconcile commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__alert_commands] )) ||
_tk__subcmd__reconcile__subcmd__alert_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile alert commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__alert-provider_commands] )) ||
_tk__subcmd__reconcile__subcmd__alert-provider_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile alert-provider commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__helmrelease_commands] )) ||
_tk__subcmd__reconcile__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__kustomization_commands] )) ||
_tk__subcmd__reconcile__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile kustomization commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__receiver_commands] )) ||
_tk__subcmd__reconcile__subcmd__receiver_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile receiver commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__source_commands] )) ||
_tk__subcmd__reconcile__subcmd__source_commands() {
    local commands; commands=(
'git:Fetch a GitRepository now and wait for the new artifact' \
'helm:Download a HelmRepository'\''s index now and wait for the new artifact (an OCI repository has nothing to reconcile)' \
'chart:Build a HelmChart now (with --with-source, fetch its source first) and wait for the new artifact' \
'oci:Pull an OCIRepository'\''s artifact now and wait for the new revision' \
'bucket:Fetch a Bucket'\''s objects now and wait for the new artifact' \
    )
    _describe -t commands 'tk reconcile source commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__source__subcmd__bucket_commands] )) ||
_tk__subcmd__reconcile__subcmd__source__subcmd__bucket_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile source bucket commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__source__subcmd__chart_commands] )) ||
_tk__subcmd__reconcile__subcmd__source__subcmd__chart_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile source chart commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__source__subcmd__git_commands] )) ||
_tk__subcmd__reconcile__subcmd__source__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile source git commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__source__subcmd__helm_commands] )) ||
_tk__subcmd__reconcile__subcmd__source__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile source helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__reconcile__subcmd__source__subcmd__oci_commands] )) ||
_tk__subcmd__reconcile__subcmd__source__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk reconcile source oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume_commands] )) ||
_tk__subcmd__resume_commands() {
    local commands; commands=(
'source:Resume sources' \
'kustomization:Resume Kustomizations and wait for them to be applied' \
'ks:Resume Kustomizations and wait for them to be applied' \
'helmrelease:Resume HelmReleases and wait for them to be released' \
'hr:Resume HelmReleases and wait for them to be released' \
'alert:Resume suspended Alerts' \
'alert-provider:Resume suspended Providers' \
'receiver:Resume suspended Receivers and wait for them to be ready' \
'canary:Resume suspended Canaries\: the controller runs their analysis at once (Canaries report no handled request\: done once resumed)' \
    )
    _describe -t commands 'tk resume commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__alert_commands] )) ||
_tk__subcmd__resume__subcmd__alert_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume alert commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__alert-provider_commands] )) ||
_tk__subcmd__resume__subcmd__alert-provider_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume alert-provider commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__canary_commands] )) ||
_tk__subcmd__resume__subcmd__canary_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume canary commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__helmrelease_commands] )) ||
_tk__subcmd__resume__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__kustomization_commands] )) ||
_tk__subcmd__resume__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume kustomization commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__receiver_commands] )) ||
_tk__subcmd__resume__subcmd__receiver_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume receiver commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__source_commands] )) ||
_tk__subcmd__resume__subcmd__source_commands() {
    local commands; commands=(
'git:Resume GitRepository sources and wait for them to be ready' \
'helm:Resume HelmRepository sources and wait for them to be ready' \
'chart:Resume HelmChart sources and wait for them to be ready' \
'oci:Resume OCIRepository sources and wait for them to be ready' \
'bucket:Resume Bucket sources and wait for them to be ready' \
    )
    _describe -t commands 'tk resume source commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__source__subcmd__bucket_commands] )) ||
_tk__subcmd__resume__subcmd__source__subcmd__bucket_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume source bucket commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__source__subcmd__chart_commands] )) ||
_tk__subcmd__resume__subcmd__source__subcmd__chart_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume source chart commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__source__subcmd__git_commands] )) ||
_tk__subcmd__resume__subcmd__source__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume source git commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__source__subcmd__helm_commands] )) ||
_tk__subcmd__resume__subcmd__source__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume source helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__resume__subcmd__source__subcmd__oci_commands] )) ||
_tk__subcmd__resume__subcmd__source__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk resume source oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend_commands] )) ||
_tk__subcmd__suspend_commands() {
    local commands; commands=(
'source:Suspend sources' \
'kustomization:Suspend Kustomizations' \
'ks:Suspend Kustomizations' \
'helmrelease:Suspend HelmReleases' \
'hr:Suspend HelmReleases' \
'alert:Suspend Alerts\: no events are sent for them' \
'alert-provider:Suspend Providers\: no events are sent to them' \
'receiver:Suspend Receivers\: their webhooks trigger nothing' \
'canary:Suspend Canaries\: no analysis runs, no traffic shifts, until resumed' \
    )
    _describe -t commands 'tk suspend commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__alert_commands] )) ||
_tk__subcmd__suspend__subcmd__alert_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend alert commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__alert-provider_commands] )) ||
_tk__subcmd__suspend__subcmd__alert-provider_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend alert-provider commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__canary_commands] )) ||
_tk__subcmd__suspend__subcmd__canary_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend canary commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__helmrelease_commands] )) ||
_tk__subcmd__suspend__subcmd__helmrelease_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend helmrelease commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__kustomization_commands] )) ||
_tk__subcmd__suspend__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend kustomization commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__receiver_commands] )) ||
_tk__subcmd__suspend__subcmd__receiver_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend receiver commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__source_commands] )) ||
_tk__subcmd__suspend__subcmd__source_commands() {
    local commands; commands=(
'git:Suspend GitRepository sources' \
'helm:Suspend HelmRepository sources' \
'chart:Suspend HelmChart sources' \
'oci:Suspend OCIRepository sources' \
'bucket:Suspend Bucket sources' \
    )
    _describe -t commands 'tk suspend source commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__source__subcmd__bucket_commands] )) ||
_tk__subcmd__suspend__subcmd__source__subcmd__bucket_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend source bucket commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__source__subcmd__chart_commands] )) ||
_tk__subcmd__suspend__subcmd__source__subcmd__chart_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend source chart commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__source__subcmd__git_commands] )) ||
_tk__subcmd__suspend__subcmd__source__subcmd__git_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend source git commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__source__subcmd__helm_commands] )) ||
_tk__subcmd__suspend__subcmd__source__subcmd__helm_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend source helm commands' commands "$@"
}
(( $+functions[_tk__subcmd__suspend__subcmd__source__subcmd__oci_commands] )) ||
_tk__subcmd__suspend__subcmd__source__subcmd__oci_commands() {
    local commands; commands=()
    _describe -t commands 'tk suspend source oci commands' commands "$@"
}
(( $+functions[_tk__subcmd__tree_commands] )) ||
_tk__subcmd__tree_commands() {
    local commands; commands=(
'kustomization:Print the resource inventory of a Kustomization, nested Kustomizations expanded' \
'ks:Print the resource inventory of a Kustomization, nested Kustomizations expanded' \
    )
    _describe -t commands 'tk tree commands' commands "$@"
}
(( $+functions[_tk__subcmd__tree__subcmd__kustomization_commands] )) ||
_tk__subcmd__tree__subcmd__kustomization_commands() {
    local commands; commands=()
    _describe -t commands 'tk tree kustomization commands' commands "$@"
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

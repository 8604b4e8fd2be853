//! What every network operation shares: libgit2 set-up, the callbacks that hand out
//! credentials, check host keys and certificates and enforce the deadline, and the mapping
//! of libgit2's errors to [`Error`].

use crate::auth::{Auth, Credentials};
use crate::error::{Error, Result};
use crate::knownhosts::{KnownHosts, Refusal, blob_key_type, fingerprint_sha256};
use crate::url::{RemoteUrl, Scheme, scrub};
use git2::{
    CertificateCheckStatus, Cred, CredentialType, ErrorClass, ErrorCode, FetchOptions,
    ProxyOptions, RemoteCallbacks,
};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject};
use std::cell::{Cell, RefCell};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Keeps the user's and the system's Git configuration out of every operation: `~/.gitconfig`
/// could otherwise rewrite URLs (`insteadOf`) or add proxies behind the controller's back.
pub(crate) fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for level in [
            git2::ConfigLevel::System,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::Global,
            git2::ConfigLevel::ProgramData,
        ] {
            // SAFETY: called once, before any other libgit2 use by this crate.
            let _ = unsafe { git2::opts::set_search_path(level, "") };
        }
    });
}

/// Bounds every socket read and connect. libgit2 keeps these process-wide, so the last
/// caller's value applies to all; the per-call deadline in the callbacks is what each
/// operation relies on, these only stop a silent server from blocking a thread forever.
fn set_socket_timeouts(timeout: Duration) {
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: plain integer settings; libgit2 reads them when opening sockets.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds(ms);
        let _ = git2::opts::set_server_timeout_in_milliseconds(ms);
    }
}

/// One network operation's context: the remote, its auth, and what the callbacks saw.
pub(crate) struct Session<'a> {
    pub url: &'a RemoteUrl,
    auth: &'a Auth,
    known_hosts: Option<KnownHosts>,
    ca: Vec<CertificateDer<'static>>,
    deadline: Instant,
    timeout: Duration,
    /// libgit2 repeats the credential callback until it succeeds; each type is offered once
    /// per connection (reset by [`Session::callbacks`]).
    offered: Cell<u32>,
    timed_out: Cell<bool>,
    auth_rejected: RefCell<Option<String>>,
    host_key: RefCell<Option<Error>>,
    tls_reason: RefCell<Option<String>>,
}

impl<'a> Session<'a> {
    pub fn new(url: &'a RemoteUrl, auth: &'a Auth, timeout: Duration) -> Result<Session<'a>> {
        init();
        if timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be greater than zero"));
        }
        if let Credentials::Ssh(id) = &auth.credentials {
            if url.scheme != Scheme::Ssh {
                return Err(Error::invalid(
                    "auth",
                    format!(
                        "an SSH identity was given for the non-SSH URL {}",
                        url.redacted
                    ),
                ));
            }
            id.validate()?;
        }
        if url.scheme == Scheme::Ssh
            && auth
                .known_hosts
                .as_deref()
                .is_none_or(|k| k.trim().is_empty())
        {
            return Err(Error::invalid(
                "auth",
                "known_hosts is required for SSH remotes",
            ));
        }
        let known_hosts = auth
            .known_hosts
            .as_deref()
            .map(KnownHosts::parse)
            .transpose()?;
        let ca = match &auth.ca_pem {
            Some(pem) => {
                let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| Error::invalid("CA certificate", e.to_string()))?;
                if certs.is_empty() {
                    return Err(Error::invalid("CA certificate", "no PEM certificate found"));
                }
                certs
            }
            None => Vec::new(),
        };
        let deadline = Instant::now()
            .checked_add(timeout)
            .ok_or_else(|| Error::invalid("timeout", "too large"))?;
        set_socket_timeouts(timeout);
        Ok(Session {
            url,
            auth,
            known_hosts,
            ca,
            deadline,
            timeout,
            offered: Cell::new(0),
            timed_out: Cell::new(false),
            auth_rejected: RefCell::new(None),
            host_key: RefCell::new(None),
            tls_reason: RefCell::new(None),
        })
    }

    /// A session for another remote (a submodule) sharing this one's auth and deadline.
    pub fn fork<'b>(&self, url: &'b RemoteUrl) -> Result<Session<'b>>
    where
        'a: 'b,
    {
        self.check_deadline()?;
        Ok(Session {
            url,
            auth: self.auth,
            known_hosts: self.known_hosts.clone(),
            ca: self.ca.clone(),
            deadline: self.deadline,
            timeout: self.timeout,
            offered: Cell::new(0),
            timed_out: Cell::new(false),
            auth_rejected: RefCell::new(None),
            host_key: RefCell::new(None),
            tls_reason: RefCell::new(None),
        })
    }

    fn alive(&self) -> bool {
        if Instant::now() >= self.deadline {
            self.timed_out.set(true);
            return false;
        }
        true
    }

    pub fn check_deadline(&self) -> Result<()> {
        if self.alive() {
            Ok(())
        } else {
            Err(self.timeout_error())
        }
    }

    fn timeout_error(&self) -> Error {
        Error::Timeout {
            url: self.url.redacted.clone(),
            timeout: self.timeout,
        }
    }

    pub fn callbacks(&self) -> RemoteCallbacks<'_> {
        // Each connection (ls-remote, then the fetch of the chosen ref) asks for credentials
        // afresh; "offered once" is per connection, or the second would count as refused.
        self.offered.set(0);
        self.auth_rejected.replace(None);
        let mut cb = RemoteCallbacks::new();
        cb.credentials(|_url, user_from_url, allowed| self.credentials(user_from_url, allowed));
        cb.certificate_check(|cert, host| self.certificate_check(cert, host));
        cb.transfer_progress(|_| self.alive());
        cb.sideband_progress(|_| self.alive());
        cb.update_tips(|_, _, _| self.alive());
        cb
    }

    pub fn proxy_options(&self) -> Result<ProxyOptions<'static>> {
        let mut proxy = ProxyOptions::new();
        if let Some(url) = self.auth.proxy_url()? {
            proxy.url(&url);
        }
        Ok(proxy)
    }

    pub fn headers(&self) -> Vec<String> {
        match &self.auth.credentials {
            Credentials::Bearer { token } => vec![format!("Authorization: Bearer {token}")],
            _ => Vec::new(),
        }
    }

    pub fn fetch_options(&self) -> Result<FetchOptions<'_>> {
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(self.callbacks());
        fo.proxy_options(self.proxy_options()?);
        fo.update_fetchhead(false);
        fo.download_tags(git2::AutotagOption::None);
        let headers = self.headers();
        if !headers.is_empty() {
            let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            fo.custom_headers(&refs);
        }
        Ok(fo)
    }

    fn reject(&self, reason: impl Into<String>) -> std::result::Result<Cred, git2::Error> {
        let reason = reason.into();
        self.auth_rejected.replace(Some(reason.clone()));
        Err(git2::Error::from_str(&reason))
    }

    fn credentials(
        &self,
        user_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> std::result::Result<Cred, git2::Error> {
        if !self.alive() {
            return Err(git2::Error::from_str("deadline exceeded"));
        }
        let bit = |t: CredentialType| t.bits();
        let once = |t: CredentialType| {
            let seen = self.offered.get();
            self.offered.set(seen | bit(t));
            seen & bit(t) == 0
        };
        match &self.auth.credentials {
            Credentials::Ssh(id) => {
                let user = id.user(user_from_url.or(self.url.username.as_deref()));
                if allowed.contains(CredentialType::USERNAME) {
                    return Cred::username(user);
                }
                if !allowed.contains(CredentialType::SSH_KEY) {
                    return self.reject("the server does not accept public key authentication");
                }
                if !once(CredentialType::SSH_KEY) {
                    return self
                        .reject(format!("the server refused the SSH key for user '{user}'"));
                }
                Cred::ssh_key_from_memory(
                    user,
                    id.public_key.as_deref(),
                    &id.private_key,
                    id.passphrase.as_deref(),
                )
            }
            Credentials::SshAgent { user } => {
                let user = user_from_url
                    .or(self.url.username.as_deref())
                    .filter(|u| !u.is_empty())
                    .unwrap_or(user);
                if allowed.contains(CredentialType::USERNAME) {
                    return Cred::username(user);
                }
                if !allowed.contains(CredentialType::SSH_KEY) {
                    return self.reject("the server does not accept public key authentication");
                }
                if !once(CredentialType::SSH_KEY) {
                    return self.reject(format!(
                        "the server refused every key of the ssh-agent for user '{user}'"
                    ));
                }
                Cred::ssh_key_from_agent(user)
            }
            Credentials::Basic { username, password } => {
                if allowed.contains(CredentialType::USERNAME) {
                    return Cred::username(username);
                }
                if !allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                    return self
                        .reject("the server does not accept username/password authentication");
                }
                if !once(CredentialType::USER_PASS_PLAINTEXT) {
                    return self.reject(format!(
                        "the server refused the password for user '{username}'"
                    ));
                }
                Cred::userpass_plaintext(username, password)
            }
            Credentials::Bearer { .. } => self.reject("the server refused the bearer token"),
            Credentials::None => {
                if allowed.contains(CredentialType::USERNAME) {
                    // libgit2 asks for a user name before it asks for a key.
                    return Cred::username(user_from_url.unwrap_or("git"));
                }
                self.reject("the server requires credentials and none were given")
            }
        }
    }

    fn certificate_check(
        &self,
        cert: &git2::cert::Cert<'_>,
        host: &str,
    ) -> std::result::Result<CertificateCheckStatus, git2::Error> {
        if !self.alive() {
            return Err(git2::Error::from_str("deadline exceeded"));
        }
        if let Some(hostkey) = cert.as_hostkey() {
            return self.check_host_key(hostkey);
        }
        if let Some(x509) = cert.as_x509()
            && !self.ca.is_empty()
        {
            return match verify_with_ca(&self.ca, x509.data(), host) {
                Ok(()) => Ok(CertificateCheckStatus::CertificateOk),
                Err(reason) => {
                    // libgit2 then applies the system roots, as Flux appends the CA to them.
                    self.tls_reason
                        .replace(Some(format!("not signed by the given CA ({reason})")));
                    Ok(CertificateCheckStatus::CertificatePassthrough)
                }
            };
        }
        Ok(CertificateCheckStatus::CertificatePassthrough)
    }

    /// Matches against the URL's host rather than libgit2's: that is the name the user
    /// wrote known_hosts for.
    fn check_host_key(
        &self,
        hostkey: &git2::cert::CertHostkey<'_>,
    ) -> std::result::Result<CertificateCheckStatus, git2::Error> {
        let host = self.url.host.as_str();
        let Some(blob) = hostkey.hostkey() else {
            return Err(git2::Error::from_str("the SSH server offered no host key"));
        };
        let known = self.known_hosts.as_ref();
        let verdict = match known {
            Some(kh) => kh.check(host, self.url.port, blob),
            None => Err(Refusal::Unknown),
        };
        let refused = |refusal: Refusal| {
            let (host, key_type, fingerprint) = (
                match self.url.port {
                    None | Some(22) => host.to_string(),
                    Some(p) => format!("[{host}]:{p}"),
                },
                blob_key_type(blob).unwrap_or_else(|| "unknown".into()),
                fingerprint_sha256(blob),
            );
            match refusal {
                Refusal::Unknown => Error::UnknownHostKey {
                    host,
                    key_type,
                    fingerprint,
                },
                Refusal::Mismatch => Error::HostKeyMismatch {
                    host,
                    key_type,
                    fingerprint,
                },
            }
        };
        match verdict {
            Ok(()) => Ok(CertificateCheckStatus::CertificateOk),
            Err(refusal) => {
                let err = refused(refusal);
                let msg = err.to_string();
                self.host_key.replace(Some(err));
                Err(git2::Error::from_str(&msg))
            }
        }
    }

    /// Turns a libgit2 failure into our error, preferring what the callbacks observed.
    pub fn error(&self, e: git2::Error) -> Error {
        if let Some(err) = self.host_key.borrow_mut().take() {
            return err;
        }
        if self.timed_out.get() {
            return self.timeout_error();
        }
        let url = self.url.redacted.clone();
        let message = scrub(e.message(), self.url, &self.auth.secrets());
        if let Some(reason) = self.auth_rejected.borrow_mut().take() {
            return Error::AuthenticationFailed { url, reason };
        }
        let lower = message.to_ascii_lowercase();
        if e.code() == ErrorCode::Auth
            || lower.contains("authentication")
            || lower.contains("status code: 401")
        {
            return Error::AuthenticationFailed {
                url,
                reason: message,
            };
        }
        if e.code() == ErrorCode::Certificate
            || (e.class() == ErrorClass::Ssl && !lower.contains("connect"))
            || lower.contains("certificate")
        {
            let reason = match self.tls_reason.borrow_mut().take() {
                Some(ca) => format!("{message}; {ca}"),
                None => message,
            };
            return Error::Tls { url, reason };
        }
        if lower.contains("timed out") || lower.contains("timeout") {
            return self.timeout_error();
        }
        if lower.contains("failed to resolve")
            || lower.contains("could not resolve")
            || lower.contains("connection refused")
            || lower.contains("failed to connect")
            || lower.contains("no route to host")
            || lower.contains("network is unreachable")
            || lower.contains("connection reset")
            || lower.contains("early eof")
            || (e.class() == ErrorClass::Net && lower.contains("connect"))
            || (e.class() == ErrorClass::Os && lower.contains("connect"))
        {
            return Error::Unreachable {
                url,
                reason: message,
            };
        }
        if lower.contains("status code: 404")
            || lower.contains("repository not found")
            || lower.contains("does not appear to be a git repository")
            || lower.contains("not exported")
            || lower.contains("could not find repository")
            || (e.code() == ErrorCode::NotFound && self.url.scheme == Scheme::File)
        {
            return Error::RepositoryNotFound {
                url,
                reason: message,
            };
        }
        Error::Git { url, message }
    }
}

/// Verifies the server certificate against the given CA bundle only. libgit2 hands over the
/// leaf alone, so any non-root certificates of the bundle serve as intermediates.
fn verify_with_ca(
    ca: &[CertificateDer<'static>],
    leaf: &[u8],
    host: &str,
) -> std::result::Result<(), String> {
    let leaf = CertificateDer::from(leaf.to_vec());
    let cert = webpki::EndEntityCert::try_from(&leaf)
        .map_err(|e| format!("unreadable certificate: {e}"))?;
    let anchors: Vec<_> = ca
        .iter()
        .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
        .map(|a| a.to_owned())
        .collect();
    let now = UnixTime::now();
    cert.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        ca,
        now,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(|e| format!("{e:?}"))?;
    let name = ServerName::try_from(host.trim_matches(['[', ']'])).map_err(|e| e.to_string())?;
    cert.verify_is_valid_for_subject_name(&name)
        .map_err(|e| format!("{e:?}"))
}

/// Connects for fetching, with the bearer header when there is one: `Remote::connect_auth`
/// cannot send custom headers, `git_remote_connect` can.
pub(crate) fn connect_and_list(
    remote: &mut git2::Remote<'_>,
    session: &Session<'_>,
) -> Result<Vec<(String, git2::Oid)>> {
    use git2::Binding as _;
    use std::ffi::CString;
    let callbacks = Box::new(session.callbacks());
    let proxy = Box::new(session.proxy_options()?);
    let headers: Vec<CString> = session
        .headers()
        .into_iter()
        .map(|h| CString::new(h).map_err(|_| Error::invalid("bearer token", "contains a NUL byte")))
        .collect::<Result<_>>()?;
    let mut pointers: Vec<*mut std::ffi::c_char> =
        headers.iter().map(|h| h.as_ptr() as *mut _).collect();
    let array = libgit2_sys::git_strarray {
        strings: pointers.as_mut_ptr(),
        count: pointers.len(),
    };
    let raw_callbacks = callbacks.raw();
    let raw_proxy = proxy.raw();
    // SAFETY: `callbacks`, `proxy`, `headers` and `pointers` outlive the call and the
    // connection (they are dropped after `disconnect` below); libgit2 copies the headers.
    let rc = unsafe {
        libgit2_sys::git_remote_connect(
            remote.raw(),
            libgit2_sys::GIT_DIRECTION_FETCH,
            &raw_callbacks,
            &raw_proxy,
            &array,
        )
    };
    if rc < 0 {
        return Err(session.error(git2::Error::last_error(rc)));
    }
    let listed = remote
        .list()
        .map(|heads| {
            heads
                .iter()
                .map(|h| (h.name().to_string(), h.oid()))
                .collect()
        })
        .map_err(|e| session.error(e));
    let _ = remote.disconnect();
    drop((callbacks, proxy, pointers, headers));
    listed
}

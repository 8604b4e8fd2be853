//! The Git engine behind the GitRepository source controller.
//!
//! Given a URL, a [`Reference`], [`Auth`] material and a directory, it answers
//! ls-remote questions ([`ls_remote`]) and produces checkouts ([`checkout`]) with the
//! semantics of Flux's source-controller v1 (`fluxcd/pkg` `git`, `git/gogit`), and verifies
//! OpenPGP signatures of commits and tags ([`verify_commit`], [`verify_tag`]). For `tk
//! bootstrap` it also commits (optionally signed, [`Signer`]) and pushes ([`Workspace`]).
//!
//! Everything here blocks; the controller calls it inside `spawn_blocking`. The crate never
//! logs, never reads the environment and never touches a cluster. libgit2 is told to ignore
//! the user's and the system's Git configuration, so `~/.gitconfig` (proxies, `insteadOf`
//! rewrites) and `~/.ssh/known_hosts` cannot change what a reconcile does.
//!
//! ```no_run
//! use gitsource::{Auth, Options, Reference, ls_remote};
//! let head = ls_remote(
//!     "https://example.com/org/repo.git",
//!     &Reference::branch("main"),
//!     &Auth::default(),
//!     &Options::default(),
//! )?;
//! assert!(head.revision.starts_with("main@sha1:"));
//! # Ok::<(), gitsource::Error>(())
//! ```

mod auth;
mod checkout;
mod error;
mod knownhosts;
mod reference;
mod remote;
mod transport;
mod url;
mod verify;
mod workspace;

pub use auth::{Auth, Credentials, Proxy, SshIdentity};
pub use checkout::{CheckoutOptions, Commit, Signature, SignedPayload, TagInfo, checkout};
pub use error::{Error, Result};
pub use knownhosts::{KnownHosts, fingerprint_sha256};
pub use reference::Reference;
pub use remote::{Options, RemoteHead, ls_remote};
pub use url::{is_ssh_url, redact_url};
pub use verify::{verify_commit, verify_tag};
pub use workspace::{Author, Signer, Workspace, is_valid_branch};

/// The timeout Flux applies when `spec.timeout` is not set.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

//! Certificates and keys for one control plane, generated fresh each start so nothing
//! secret lives in the repository and parallel rigs never share trust.

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// A PEM certificate and its PEM (PKCS#8) private key.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub cert_pem: String,
    pub key_pem: String,
}

/// The only name the apiserver's requestheader authenticator accepts, so an ordinary client
/// certificate from the same CA cannot assert X-Remote-User.
pub(crate) const FRONT_PROXY_CLIENT: &str = "front-proxy-client";

/// The cluster CA's signing half, for minting client certificates.
pub(crate) struct Ca {
    issuer: Issuer<'static, KeyPair>,
}

const CA_NAME: &str = "tk-testenv-ca";

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = dn(CA_NAME, &[]);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

impl Ca {
    /// The CA of a control plane started earlier (e.g. by `rig up`) from its key. The issuer
    /// name and key identifier are derived exactly as when the CA was generated, so the
    /// certificates chain to the CA certificate on disk.
    pub fn from_key_pem(key_pem: &str) -> Result<Ca> {
        let key = KeyPair::from_pem(key_pem).context("parsing the CA key")?;
        Ok(Ca {
            issuer: Issuer::new(ca_params(), key),
        })
    }

    pub fn client(&self, user: &str, groups: &[&str]) -> Result<Credentials> {
        sign(
            &self.issuer,
            user,
            groups,
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
        )
    }
}

pub(crate) struct Pki {
    pub issuer: Ca,
    pub ca: Credentials,
    pub serving: Credentials,
    pub admin: Credentials,
    /// What the apiserver presents to aggregated API servers (the front proxy).
    pub front_proxy: Credentials,
    pub sa_private_pem: String,
    pub sa_public_pem: String,
}

fn dn(common_name: &str, orgs: &[&str]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for org in orgs {
        dn.push(DnType::OrganizationName, *org);
    }
    dn.push(DnType::CommonName, common_name);
    dn
}

impl Pki {
    pub fn generate() -> Result<Pki> {
        let ca_key = KeyPair::generate().context("generating the CA key")?;
        let ca_params = ca_params();
        let ca_cert = ca_params
            .self_signed(&ca_key)
            .context("self-signing the CA")?;
        let ca = Credentials {
            cert_pem: ca_cert.pem(),
            key_pem: ca_key.serialize_pem(),
        };
        let issuer = Issuer::new(ca_params, ca_key);

        // The in-cluster names and the first service IP let Pods (and controllers run
        // in-cluster later) verify the apiserver the same way they would on a real cluster.
        let serving = sign(
            &issuer,
            "kube-apiserver",
            &[],
            &[
                "127.0.0.1",
                "::1",
                "10.0.0.1",
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local",
            ],
            ExtendedKeyUsagePurpose::ServerAuth,
        )?;
        let admin = sign(
            &issuer,
            "tk-testenv-admin",
            &["system:masters"],
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        let front_proxy = sign(
            &issuer,
            FRONT_PROXY_CLIENT,
            &[],
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        let sa = KeyPair::generate().context("generating the service-account signing key")?;
        Ok(Pki {
            issuer: Ca { issuer },
            ca,
            serving,
            admin,
            front_proxy,
            sa_private_pem: sa.serialize_pem(),
            sa_public_pem: sa.public_key_pem(),
        })
    }
}

fn sign(
    issuer: &Issuer<'static, KeyPair>,
    common_name: &str,
    orgs: &[&str],
    sans: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> Result<Credentials> {
    let key = KeyPair::generate().context("generating a key")?;
    let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .with_context(|| format!("certificate parameters for {common_name}"))?;
    params.distinguished_name = dn(common_name, orgs);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![usage];
    params.use_authority_key_identifier_extension = true;
    let cert = params
        .signed_by(&key, issuer)
        .with_context(|| format!("signing the certificate for {common_name}"))?;
    Ok(Credentials {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

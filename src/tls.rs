//! TLS for the `https` scenario: a throwaway certificate authority and a server certificate.
//!
//! Every `https` server makes a fresh CA (valid for a day) and a leaf certificate for
//! `localhost` and `127.0.0.1` (both, as a DNS and an IP subjectAltName: Node's `https` with
//! `ca:`, `curl --cacert` and Python's `ssl` all check the name they dialled). The CA is written
//! as PEM for the learner's client to trust; nothing is installed system-wide, and the keys live
//! only in memory. rustls with the `ring` provider does the handshakes.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// A CA and a server configuration whose certificate it signed.
#[derive(Clone)]
pub struct Pki {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    /// Accepts TLS connections with the leaf certificate.
    pub acceptor: TlsAcceptor,
}

/// Why certificates could not be made (a bug or an exhausted RNG, not user input).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot make certificates: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("cannot configure TLS: {0}")]
    Config(#[from] rustls::Error),
    #[error("cannot read the CA certificate: {0}")]
    Pem(String),
}

impl Pki {
    /// Make a CA and a leaf for `localhost` and `127.0.0.1`.
    pub fn generate() -> Result<Pki, TlsError> {
        // Valid from yesterday (clock skew) for a few days: long enough for any session.
        let now = time::OffsetDateTime::now_utc();
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "netlab throwaway CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_before = now - time::Duration::days(1);
        ca_params.not_after = now + time::Duration::days(3);
        let ca = ca_params.self_signed(&ca_key)?;

        let leaf_key = KeyPair::generate()?;
        let mut leaf_params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf_params.not_before = now - time::Duration::days(1);
        leaf_params.not_after = now + time::Duration::days(2);
        let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key)?;

        let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        Ok(Pki {
            ca_pem: ca.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

/// A client configuration that trusts exactly the CA in `ca_pem` (what `ca:` does in Node's
/// `https.request`, or `--cacert` in curl).
pub fn connector(ca_pem: &str) -> Result<TlsConnector, TlsError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| TlsError::Pem(e.to_string()))?;
        roots.add(cert)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The negotiated protocol and cipher as Node names them (`TLSv1.3`, `TLS_AES_256_GCM_SHA384`:
/// rustls spells TLS 1.3 suites `TLS13_…`, Node's `getCipher().name` says `TLS_…`).
pub fn describe(conn: &rustls::CommonState) -> (String, String) {
    let protocol = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(v) => format!("{v:?}"),
        None => "?".to_string(),
    };
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|c| {
            let name = format!("{:?}", c.suite());
            match name.strip_prefix("TLS13_") {
                Some(rest) => format!("TLS_{rest}"),
                None => name,
            }
        })
        .unwrap_or_default();
    (protocol, cipher)
}

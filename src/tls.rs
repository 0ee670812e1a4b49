//! TLS for the `https` scenarios: a throwaway certificate authority and a server certificate.
//!
//! Every `https` server makes a fresh CA (valid for a day) and a leaf certificate for
//! `localhost` and `127.0.0.1` (both, as a DNS and an IP subjectAltName: Node's `https` with
//! `ca:`, `curl --cacert` and Python's `ssl` all check the name they dialled). The CA is written
//! as PEM for the learner's client to trust; nothing is installed system-wide, and the keys live
//! only in memory. rustls with the `ring` provider does the handshakes.
//!
//! [`CertKind`] names the certificates the TLS-failures lesson needs, each wrong in exactly one
//! way while the same CA is written out: a leaf for another host name (`https-wrong-host`), a
//! self-signed leaf the CA never signed (`https-self-signed`), an expired leaf
//! (`https-expired`), and an impostor that presents the self-signed leaf on the first handshake
//! of a run and the good leaf afterwards (`https-impostor`, the https-get lab).

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// A throwaway CA, valid from yesterday (clock skew) for a few days — long enough for any
/// session — and its key. Every certificate netlab makes is signed by one of these.
pub fn throwaway_ca() -> Result<(rcgen::Certificate, KeyPair), rcgen::Error> {
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
    Ok((ca, ca_key))
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

/// Which certificate the server presents. Every kind writes the same kind of CA file; all but
/// [`CertKind::Good`] make a client that trusts only that CA refuse the handshake, each for one
/// reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertKind {
    /// Signed by the CA, for `localhost` and `127.0.0.1`, valid now.
    Good,
    /// Signed by the CA and valid, but for [`WRONG_HOST`] only (Node:
    /// `ERR_TLS_CERT_ALTNAME_INVALID`).
    WrongHost,
    /// For `localhost` and `127.0.0.1`, valid, but signed by its own key, not by the CA (Node:
    /// `DEPTH_ZERO_SELF_SIGNED_CERT`).
    SelfSigned,
    /// Signed by the CA, for the right names, but its validity ended yesterday (Node:
    /// `CERT_HAS_EXPIRED`).
    Expired,
    /// The self-signed leaf on the first handshake of the server's life, the good one on every
    /// later handshake: an impostor answers first.
    ImpostorFirst,
}

/// The one name the [`CertKind::WrongHost`] certificate is valid for.
pub const WRONG_HOST: &str = "wrong.netlab.test";

impl CertKind {
    /// The certificate a scenario presents (by scenario name; `Good` for every other one).
    pub fn for_scenario(name: &str) -> CertKind {
        match name {
            "https-wrong-host" => CertKind::WrongHost,
            "https-self-signed" => CertKind::SelfSigned,
            "https-expired" => CertKind::Expired,
            "https-impostor" => CertKind::ImpostorFirst,
            _ => CertKind::Good,
        }
    }
}

/// Picks the certificate per handshake: the impostor's once, then the real one.
#[derive(Debug)]
struct FirstThenReal {
    first: Arc<CertifiedKey>,
    real: Arc<CertifiedKey>,
    used: AtomicBool,
}

impl rustls::server::ResolvesServerCert for FirstThenReal {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        if self.used.swap(true, Ordering::SeqCst) {
            Some(self.real.clone())
        } else {
            Some(self.first.clone())
        }
    }
}

impl Pki {
    /// Make a CA and a leaf for `localhost` and `127.0.0.1`.
    pub fn generate() -> Result<Pki, TlsError> {
        Pki::with(CertKind::Good)
    }

    /// Make a CA and the leaf (or leaves) `kind` says.
    pub fn with(kind: CertKind) -> Result<Pki, TlsError> {
        let now = time::OffsetDateTime::now_utc();
        let (ca, ca_key) = throwaway_ca()?;

        let names = |wrong: bool| -> Vec<String> {
            if wrong {
                vec![WRONG_HOST.to_string()]
            } else {
                vec!["localhost".to_string(), "127.0.0.1".to_string()]
            }
        };
        // One leaf: its names, whether the CA signs it (else itself), whether it has expired.
        let leaf = |wrong: bool, by_ca: bool, expired: bool| -> Result<_, TlsError> {
            let key = KeyPair::generate()?;
            let mut p = CertificateParams::new(names(wrong))?;
            let cn = if wrong { WRONG_HOST } else { "localhost" };
            p.distinguished_name.push(DnType::CommonName, cn);
            if expired {
                p.not_before = now - time::Duration::days(30);
                p.not_after = now - time::Duration::days(1);
            } else {
                p.not_before = now - time::Duration::days(1);
                p.not_after = now + time::Duration::days(2);
            }
            let cert = if by_ca {
                p.signed_by(&key, &ca, &ca_key)?
            } else {
                p.self_signed(&key)?
            };
            let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
            Ok((vec![cert.der().clone()], der))
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth();
        let config = match kind {
            CertKind::ImpostorFirst => {
                let certified =
                    |(chain, key): (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)| {
                        let signer = provider.key_provider.load_private_key(key)?;
                        Ok::<_, TlsError>(Arc::new(CertifiedKey::new(chain, signer)))
                    };
                builder.with_cert_resolver(Arc::new(FirstThenReal {
                    first: certified(leaf(false, false, false)?)?,
                    real: certified(leaf(false, true, false)?)?,
                    used: AtomicBool::new(false),
                }))
            }
            _ => {
                let (chain, key) = match kind {
                    CertKind::WrongHost => leaf(true, true, false)?,
                    CertKind::SelfSigned => leaf(false, false, false)?,
                    CertKind::Expired => leaf(false, true, true)?,
                    _ => leaf(false, true, false)?,
                };
                builder.with_single_cert(chain, key)?
            }
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_certificate_kind_builds_and_names_its_scenario() {
        for (name, kind) in [
            ("https", CertKind::Good),
            ("https-wrong-host", CertKind::WrongHost),
            ("https-self-signed", CertKind::SelfSigned),
            ("https-expired", CertKind::Expired),
            ("https-impostor", CertKind::ImpostorFirst),
        ] {
            assert_eq!(CertKind::for_scenario(name), kind);
            assert!(crate::scenario::find(name).is_some(), "{name}");
            let pki = Pki::with(kind).unwrap();
            assert!(pki.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        }
    }
}

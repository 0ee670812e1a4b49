//! Certificates for HTTPS server labs: a throwaway CA and a leaf for `localhost` and
//! `127.0.0.1` that it signed, as PEM files in the run's temporary directory — the learner's
//! server reads the leaf and its key (`NETLAB_CERT`, `NETLAB_KEY`), netlab's client trusts only
//! the CA (`NETLAB_CA`). Nothing is installed anywhere; the files go with the run.

use rcgen::{CertificateParams, DnType, KeyPair};
use std::path::{Path, PathBuf};

/// Where a run's PEM files are, and the CA a client must trust.
#[derive(Clone, Debug)]
pub struct Pems {
    /// The leaf certificate (PEM), for the server.
    pub cert: PathBuf,
    /// The leaf's private key (PKCS#8 PEM), for the server.
    pub key: PathBuf,
    /// The CA certificate (PEM), for clients.
    pub ca: PathBuf,
    /// The CA certificate's text, for netlab's own client.
    pub ca_pem: String,
}

/// Make a CA and a leaf, and write `cert.pem`, `key.pem` and `ca.pem` into `dir`.
pub fn write(dir: &Path) -> std::io::Result<Pems> {
    let (ca_pem, cert_pem, key_pem) = make().map_err(std::io::Error::other)?;
    let p = Pems {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        ca: dir.join("ca.pem"),
        ca_pem,
    };
    std::fs::write(&p.cert, cert_pem)?;
    std::fs::write(&p.key, key_pem)?;
    std::fs::write(&p.ca, &p.ca_pem)?;
    Ok(p)
}

/// A CA (valid from yesterday for three days) and a leaf it signed: (CA, leaf, leaf key).
fn make() -> Result<(String, String, String), rcgen::Error> {
    let now = time::OffsetDateTime::now_utc();
    let (ca, ca_key) = crate::tls::throwaway_ca()?;
    let key = KeyPair::generate()?;
    let mut p = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    p.distinguished_name.push(DnType::CommonName, "localhost");
    p.not_before = now - time::Duration::days(1);
    p.not_after = now + time::Duration::days(2);
    let leaf = p.signed_by(&key, &ca, &ca_key)?;
    Ok((ca.pem(), leaf.pem(), key.serialize_pem()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_leaf_verifies_against_the_ca_it_is_written_with() {
        let dir = tempfile::tempdir().unwrap();
        let p = super::write(dir.path()).unwrap();
        let cert = std::fs::read_to_string(&p.cert).unwrap();
        let key = std::fs::read_to_string(&p.key).unwrap();
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"), "{cert}");
        assert!(key.contains("PRIVATE KEY"), "{key}");
        assert_ne!(cert, p.ca_pem);
        assert!(crate::tls::connector(&p.ca_pem).is_ok());
    }
}

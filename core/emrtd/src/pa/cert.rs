//! Certificates, CRLs and the CSCA trust store.

use super::asn1::{AlgId, expect, next, oids};
use super::sig::{self, PublicKey, SigError, SignatureScheme};
use super::sod::{SignedData, SodError};
use der::{Decode, Encode, Tagged};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};

/// A certificate is rejected above this size (real CSCA/DS certificates are 1–2 KB).
pub const MAX_CERTIFICATE_LEN: usize = 16 * 1024;
/// CRLs above this size are rejected.
pub const MAX_CRL_LEN: usize = 4 * 1024 * 1024;
/// Master lists above this size are rejected (the ICAO master list is about 1 MB).
pub const MAX_MASTER_LIST_LEN: usize = 16 * 1024 * 1024;
/// Certificates accepted from one master list.
pub const MAX_MASTER_LIST_CERTIFICATES: usize = 4096;

/// Why a certificate, CRL or master list was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("not a DER X.509 structure: {0}")]
    Der(String),
    #[error("PEM: {0}")]
    Pem(String),
    #[error("no certificate in input")]
    Empty,
    #[error("master list: {0}")]
    MasterList(#[from] SodError),
    #[error("master list signature: {0}")]
    MasterListSignature(String),
    #[error("master list signer is not issued by a trusted CSCA")]
    MasterListUntrusted,
}

fn der_err(e: impl std::fmt::Display) -> CertError {
    CertError::Der(e.to_string())
}

/// A parsed certificate with the bytes its issuer signed.
#[derive(Clone, PartialEq, Eq)]
pub struct Cert {
    pub der: Vec<u8>,
    tbs_der: Vec<u8>,
    pub inner: Certificate,
    pub subject_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    /// Serial number bytes as encoded (two's complement, big-endian).
    pub serial: Vec<u8>,
    pub not_before: u64,
    pub not_after: u64,
    pub key_usage: Option<KeyUsage>,
    pub ca: Option<bool>,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    /// The subject public key, or why it is not usable.
    pub public_key: Result<PublicKey, SigError>,
    signature_algorithm: AlgId,
    signature: Vec<u8>,
}

impl std::fmt::Debug for Cert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cert")
            .field("subject", &self.subject())
            .field("serial", &hex_upper(&self.serial))
            .finish_non_exhaustive()
    }
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

impl Cert {
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        if der.len() > MAX_CERTIFICATE_LEN {
            return Err(CertError::TooLarge {
                max: MAX_CERTIFICATE_LEN,
            });
        }
        let inner = Certificate::from_der(der).map_err(der_err)?;
        let outer = expect(der, 0x30, "Certificate SEQUENCE").map_err(der_err)?;
        let mut it = outer.children();
        let tbs_der = next(&mut it, "tbsCertificate")
            .map_err(der_err)?
            .raw
            .to_vec();
        let tbs = inner.tbs_certificate();
        let validity = tbs.validity();
        let ext = |e: der::Error| der_err(e);
        let key_usage = tbs
            .get_extension::<KeyUsage>()
            .map_err(ext)?
            .map(|(_, k)| k);
        let ca = tbs
            .get_extension::<BasicConstraints>()
            .map_err(ext)?
            .map(|(_, b)| b.ca);
        let subject_key_id = tbs
            .get_extension::<SubjectKeyIdentifier>()
            .map_err(ext)?
            .map(|(_, s)| s.0.as_bytes().to_vec());
        let authority_key_id = tbs
            .get_extension::<AuthorityKeyIdentifier>()
            .map_err(ext)?
            .and_then(|(_, a)| a.key_identifier.map(|k| k.as_bytes().to_vec()));
        let spki_der = tbs.subject_public_key_info().to_der().map_err(der_err)?;
        let sig_alg = inner.signature_algorithm();
        let signature_algorithm = AlgId {
            oid: sig_alg.oid,
            params: match &sig_alg.parameters {
                Some(p) if p.tag() != der::Tag::Null => Some(p.to_der().map_err(der_err)?),
                _ => None,
            },
        };
        let signature = inner
            .signature()
            .as_bytes()
            .ok_or_else(|| CertError::Der("signature BIT STRING with unused bits".into()))?
            .to_vec();
        Ok(Self {
            der: der.to_vec(),
            tbs_der,
            subject_der: tbs.subject().to_der().map_err(der_err)?,
            issuer_der: tbs.issuer().to_der().map_err(der_err)?,
            serial: tbs.serial_number().as_bytes().to_vec(),
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
            key_usage,
            ca,
            subject_key_id,
            authority_key_id,
            public_key: PublicKey::from_spki_der(&spki_der),
            signature_algorithm,
            signature,
            inner,
        })
    }

    /// The subject as an RFC 4514 string.
    pub fn subject(&self) -> String {
        self.inner.tbs_certificate().subject().to_string()
    }

    pub fn issuer(&self) -> String {
        self.inner.tbs_certificate().issuer().to_string()
    }

    /// Whether `at` (Unix seconds) is inside the validity period.
    pub fn valid_at(&self, at: u64) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    pub fn has_usage(&self, usage: KeyUsages) -> bool {
        self.key_usage.is_some_and(|k| k.0.contains(usage))
    }

    /// Whether `issuer` could have issued this certificate (names, and key identifiers when
    /// both are present). Says nothing about the signature.
    pub fn names_issuer(&self, issuer: &Cert) -> bool {
        self.issuer_der == issuer.subject_der
            && match (&self.authority_key_id, &issuer.subject_key_id) {
                (Some(a), Some(s)) => a == s,
                _ => true,
            }
    }

    /// Verifies this certificate's signature with `issuer`'s key.
    pub fn verify_signed_by(&self, issuer: &Cert) -> Result<(), SigError> {
        let key = issuer.public_key.as_ref().map_err(Clone::clone)?;
        let scheme = SignatureScheme::from_alg(&self.signature_algorithm, None)?;
        sig::verify(key, scheme, &self.tbs_der, &self.signature)
    }
}

/// A parsed CRL.
#[derive(Clone, PartialEq, Eq)]
pub struct Crl {
    pub der: Vec<u8>,
    tbs_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub this_update: u64,
    pub next_update: Option<u64>,
    /// Revoked serial numbers with their revocation dates.
    pub revoked: Vec<(Vec<u8>, u64)>,
    signature_algorithm: AlgId,
    signature: Vec<u8>,
}

impl std::fmt::Debug for Crl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crl")
            .field("entries", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

impl Crl {
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        if der.len() > MAX_CRL_LEN {
            return Err(CertError::TooLarge { max: MAX_CRL_LEN });
        }
        let crl: CertificateList = CertificateList::from_der(der).map_err(der_err)?;
        let outer = expect(der, 0x30, "CertificateList SEQUENCE").map_err(der_err)?;
        let mut it = outer.children();
        let tbs_der = next(&mut it, "tbsCertList").map_err(der_err)?.raw.to_vec();
        let tbs = &crl.tbs_cert_list;
        let sig_alg = &crl.signature_algorithm;
        Ok(Self {
            der: der.to_vec(),
            tbs_der,
            issuer_der: tbs.issuer.to_der().map_err(der_err)?,
            this_update: tbs.this_update.to_unix_duration().as_secs(),
            next_update: tbs.next_update.map(|t| t.to_unix_duration().as_secs()),
            revoked: tbs
                .revoked_certificates
                .iter()
                .flatten()
                .map(|r| {
                    (
                        r.serial_number.as_bytes().to_vec(),
                        r.revocation_date.to_unix_duration().as_secs(),
                    )
                })
                .collect(),
            signature_algorithm: AlgId {
                oid: sig_alg.oid,
                params: match &sig_alg.parameters {
                    Some(p) if p.tag() != der::Tag::Null => Some(p.to_der().map_err(der_err)?),
                    _ => None,
                },
            },
            signature: crl
                .signature
                .as_bytes()
                .ok_or_else(|| CertError::Der("signature BIT STRING with unused bits".into()))?
                .to_vec(),
        })
    }

    /// Verifies the CRL's signature with `issuer`'s key.
    pub fn verify_signed_by(&self, issuer: &Cert) -> Result<(), SigError> {
        let key = issuer.public_key.as_ref().map_err(Clone::clone)?;
        let scheme = SignatureScheme::from_alg(&self.signature_algorithm, None)?;
        sig::verify(key, scheme, &self.tbs_der, &self.signature)
    }

    /// The revocation date of `serial`, if listed.
    pub fn revoked_at(&self, serial: &[u8]) -> Option<u64> {
        self.revoked
            .iter()
            .find(|(s, _)| s.as_slice() == serial)
            .map(|&(_, at)| at)
    }
}

/// CSCA certificates and CRLs that passive authentication trusts. Built from PEM or DER
/// bytes (the caller reads the files: the core does no I/O) or from an ICAO master list.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    cscas: Vec<Cert>,
    crls: Vec<Crl>,
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one DER certificate.
    pub fn add_csca_der(&mut self, der: &[u8]) -> Result<(), CertError> {
        let cert = Cert::from_der(der)?;
        if !self.cscas.iter().any(|c| c.der == cert.der) {
            self.cscas.push(cert);
        }
        Ok(())
    }

    /// Adds every certificate of a PEM bundle; returns how many.
    pub fn add_csca_pem(&mut self, pem: &[u8]) -> Result<usize, CertError> {
        let certs = Certificate::load_pem_chain(pem).map_err(|e| CertError::Pem(e.to_string()))?;
        if certs.is_empty() {
            return Err(CertError::Empty);
        }
        for c in &certs {
            self.add_csca_der(&c.to_der().map_err(der_err)?)?;
        }
        Ok(certs.len())
    }

    /// Adds certificates from a file's contents, PEM or DER.
    pub fn add_csca_file(&mut self, bytes: &[u8]) -> Result<usize, CertError> {
        if bytes.first() == Some(&0x30) {
            self.add_csca_der(bytes).map(|()| 1)
        } else {
            self.add_csca_pem(bytes)
        }
    }

    /// Adds a DER CRL (PEM CRLs: decode to DER first). Its signature is checked against the
    /// CSCA when it is used.
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<(), CertError> {
        self.crls.push(Crl::from_der(der)?);
        Ok(())
    }

    /// Adds the CSCAs of an ICAO CSCA master list (CMS SignedData with a CscaMasterList,
    /// Doc 9303 Part 12 §9). The master list's signature must verify and its signer
    /// certificate must be issued by a CSCA already in this store (the issuing state's CSCA,
    /// obtained out of band) and valid at `at`. Returns how many certificates were added.
    pub fn add_master_list(&mut self, bytes: &[u8], at: u64) -> Result<usize, CertError> {
        if bytes.len() > MAX_MASTER_LIST_LEN {
            return Err(CertError::TooLarge {
                max: MAX_MASTER_LIST_LEN,
            });
        }
        let sd = SignedData::parse_content_info(bytes, oids::CSCA_MASTER_LIST)?;
        let signer = sd
            .certificates
            .iter()
            .filter_map(|c| Cert::from_der(c).ok())
            .find(|c| super::signer_matches(&sd.signer.sid, c))
            .ok_or_else(|| CertError::MasterListSignature("signer certificate missing".into()))?;
        super::verify_signer_info(&sd, &signer)
            .map_err(|f| CertError::MasterListSignature(f.to_string()))?;
        let trusted = self
            .cscas
            .iter()
            .any(|csca| signer.names_issuer(csca) && signer.verify_signed_by(csca).is_ok());
        if !trusted || !signer.valid_at(at) {
            return Err(CertError::MasterListUntrusted);
        }
        // CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }
        let list = expect(&sd.econtent, 0x30, "CscaMasterList").map_err(der_err)?;
        let mut it = list.children();
        next(&mut it, "version").map_err(der_err)?;
        let set = next(&mut it, "certList").map_err(der_err)?;
        let mut added = 0;
        for (i, cert) in set.children().enumerate() {
            if i >= MAX_MASTER_LIST_CERTIFICATES {
                return Err(CertError::TooLarge {
                    max: MAX_MASTER_LIST_LEN,
                });
            }
            let cert = cert.map_err(der_err)?;
            // A master list may carry a certificate this parser rejects; skip it rather
            // than lose the whole list.
            if self.add_csca_der(cert.raw).is_ok() {
                added += 1;
            }
        }
        Ok(added)
    }

    pub fn cscas(&self) -> &[Cert] {
        &self.cscas
    }

    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }
}

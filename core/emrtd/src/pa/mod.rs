//! Passive authentication (Doc 9303 Part 11 §5.1, Part 12): the data groups' hashes against
//! the LDS security object, the SOD's CMS signature by the document signer (DS), and the DS
//! certificate chained to a trusted CSCA, with validity, key usage and revocation.
//!
//! Pure functions over bytes, a [`TrustStore`] and a check time (Unix seconds): no I/O, no
//! clock. The result is a [`PassiveAuthReport`] with a verdict per check; a failed check is
//! reported with its reason, never folded into a bare bool.

pub mod asn1;
pub mod cert;
pub mod sig;
pub mod sod;

pub use cert::{Cert, CertError, Crl, TrustStore};
pub use sig::{Curve, HashAlgorithm, PublicKey, SigError, SignatureScheme};
pub use sod::{LdsSecurityObject, SignedData, SignerId, SignerInfo, Sod, SodError};

use std::collections::BTreeMap;
use x509_cert::ext::pkix::KeyUsages;

/// Which certificate a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertRole {
    DocumentSigner,
    Csca,
}

/// Why a check failed, precisely enough for a counter clerk's verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("the SOD has no signed attributes")]
    NoSignedAttributes,
    #[error("the content-type attribute is missing or is not the LDS security object")]
    ContentTypeMismatch,
    #[error("the message-digest attribute is missing")]
    MessageDigestMissing,
    #[error("the message-digest attribute does not match the LDS security object")]
    MessageDigestMismatch,
    #[error("the SOD signature does not verify with the document signer's key")]
    SignatureInvalid,
    #[error("unsupported algorithm or key: {0}")]
    Unsupported(String),
    #[error("the document signer certificate is not in the SOD")]
    SignerCertificateMissing,
    #[error("no trusted CSCA issued the document signer certificate (issuer {issuer})")]
    NoTrustedCsca { issuer: String },
    #[error("the document signer certificate's signature does not verify with the CSCA key")]
    CscaSignatureInvalid,
    #[error("{role:?} certificate is not valid before {not_before} (check time {at})")]
    NotYetValid {
        role: CertRole,
        not_before: u64,
        at: u64,
    },
    #[error("{role:?} certificate expired at {not_after} (check time {at})")]
    Expired {
        role: CertRole,
        not_after: u64,
        at: u64,
    },
    #[error("{role:?} certificate lacks the {usage} key usage")]
    KeyUsageMissing { role: CertRole, usage: &'static str },
    #[error("the CSCA certificate is not a CA (basicConstraints)")]
    NotACa,
    #[error("the document signer certificate (serial {serial}) was revoked at {revoked_at}")]
    Revoked { serial: String, revoked_at: u64 },
}

/// Why a check could not be made (not a failure by itself; the caller's policy decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotChecked {
    /// An earlier step failed (e.g. no DS certificate, so no chain).
    Prerequisite,
    /// No CRL from the CSCA was supplied.
    NoCrl,
    /// A CRL from the CSCA was supplied but its signature does not verify.
    CrlUnverifiable,
    /// The CSCA's CRL does not list the DS but is past its nextUpdate.
    CrlOutdated { next_update: u64 },
    /// There is no EF.SOD to check against (see [`PassiveAuthReport::not_possible`]).
    NoSod,
}

/// Why passive authentication could not run at all: without EF.SOD nothing vouches for the
/// data groups, which are then read but not proven.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotPossible {
    #[error("the card has no EF.SOD")]
    NoSod,
    #[error("EF.SOD is unreadable: {0}")]
    UnreadableSod(String),
}

/// The verdict of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Passed,
    Failed(Failure),
    NotChecked(NotChecked),
}

impl Check {
    pub fn passed(&self) -> bool {
        matches!(self, Self::Passed)
    }

    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::Failed(f) => Some(f),
            _ => None,
        }
    }
}

/// The verdict for one data group's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DgHash {
    /// The hash matches the SOD.
    Match,
    /// The hash differs: the data group was altered.
    Mismatch { expected: Vec<u8>, actual: Vec<u8> },
    /// A data group was supplied that the SOD does not list.
    NotInSod,
    /// The SOD lists the data group but it was not read (e.g. DG3/DG4 behind EAC).
    NotRead,
    /// Read, but there is no SOD to check it against: not proven.
    NotProven,
}

/// Short description of a certificate in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: u64,
    pub not_after: u64,
    pub key: String,
}

impl CertSummary {
    fn of(c: &Cert) -> Self {
        Self {
            subject: c.subject(),
            issuer: c.issuer(),
            serial: cert::hex_upper(&c.serial),
            not_before: c.not_before,
            not_after: c.not_after,
            key: c
                .public_key
                .as_ref()
                .map_or_else(|e| e.to_string(), PublicKey::describe),
        }
    }
}

/// The result of passive authentication: a verdict per check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassiveAuthReport {
    /// The SOD's hash algorithm (`None` without a SOD).
    pub hash_algorithm: Option<HashAlgorithm>,
    /// Set when passive authentication could not run (no or unreadable EF.SOD): never valid.
    pub not_possible: Option<NotPossible>,
    /// Per data group number.
    pub data_groups: BTreeMap<u8, DgHash>,
    /// Signed attributes (content type, message digest) and the DS signature over them.
    pub sod_signature: Check,
    /// DS certificate issued and signed by a trusted CSCA.
    pub chain: Check,
    /// DS and CSCA certificates valid at the check time.
    pub validity: Check,
    /// DS digitalSignature; CSCA keyCertSign and CA.
    pub key_usage: Check,
    /// DS not listed on the CSCA's CRL.
    pub revocation: Check,
    pub document_signer: Option<CertSummary>,
    pub csca: Option<CertSummary>,
    /// The check time used (Unix seconds).
    pub checked_at: u64,
}

impl PassiveAuthReport {
    /// The report when passive authentication cannot run: every data group read is marked
    /// not proven and every check names the missing SOD.
    pub fn without_sod(why: NotPossible, data_groups: &BTreeMap<u8, Vec<u8>>, at: u64) -> Self {
        let no_sod = Check::NotChecked(NotChecked::NoSod);
        Self {
            hash_algorithm: None,
            not_possible: Some(why),
            data_groups: data_groups
                .keys()
                .map(|&n| (n, DgHash::NotProven))
                .collect(),
            sod_signature: no_sod.clone(),
            chain: no_sod.clone(),
            validity: no_sod.clone(),
            key_usage: no_sod.clone(),
            revocation: no_sod,
            document_signer: None,
            csca: None,
            checked_at: at,
        }
    }

    /// Every data group read matches and is listed, and every check passed. A missing CRL
    /// does not fail this; use [`Self::revocation`] to require one.
    pub fn is_valid(&self) -> bool {
        self.not_possible.is_none()
            && self
                .data_groups
                .values()
                .all(|d| matches!(d, DgHash::Match | DgHash::NotRead))
            && self.sod_signature.passed()
            && self.chain.passed()
            && self.validity.passed()
            && self.key_usage.passed()
            && !matches!(self.revocation, Check::Failed(_))
    }

    /// The data groups whose hash failed (altered or unlisted).
    pub fn failed_data_groups(&self) -> Vec<u8> {
        self.data_groups
            .iter()
            .filter(|(_, d)| matches!(d, DgHash::Mismatch { .. } | DgHash::NotInSod))
            .map(|(&n, _)| n)
            .collect()
    }

    /// Every failed check with its reason.
    pub fn failures(&self) -> Vec<&Failure> {
        [
            &self.sod_signature,
            &self.chain,
            &self.validity,
            &self.key_usage,
            &self.revocation,
        ]
        .into_iter()
        .filter_map(Check::failure)
        .collect()
    }
}

pub(crate) fn signer_matches(sid: &SignerId, cert: &Cert) -> bool {
    match sid {
        SignerId::IssuerSerial { issuer, serial } => {
            &cert.issuer_der == issuer && &cert.serial == serial
        }
        SignerId::SubjectKeyId(ski) => cert.subject_key_id.as_ref() == Some(ski),
    }
}

/// Checks the signed attributes and the SignerInfo signature of `sd` with `signer`'s key.
pub(crate) fn verify_signer_info(sd: &SignedData, signer: &Cert) -> Result<(), Failure> {
    let si = &sd.signer;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or(Failure::NoSignedAttributes)?;
    if si.content_type != Some(sd.econtent_type) {
        return Err(Failure::ContentTypeMismatch);
    }
    let digest = si
        .message_digest
        .as_ref()
        .ok_or(Failure::MessageDigestMissing)?;
    if *digest != si.digest_algorithm.digest(&sd.econtent) {
        return Err(Failure::MessageDigestMismatch);
    }
    let key = signer
        .public_key
        .as_ref()
        .map_err(|e| Failure::Unsupported(e.to_string()))?;
    let scheme = SignatureScheme::from_alg(&si.signature_algorithm, Some(si.digest_algorithm))
        .map_err(|e| Failure::Unsupported(e.to_string()))?;
    sig::verify(key, scheme, attrs, &si.signature).map_err(|e| match e {
        SigError::Invalid => Failure::SignatureInvalid,
        other => Failure::Unsupported(other.to_string()),
    })
}

/// Parses EF.SOD and runs passive authentication; see [`verify`].
pub fn verify_bytes(
    sod: &[u8],
    data_groups: &BTreeMap<u8, Vec<u8>>,
    trust: &TrustStore,
    at: u64,
) -> Result<PassiveAuthReport, SodError> {
    Ok(verify(&Sod::parse(sod)?, data_groups, trust, at))
}

/// Passive authentication of `data_groups` (DG number → file bytes as read) against `sod`,
/// with CSCAs and CRLs from `trust`, at `at` (Unix seconds).
pub fn verify(
    sod: &Sod,
    data_groups: &BTreeMap<u8, Vec<u8>>,
    trust: &TrustStore,
    at: u64,
) -> PassiveAuthReport {
    let hash = sod.lds.hash_algorithm;
    let mut dg_results = BTreeMap::new();
    for (&n, expected) in &sod.lds.data_group_hashes {
        let verdict = match data_groups.get(&n) {
            None => DgHash::NotRead,
            Some(bytes) => {
                let actual = hash.digest(bytes);
                if actual == *expected {
                    DgHash::Match
                } else {
                    DgHash::Mismatch {
                        expected: expected.clone(),
                        actual,
                    }
                }
            }
        };
        dg_results.insert(n, verdict);
    }
    for &n in data_groups.keys() {
        dg_results.entry(n).or_insert(DgHash::NotInSod);
    }

    let sd = &sod.signed_data;
    let ds = sd
        .certificates
        .iter()
        .filter_map(|c| Cert::from_der(c).ok())
        .find(|c| signer_matches(&sd.signer.sid, c));
    let prerequisite = Check::NotChecked(NotChecked::Prerequisite);
    let mut report = PassiveAuthReport {
        hash_algorithm: Some(hash),
        not_possible: None,
        data_groups: dg_results,
        sod_signature: prerequisite.clone(),
        chain: prerequisite.clone(),
        validity: prerequisite.clone(),
        key_usage: prerequisite.clone(),
        revocation: prerequisite,
        document_signer: ds.as_ref().map(CertSummary::of),
        csca: None,
        checked_at: at,
    };
    let Some(ds) = ds else {
        let missing = Check::Failed(Failure::SignerCertificateMissing);
        report.sod_signature = missing.clone();
        report.chain = missing;
        return report;
    };
    report.sod_signature = match verify_signer_info(sd, &ds) {
        Ok(()) => Check::Passed,
        Err(f) => Check::Failed(f),
    };

    // Chain: the first trusted CSCA that names the DS's issuer and whose key verifies it.
    let candidates: Vec<&Cert> = trust
        .cscas()
        .iter()
        .filter(|c| ds.names_issuer(c))
        .collect();
    let csca = candidates
        .iter()
        .copied()
        .find(|c| ds.verify_signed_by(c).is_ok());
    report.chain = match (csca, candidates.is_empty()) {
        (Some(_), _) => Check::Passed,
        (None, true) => Check::Failed(Failure::NoTrustedCsca {
            issuer: ds.issuer(),
        }),
        (None, false) => Check::Failed(Failure::CscaSignatureInvalid),
    };
    report.csca = csca.map(CertSummary::of);

    report.validity = validity(&ds, csca, at);
    report.key_usage = key_usage(&ds, csca);
    report.revocation = match csca {
        Some(csca) => revocation(&ds, csca, trust, at),
        None => Check::NotChecked(NotChecked::Prerequisite),
    };
    report
}

fn validity(ds: &Cert, csca: Option<&Cert>, at: u64) -> Check {
    let certs =
        std::iter::once((CertRole::DocumentSigner, ds)).chain(csca.map(|c| (CertRole::Csca, c)));
    for (role, c) in certs {
        if at < c.not_before {
            return Check::Failed(Failure::NotYetValid {
                role,
                not_before: c.not_before,
                at,
            });
        }
        if at > c.not_after {
            return Check::Failed(Failure::Expired {
                role,
                not_after: c.not_after,
                at,
            });
        }
    }
    if csca.is_none() {
        return Check::NotChecked(NotChecked::Prerequisite);
    }
    Check::Passed
}

fn key_usage(ds: &Cert, csca: Option<&Cert>) -> Check {
    if !ds.has_usage(KeyUsages::DigitalSignature) {
        return Check::Failed(Failure::KeyUsageMissing {
            role: CertRole::DocumentSigner,
            usage: "digitalSignature",
        });
    }
    let Some(csca) = csca else {
        return Check::NotChecked(NotChecked::Prerequisite);
    };
    if !csca.has_usage(KeyUsages::KeyCertSign) {
        return Check::Failed(Failure::KeyUsageMissing {
            role: CertRole::Csca,
            usage: "keyCertSign",
        });
    }
    if csca.ca != Some(true) {
        return Check::Failed(Failure::NotACa);
    }
    Check::Passed
}

fn revocation(ds: &Cert, csca: &Cert, trust: &TrustStore, at: u64) -> Check {
    let mut seen_unverifiable = false;
    let mut outdated = None;
    let mut current = false;
    for crl in trust
        .crls()
        .iter()
        .filter(|c| c.issuer_der == csca.subject_der)
    {
        if crl.verify_signed_by(csca).is_err() {
            seen_unverifiable = true;
            continue;
        }
        if let Some(revoked_at) = crl.revoked_at(&ds.serial) {
            return Check::Failed(Failure::Revoked {
                serial: cert::hex_upper(&ds.serial),
                revoked_at,
            });
        }
        match crl.next_update {
            Some(next) if next < at => outdated = Some(next),
            _ => current = true,
        }
    }
    if current {
        Check::Passed
    } else if let Some(next_update) = outdated {
        Check::NotChecked(NotChecked::CrlOutdated { next_update })
    } else if seen_unverifiable {
        Check::NotChecked(NotChecked::CrlUnverifiable)
    } else {
        Check::NotChecked(NotChecked::NoCrl)
    }
}

//! Credentials in the wallet: fetching batches from the issuer, presenting a preset as a QR
//! through the secure area, the disclosure history, and refreshing stale copies.
//!
//! Every copy of a batch is bound to its own secure-area key (alias `cred-<random>`), so two
//! presentations share no holder key, signature, root or status index. Presenting prefers a
//! copy never shown before; once all are used the least recently used one is reused and
//! [`Wallet::needs_refresh`] says so.
//!
//! As elsewhere in the wallet, no lock is held while calling the secure area (it may be
//! Kotlin or Swift) or the network.

use super::{AccountLoad, Wallet};
use crate::clock::now_unix;
use crate::error::{CredentialRejection, WalletError};
use crate::secure_area::{SecureArea, SecureAreaError};
use crate::store::{self, CredentialRow, DisclosureRecord};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use vneid_api::{self as api, CredentialKind};
use vneid_credential::claims::{ClaimKey, CredentialTypeId, Preset, Registry, types};
use vneid_credential::cose::{KeyError, PlatformSignature, PublicKey};
use vneid_credential::issuer::{IssuedCredential, StatusRef};
use vneid_credential::presentation::{
    DeviceSigner, PresentRequest, attach_photo, present, to_qr_text,
};
use vneid_credential::qr::{QrMatrix, render_matrix};
use vneid_credential::receipt::{ReceiptError, check_receipt};
use vneid_credential::request::VerifiedRequest;
use vneid_credential::trust::{FreshnessPolicy, TrustList};

/// Copies fetched per credential type.
pub const BATCH_SIZE: usize = 4;
/// Fetch new copies when fewer unused ones than this remain...
const REFRESH_BELOW_UNUSED: usize = 2;
/// ...or when the newest expires within this many seconds.
const REFRESH_BEFORE_EXPIRY: u64 = 7 * 86_400;
/// Clock difference tolerated between the phone and the issuer when checking a new copy's
/// validity window.
pub(crate) const RECEIPT_CLOCK_SKEW: u64 = 300;
/// How long a presentation is accepted by a verifier with the default policy.
pub const PRESENTATION_VALIDITY: u64 = 60;
/// The kinds the wallet keeps.
const KINDS: &[CredentialKind] = &[CredentialKind::CoreId, CredentialKind::AgeOver18];

fn type_of(kind: CredentialKind) -> CredentialTypeId {
    match kind {
        CredentialKind::CoreId => types::CORE_ID,
        CredentialKind::AgeOver18 => types::AGE_OVER_18,
        // Health book (issue 5): fetched by the health sync, not with the identity kinds.
        CredentialKind::Bhyt => types::BHYT,
        // Level 2 (issue 3): fetched after the upgrade, see `account::level2`.
        CredentialKind::ElectronicId => types::ELECTRONIC_ID,
    }
}

/// What the wallet holds of one credential type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSummary {
    pub credential_type: CredentialTypeId,
    pub copies: usize,
    /// Copies never presented.
    pub unused: usize,
    /// Latest expiry among the copies (Unix seconds).
    pub expires_at: u64,
}

/// A QR ready to show.
#[derive(Clone, PartialEq, Eq)]
pub struct Presentation {
    /// `VN1:` + Base45; what the QR encodes.
    pub text: String,
    /// The module matrix (ECC M) for the app to draw.
    pub qr: QrMatrix,
    /// Unix seconds after which verifiers refuse it: show a fresh one before then.
    pub valid_until: u64,
    pub credential_type: CredentialTypeId,
    pub disclosed: Vec<ClaimKey>,
    /// The status entry of the copy used (it is inside the QR as well).
    pub status: StatusRef,
}

impl std::fmt::Debug for Presentation {
    /// The text carries disclosed personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presentation")
            .field("qr_version", &self.qr.version)
            .field("len", &self.text.len())
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

/// The secure area as the credential crate's device signer: it returns DER, which the crate
/// converts to the raw r ‖ s the QR carries.
struct SecureAreaSigner<'a> {
    secure_area: &'a dyn SecureArea,
    alias: &'a str,
}

impl DeviceSigner for SecureAreaSigner<'_> {
    fn sign(&self, message: &[u8]) -> Result<PlatformSignature, KeyError> {
        self.secure_area
            .sign(self.alias, message)
            .map(PlatformSignature::Der)
            .map_err(|_| KeyError::SigningFailed)
    }
}

fn random_alias() -> Result<String, WalletError> {
    let bytes: [u8; 12] =
        crate::crypto::random_bytes().map_err(|e| WalletError::Internal(format!("rng: {e}")))?;
    Ok(format!(
        "cred-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

impl Wallet {
    pub(crate) fn require_unlocked(&self) -> Result<(), WalletError> {
        if self.session()?.is_none() {
            return Err(WalletError::NotUnlocked);
        }
        Ok(())
    }

    /// Fetches a batch of [`BATCH_SIZE`] copies of every credential type the wallet keeps,
    /// each with a new secure-area key, checks each copy against its key and claims, and
    /// stores them all in one transaction. Returns what the wallet now holds.
    pub async fn fetch_credentials(&self) -> Result<Vec<CredentialSummary>, WalletError> {
        self.fetch_kinds(&self.kept_kinds()?).await?;
        self.credentials()
    }

    /// The kinds the wallet keeps: [`KINDS`], plus the electronic ID once the account is
    /// level 2 (issue 3), so fetching and refreshing cover it too.
    fn kept_kinds(&self) -> Result<Vec<CredentialKind>, WalletError> {
        let mut kinds = KINDS.to_vec();
        if let AccountLoad::Present(record) = self.load_account()?
            && record.level >= 2
        {
            kinds.push(CredentialKind::ElectronicId);
        }
        Ok(kinds)
    }

    pub(crate) async fn fetch_kinds(&self, kinds: &[CredentialKind]) -> Result<(), WalletError> {
        self.require_unlocked()?;
        let token = self.access_token().await?;
        let trust = self.fetch_trust_list().await?;
        // Keys first; on any failure below they are deleted again.
        let mut created: Vec<(CredentialKind, String, Vec<u8>)> = Vec::new();
        let result = async {
            for kind in kinds {
                for _ in 0..BATCH_SIZE {
                    let alias = random_alias()?;
                    let a = alias.clone();
                    // Off the async threads: a platform key store may block.
                    let public = self.with_secure_area(move |sa| sa.create_key(&a)).await?;
                    created.push((*kind, alias, public));
                }
            }
            let req = api::IssueCredentialsRequest {
                batches: kinds
                    .iter()
                    .map(|kind| api::CredentialBatchRequest {
                        credential_type: *kind,
                        device_public_keys: created
                            .iter()
                            .filter(|(k, ..)| k == kind)
                            .map(|(_, _, p)| B64.encode(p))
                            .collect(),
                    })
                    .collect(),
            };
            let resp = self.api.issue_credentials(&token, &req).await?;
            self.store_copies(&created, resp, &trust)
        }
        .await;
        if result.is_err() {
            for (_, alias, _) in created {
                // Best effort: a stray key holds nothing personal.
                let _ = self.with_secure_area(move |sa| sa.delete_key(&alias)).await;
            }
        }
        result
    }

    /// The backend's trust list, verified against the pinned anchors: what every received
    /// copy is checked against.
    pub(crate) async fn fetch_trust_list(&self) -> Result<TrustList, WalletError> {
        let bytes = self.api.trust_list().await?;
        let anchors: Vec<PublicKey> = self
            .config
            .trust_anchors
            .iter()
            .filter_map(|a| PublicKey::from_sec1(a).ok())
            .collect();
        TrustList::verify(&bytes, &anchors, FreshnessPolicy::default())
            .map_err(|e| WalletError::CredentialRejected(CredentialRejection::TrustList(e)))
    }

    /// Checks every returned copy — bound to the key it was requested for, claims matching
    /// its signed root, signed by a trusted issuer for the requested type, valid now — and
    /// stores them. One bad copy refuses the whole batch.
    fn store_copies(
        &self,
        created: &[(CredentialKind, String, Vec<u8>)],
        resp: api::IssueCredentialsResponse,
        trust: &TrustList,
    ) -> Result<(), WalletError> {
        let registry = Registry::builtin();
        let rejected = WalletError::CredentialRejected;
        if resp.credentials.len() != created.len() {
            return Err(rejected(CredentialRejection::CopyCount));
        }
        let now = now_unix();
        let mut checked = Vec::with_capacity(created.len());
        for copy in &resp.credentials {
            let (kind, alias, public) = created
                .iter()
                .find(|(_, _, p)| B64.encode(p) == copy.device_public_key)
                .ok_or(rejected(CredentialRejection::UnrequestedKey))?;
            if *kind != copy.credential_type {
                return Err(rejected(CredentialRejection::Receipt(
                    ReceiptError::WrongType {
                        got: type_of(copy.credential_type),
                        want: type_of(*kind),
                    },
                )));
            }
            let (cred, envelope) = open_received_copy(
                &registry,
                trust,
                public,
                &copy.credential,
                type_of(*kind),
                now,
            )?;
            checked.push((
                cred.payload.credential_type,
                alias,
                cred.payload.exp,
                envelope,
            ));
        }
        self.store()?.transaction(|tx, sealer| {
            for (ty, alias, exp, envelope) in &checked {
                store::insert_credential(tx, sealer, *ty, alias, *exp, now, envelope)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// What the wallet holds, per credential type.
    pub fn credentials(&self) -> Result<Vec<CredentialSummary>, WalletError> {
        self.require_unlocked()?;
        let rows = self.store()?.read(|c, _| store::list_credentials(c))?;
        let mut out: Vec<CredentialSummary> = Vec::new();
        for r in rows {
            match out
                .iter_mut()
                .find(|s| s.credential_type == r.credential_type)
            {
                Some(s) => {
                    s.copies += 1;
                    s.unused += usize::from(r.used_at.is_none());
                    s.expires_at = s.expires_at.max(r.expires_at);
                }
                None => out.push(CredentialSummary {
                    credential_type: r.credential_type,
                    copies: 1,
                    unused: usize::from(r.used_at.is_none()),
                    expires_at: r.expires_at,
                }),
            }
        }
        Ok(out)
    }

    /// Kinds whose copies are running out (fewer than two never shown) or expire within a
    /// week: presenting from them would reuse a copy (linkable) or soon fail.
    pub fn needs_refresh(&self) -> Result<Vec<CredentialKind>, WalletError> {
        self.require_unlocked()?;
        let rows = self.store()?.read(|c, _| store::list_credentials(c))?;
        let horizon = now_unix().saturating_add(REFRESH_BEFORE_EXPIRY);
        Ok(self
            .kept_kinds()?
            .into_iter()
            .filter(|k| {
                let fresh = rows
                    .iter()
                    .filter(|r| {
                        r.credential_type == type_of(*k)
                            && r.used_at.is_none()
                            && r.expires_at > horizon
                    })
                    .count();
                fresh < REFRESH_BELOW_UNUSED
            })
            .collect())
    }

    /// Fetches new batches for the kinds in [`Wallet::needs_refresh`], then deletes their
    /// stale copies (used, or expiring within a week) and those copies' keys. Returns the
    /// kinds refreshed. Old copies are deleted only after new ones are stored, so a failed
    /// fetch never leaves the citizen without a credential.
    pub async fn refresh_credentials(&self) -> Result<Vec<CredentialKind>, WalletError> {
        let stale_kinds = self.needs_refresh()?;
        if stale_kinds.is_empty() {
            return Ok(stale_kinds);
        }
        let before: Vec<CredentialRow> = self.store()?.read(|c, _| store::list_credentials(c))?;
        self.fetch_kinds(&stale_kinds).await?;
        let horizon = now_unix().saturating_add(REFRESH_BEFORE_EXPIRY);
        let stale: Vec<CredentialRow> = before
            .into_iter()
            .filter(|r| {
                stale_kinds.iter().any(|k| type_of(*k) == r.credential_type)
                    && (r.used_at.is_some() || r.expires_at <= horizon)
            })
            .collect();
        let ids: Vec<i64> = stale.iter().map(|r| r.id).collect();
        self.store()?
            .transaction(|tx, _| store::delete_credentials(tx, &ids))?;
        for r in stale {
            self.with_secure_area(move |sa| sa.delete_key(&r.key_alias))
                .await?;
        }
        Ok(stale_kinds)
    }

    /// Builds the QR for `preset` (one-way flow when `verifier_nonce` is `None`, bound to the
    /// verifier's nonce otherwise) and records the disclosure in the history. Calling it is
    /// the citizen's consent: the app shows what `preset` discloses before it calls.
    pub fn present(
        &self,
        preset: &Preset,
        verifier_nonce: Option<&[u8]>,
    ) -> Result<Presentation, WalletError> {
        self.present_to(preset, verifier_nonce, None)
    }

    /// As [`Wallet::present`], for a verifier whose signed request named it: `audience` is
    /// signed over (not sent) and recorded in the history.
    pub fn present_to(
        &self,
        preset: &Preset,
        verifier_nonce: Option<&[u8]>,
        audience: Option<&str>,
    ) -> Result<Presentation, WalletError> {
        self.disclose(
            preset.name,
            preset.credential_type,
            preset.claims,
            verifier_nonce,
            audience,
            audience,
        )
    }

    /// Photo profile: as [`Wallet::present`], with the face thumbnail the issuer bound to the
    /// copy's portrait digest carried in the QR (about +1,350 characters: QR version ≈ 30
    /// instead of 15). For counters with neither a chip reader nor an online lookup. The
    /// preset must disclose the portrait digest; a copy without a thumbnail (issued before
    /// the profile, or a type without one) is `PRESENTATION_FAILED`.
    pub fn present_with_photo(
        &self,
        preset: &Preset,
        verifier_nonce: Option<&[u8]>,
    ) -> Result<Presentation, WalletError> {
        self.disclose_as(
            preset.name,
            preset.credential_type,
            preset.claims,
            verifier_nonce,
            None,
            None,
            true,
            None,
        )
    }

    /// Two-way flow: answers a verifier's request QR that the app has checked with
    /// `vneid_credential::request::verify_request` (signature by a key registered in the
    /// trust list) and shown to the citizen ("{verifier} asks for …"). Discloses exactly the
    /// requested claims, bound to the request's nonce and audience; the history records the
    /// verifier's *registered* name, not whatever the request claims to be.
    pub fn present_for_request(
        &self,
        verified: &VerifiedRequest,
    ) -> Result<Presentation, WalletError> {
        let r = &verified.request;
        self.disclose(
            "verifier_request",
            r.credential_type,
            &r.claims,
            Some(&r.nonce),
            Some(&r.audience),
            Some(&verified.verifier_name),
        )
    }

    fn disclose(
        &self,
        name: &str,
        credential_type: CredentialTypeId,
        claims: &[ClaimKey],
        verifier_nonce: Option<&[u8]>,
        audience: Option<&str>,
        verifier_name: Option<&str>,
    ) -> Result<Presentation, WalletError> {
        self.disclose_as(
            name,
            credential_type,
            claims,
            verifier_nonce,
            audience,
            verifier_name,
            false,
            None,
        )
    }

    /// Health book (issue 5): as [`Wallet::present`], from the copies `ids` only (one
    /// certificate's copies, all of type `credential_type`).
    pub(crate) fn present_among(
        &self,
        name: &str,
        credential_type: CredentialTypeId,
        claims: &[ClaimKey],
        verifier_nonce: Option<&[u8]>,
        ids: &[i64],
    ) -> Result<Presentation, WalletError> {
        self.disclose_as(
            name,
            credential_type,
            claims,
            verifier_nonce,
            None,
            None,
            false,
            Some(ids),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn disclose_as(
        &self,
        name: &str,
        credential_type: CredentialTypeId,
        claims: &[ClaimKey],
        verifier_nonce: Option<&[u8]>,
        audience: Option<&str>,
        verifier_name: Option<&str>,
        with_photo: bool,
        only: Option<&[i64]>,
    ) -> Result<Presentation, WalletError> {
        self.require_unlocked()?;
        if with_photo && !claims.contains(&vneid_credential::claims::keys::PORTRAIT_DIGEST) {
            return Err(WalletError::Presentation(
                "the photo needs the portrait digest disclosed".into(),
            ));
        }
        let now = now_unix();
        let registry = Registry::builtin();
        let (row, cred) = self.usable_copy(&registry, credential_type, only, now)?;
        let signer = SecureAreaSigner {
            secure_area: self.secure_area.as_ref(),
            alias: &row.key_alias,
        };
        let req = PresentRequest {
            disclose: claims,
            timestamp: now,
            nonce: verifier_nonce,
            audience,
        };
        let mut binary = present(&registry, &cred, &req, &signer)
            .map_err(|e| WalletError::Presentation(e.to_string()))?;
        if with_photo {
            let photo = cred
                .photo
                .as_deref()
                .ok_or_else(|| WalletError::Presentation("this copy carries no photo".into()))?;
            binary = attach_photo(&binary, photo)
                .map_err(|e| WalletError::Presentation(e.to_string()))?;
        }
        let text = to_qr_text(&binary);
        let qr = render_matrix(&text).map_err(|e| WalletError::Presentation(e.to_string()))?;
        let record = DisclosureRecord {
            at: now,
            // The face is personal data worth seeing in the history: name the disclosure so.
            preset: if with_photo {
                format!("{name}_with_photo")
            } else {
                name.to_owned()
            },
            credential_type,
            claims: claims.to_vec(),
            verifier: verifier_name.map(str::to_owned),
            nonce_bound: verifier_nonce.is_some(),
        };
        self.store()?.transaction(|tx, sealer| {
            store::mark_used(tx, row.id, now)?;
            store::insert_disclosure(tx, sealer, &record)
        })?;
        Ok(Presentation {
            text,
            qr,
            valid_until: now + PRESENTATION_VALIDITY,
            credential_type,
            disclosed: claims.to_vec(),
            status: cred.payload.status,
        })
    }

    /// The next copy to present, opened and checked against its key. A copy that does not
    /// open or check (edited outside the app, or its key lost) is deleted with its key and
    /// the next one is tried, so one damaged row cannot block the citizen; it can only cost
    /// a copy.
    fn usable_copy(
        &self,
        registry: &Registry,
        credential_type: CredentialTypeId,
        only: Option<&[i64]>,
        now: u64,
    ) -> Result<(CredentialRow, IssuedCredential), WalletError> {
        loop {
            let picked = {
                let store = self.store()?;
                store.read(|c, sealer| {
                    let picked = match only {
                        Some(ids) => store::pick_credential_among(c, credential_type, now, ids)?,
                        None => store::pick_credential(c, credential_type, now)?,
                    };
                    let Some(row) = picked else {
                        return Ok(None);
                    };
                    let env = store::open_credential(c, sealer, &row).ok();
                    Ok(Some((row, env)))
                })?
            };
            let (row, envelope) = picked.ok_or(WalletError::NoCredential)?;
            // A missing key means the copy is dead; any other secure-area failure (locked,
            // user authentication needed) is passed on and deletes nothing.
            let holder = match self.secure_area.public_key(&row.key_alias) {
                Ok(k) => Some(k),
                Err(SecureAreaError::KeyNotFound) => None,
                Err(e) => return Err(e.into()),
            };
            let checked = envelope.zip(holder).and_then(|(env, holder)| {
                let holder = PublicKey::from_sec1(&holder).ok()?;
                IssuedCredential::from_envelope(registry, &env, &holder).ok()
            });
            match checked {
                Some(cred) => return Ok((row, cred)),
                None => {
                    self.store()?
                        .transaction(|tx, _| store::delete_credentials(tx, &[row.id]))?;
                    let _ = self.secure_area.delete_key(&row.key_alias);
                }
            }
        }
    }

    /// What the citizen disclosed, oldest first.
    pub fn disclosure_history(&self) -> Result<Vec<DisclosureRecord>, WalletError> {
        self.require_unlocked()?;
        Ok(self.store()?.read(store::load_disclosures)?)
    }

    /// Deletes every credential copy and its key (sign-out).
    pub(crate) fn delete_all_credentials(&self) -> Result<(), WalletError> {
        let rows = self.store()?.read(|c, _| store::list_credentials(c))?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        self.store()?
            .transaction(|tx, _| store::delete_credentials(tx, &ids))?;
        for r in &rows {
            self.secure_area.delete_key(&r.key_alias)?;
        }
        Ok(())
    }
}

/// Opens one copy the backend returned for the device key `public` (SEC1) and checks it:
/// bound to that key, claims matching the signed root, signed by a trust-list key allowed to
/// issue `want`, valid at `now`. Every credential the wallet receives goes through here.
pub(crate) fn open_received_copy(
    registry: &Registry,
    trust: &TrustList,
    public: &[u8],
    credential_b64: &str,
    want: CredentialTypeId,
    now: u64,
) -> Result<(IssuedCredential, zeroize::Zeroizing<Vec<u8>>), WalletError> {
    let rejected = WalletError::CredentialRejected;
    let not_bound = || rejected(CredentialRejection::NotBound);
    let holder = PublicKey::from_sec1(public).map_err(|_| not_bound())?;
    let envelope = zeroize::Zeroizing::new(B64.decode(credential_b64).map_err(|_| not_bound())?);
    let cred =
        IssuedCredential::from_envelope(registry, &envelope, &holder).map_err(|_| not_bound())?;
    check_receipt(trust, &cred, want, now, RECEIPT_CLOCK_SKEW)
        .map_err(|e| rejected(CredentialRejection::Receipt(e)))?;
    Ok((cred, envelope))
}

//! Certificates of the book (sick leave, driver health) as credentials the citizen shows at a
//! counter as a QR.
//!
//! Several certificates share one credential type (`certificate`), so the wallet remembers
//! which copies belong to which record (`health_cert_copies`: credential row id → record id,
//! both opaque) and presents from that record's copies only. Copies are fetched in batches of
//! [`BATCH_SIZE`] (one secure-area key each, unlinkable presentations) for current
//! certificates during the sync and on demand when the citizen presents an older one. Every
//! copy is checked like any received credential (bound to its key, signed by an issuer the
//! trust list allows for certificates, valid now) before it is stored; one bad copy refuses
//! the batch and its keys are deleted.

use super::db;
use super::error::HealthError;
use super::types::RecordKind;
use crate::Wallet;
use crate::clock::now_unix;
use crate::error::{CredentialRejection, WalletError};
use crate::store as ws;
use crate::wallet::{BATCH_SIZE, CredentialSummary, Presentation, open_received_copy};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rusqlite::{Connection, params};
use vneid_api::health::{HealthCertificateRequest, RecordBody};
use vneid_credential::claims::{Preset, Registry, keys, types};
use vneid_identity::CalendarDate;

/// Wallet schema: which credential copies are of which certificate record.
pub(crate) const CERT_MIGRATION: &str = "
    CREATE TABLE health_cert_copies (
        credential_id INTEGER PRIMARY KEY,
        record_id     TEXT NOT NULL
    ) STRICT;
    CREATE INDEX health_cert_copies_record ON health_cert_copies(record_id);";

/// The whole certificate, as the paper one is shown whole: title, number, issue day,
/// issuing facility, holder's name and ID number, and the body.
pub const PRESET_HEALTH_CERTIFICATE: Preset = Preset {
    name: "health_certificate",
    credential_type: types::CERTIFICATE,
    claims: &[
        keys::CERT_TITLE,
        keys::CERT_NUMBER,
        keys::CERT_ISSUED,
        keys::CERT_ISSUER_NAME,
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::CERT_DETAILS,
    ],
};

/// At most this many certificates get copies per sync (a 10 000-record book has hundreds of
/// old certificates; older ones are fetched when presented).
const SYNC_FETCH_LIMIT: usize = 4;
/// A sick-leave certificate counts as current this many days after its issue day (the
/// employer and the social-insurance office settle it within weeks).
const SICK_LEAVE_CURRENT_DAYS: i64 = 30;

/// Live copies of `record_id` (of the certificate type), by credential row id.
fn copy_ids(c: &Connection, record_id: &str) -> Result<Vec<i64>, crate::store::StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT h.credential_id FROM health_cert_copies h
         JOIN credentials c ON c.id = h.credential_id AND c.credential_type = ?2
         WHERE h.record_id = ?1 ORDER BY h.credential_id",
    )?;
    let rows = stmt.query_map(params![record_id, types::CERTIFICATE], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn is_certificate(body: &RecordBody) -> bool {
    matches!(
        body,
        RecordBody::SickLeave { .. } | RecordBody::DriverHealth { .. }
    )
}

/// Whether a certificate is worth fetching copies for during the sync (on `today`, days
/// since 1970).
fn current(r: &vneid_api::health::HealthRecord, today: i64) -> bool {
    let day = |s: &str| CalendarDate::parse_iso(s).ok().map(|d| d.to_unix_days());
    match &r.body {
        RecordBody::DriverHealth { valid_until, .. } => {
            day(valid_until).is_some_and(|d| d >= today)
        }
        RecordBody::SickLeave { .. } => {
            day(&r.date).is_some_and(|d| d + SICK_LEAVE_CURRENT_DAYS >= today)
        }
        _ => false,
    }
}

fn alias() -> Result<String, WalletError> {
    let bytes: [u8; 12] =
        crate::crypto::random_bytes().map_err(|e| WalletError::Internal(format!("rng: {e}")))?;
    Ok(format!(
        "cred-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

impl Wallet {
    /// Fetches [`BATCH_SIZE`] credential copies of one certificate of the book (sick leave,
    /// driver health). `HEALTH_RECORD_NOT_FOUND` for an unknown record, `HEALTH_INPUT_INVALID`
    /// for a record that is not a certificate or a driver certificate past its validity.
    pub async fn health_fetch_certificate(
        &self,
        record_id: &str,
    ) -> Result<CredentialSummary, WalletError> {
        self.require_unlocked()?;
        let entry = self.health_record(record_id)?;
        if !is_certificate(&entry.record.body) {
            return Err(HealthError::Input("not a certificate").into());
        }
        // A driver certificate past its validity cannot be shown (the issuer refuses it too):
        // said here without a round trip, with a health code rather than the server's.
        if let RecordBody::DriverHealth { valid_until, .. } = &entry.record.body {
            let today = i64::try_from(now_unix() / 86_400).unwrap_or(0);
            if !CalendarDate::parse_iso(valid_until).is_ok_and(|d| d.to_unix_days() >= today) {
                return Err(HealthError::Input("certificate no longer valid").into());
            }
        }
        let token = self.access_token().await?;
        let trust = self.fetch_trust_list().await?;
        let mut created: Vec<(String, Vec<u8>)> = Vec::new();
        let result = async {
            for _ in 0..BATCH_SIZE {
                let a = alias()?;
                let a2 = a.clone();
                let public = self.with_secure_area(move |sa| sa.create_key(&a2)).await?;
                created.push((a, public));
            }
            let req = HealthCertificateRequest {
                record_id: record_id.to_owned(),
                device_public_keys: created.iter().map(|(_, p)| B64.encode(p)).collect(),
            };
            let resp = self.api.health_certificate(&token, &req).await?;
            self.store_certificate_copies(record_id, &created, resp, &trust)
        }
        .await;
        if result.is_err() {
            for (a, _) in created {
                // Best effort: a stray key holds nothing personal.
                let _ = self.with_secure_area(move |sa| sa.delete_key(&a)).await;
            }
        }
        result
    }

    fn store_certificate_copies(
        &self,
        record_id: &str,
        created: &[(String, Vec<u8>)],
        resp: vneid_api::health::HealthCertificateResponse,
        trust: &vneid_credential::trust::TrustList,
    ) -> Result<CredentialSummary, WalletError> {
        let registry = Registry::builtin();
        let rejected = WalletError::CredentialRejected;
        if resp.copies.len() != created.len() {
            return Err(rejected(CredentialRejection::CopyCount));
        }
        let now = now_unix();
        let mut checked = Vec::with_capacity(created.len());
        for copy in &resp.copies {
            let (alias, public) = created
                .iter()
                .find(|(_, p)| B64.encode(p) == copy.device_public_key)
                .ok_or(rejected(CredentialRejection::UnrequestedKey))?;
            let (cred, envelope) = open_received_copy(
                &registry,
                trust,
                public,
                &copy.credential,
                types::CERTIFICATE,
                now,
            )?;
            checked.push((alias.clone(), cred.payload.exp, envelope));
        }
        self.store()?.transaction(|tx, sealer| {
            for (alias, exp, envelope) in &checked {
                let id = ws::insert_credential(
                    tx,
                    sealer,
                    types::CERTIFICATE,
                    alias,
                    *exp,
                    now,
                    envelope,
                )?;
                // REPLACE: row ids of deleted copies are reused, so an old mapping may remain.
                tx.execute(
                    "INSERT OR REPLACE INTO health_cert_copies (credential_id, record_id)
                     VALUES (?1, ?2)",
                    params![id, record_id],
                )?;
            }
            Ok(())
        })?;
        Ok(CredentialSummary {
            credential_type: types::CERTIFICATE,
            copies: checked.len(),
            unused: checked.len(),
            expires_at: checked.iter().map(|(_, e, _)| *e).max().unwrap_or(0),
        })
    }

    /// Copies of one certificate on hand (never-used ones count as `unused`).
    pub fn health_certificate_copies(
        &self,
        record_id: &str,
    ) -> Result<CredentialSummary, WalletError> {
        self.require_unlocked()?;
        let ids = self.store()?.read(|c, _| copy_ids(c, record_id))?;
        let rows = self.store()?.read(|c, _| ws::list_credentials(c))?;
        let now = now_unix();
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| ids.contains(&r.id) && r.expires_at > now)
            .collect();
        Ok(CredentialSummary {
            credential_type: types::CERTIFICATE,
            copies: mine.len(),
            unused: mine.iter().filter(|r| r.used_at.is_none()).count(),
            expires_at: mine.iter().map(|r| r.expires_at).max().unwrap_or(0),
        })
    }

    /// The certificate `record_id` as a QR for the counter's verifier (the whole certificate;
    /// bound to `verifier_nonce` when the counter showed one), recorded in the disclosure
    /// history. Fetches copies first when none is left unused.
    pub async fn health_present_certificate(
        &self,
        record_id: &str,
        verifier_nonce: Option<&[u8]>,
    ) -> Result<Presentation, WalletError> {
        self.require_unlocked()?;
        if self.health_certificate_copies(record_id)?.unused == 0 {
            self.health_fetch_certificate(record_id).await?;
        }
        let ids = self.store()?.read(|c, _| copy_ids(c, record_id))?;
        let p = &PRESET_HEALTH_CERTIFICATE;
        self.present_among(p.name, p.credential_type, p.claims, verifier_nonce, &ids)
    }

    /// During the sync: copies for current certificates that have none unused (at most
    /// [`SYNC_FETCH_LIMIT`]). Returns the certificates fetched.
    pub(super) async fn ensure_certificate_copies(&self) -> Result<u32, WalletError> {
        let today = i64::try_from(now_unix() / 86_400).unwrap_or(0);
        let page = self.health_query(&super::HealthQuery {
            kinds: vec![RecordKind::SickLeave, RecordKind::DriverHealth],
            page_size: 50,
            ..super::HealthQuery::default()
        })?;
        let mut fetched = 0;
        for e in page.entries.iter().filter(|e| current(&e.record, today)) {
            if fetched as usize >= SYNC_FETCH_LIMIT {
                break;
            }
            if self.health_certificate_copies(&e.record.id)?.unused == 0 {
                self.health_fetch_certificate(&e.record.id).await?;
                fetched += 1;
            }
        }
        Ok(fetched)
    }

    /// Deletes the copies (and keys) of certificates the issuer withdrew.
    pub(super) async fn drop_withdrawn_certificate_copies(&self) -> Result<(), WalletError> {
        let orphans: Vec<(i64, String)> = self.store()?.read(|c, sealer| {
            let mut stmt = c.prepare(
                "SELECT h.credential_id, c.key_alias, h.record_id FROM health_cert_copies h
                 JOIN credentials c ON c.id = h.credential_id AND c.credential_type = ?1",
            )?;
            let rows = stmt.query_map([types::CERTIFICATE], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, alias, record) = row?;
                if db::get(c, sealer, &record)?.is_none() {
                    out.push((id, alias));
                }
            }
            Ok(out)
        })?;
        if orphans.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = orphans.iter().map(|(id, _)| *id).collect();
        self.store()?.transaction(|tx, _| {
            ws::delete_credentials(tx, &ids)?;
            for id in &ids {
                tx.execute(
                    "DELETE FROM health_cert_copies WHERE credential_id = ?1",
                    [id],
                )?;
            }
            Ok(())
        })?;
        for (_, a) in orphans {
            let _ = self.with_secure_area(move |sa| sa.delete_key(&a)).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use vneid_api::health::{Facility, HealthRecord};

    fn rec(date: &str, body: RecordBody) -> HealthRecord {
        HealthRecord {
            id: "hr-1".into(),
            version: 1,
            date: date.into(),
            facility: Facility {
                code: "01001".into(),
                name: "Bệnh viện".into(),
            },
            title: "t".into(),
            body,
        }
    }

    #[test]
    fn only_recent_sick_leave_and_valid_driver_certificates_are_current() {
        let today = CalendarDate::parse_iso("2026-11-23")
            .unwrap()
            .to_unix_days();
        let leave = |date: &str| {
            rec(
                date,
                RecordBody::SickLeave {
                    certificate_number: "1".into(),
                    from: date.into(),
                    to: date.into(),
                    days: 1,
                    diagnosis: vneid_api::health::Diagnosis {
                        code: "J06.9".into(),
                        name: "x".into(),
                    },
                },
            )
        };
        assert!(current(&leave("2026-11-10"), today));
        assert!(!current(&leave("2026-09-01"), today));
        let driver = |until: &str| {
            rec(
                "2026-01-01",
                RecordBody::DriverHealth {
                    certificate_number: "1".into(),
                    licence_class: "B2".into(),
                    fit_to_drive: true,
                    valid_until: until.into(),
                },
            )
        };
        assert!(current(&driver("2026-11-23"), today));
        assert!(!current(&driver("2026-11-22"), today));
    }
}

//! Credential copies and the disclosure history.
//!
//! Each copy of a batch is one row sealed under the data key, with the row id and the
//! copy's secure-area alias in the associated data so rows cannot be swapped. Only what the
//! wallet needs to pick a copy without opening it (type, expiry, last use) is in clear; none
//! of it is personal. The disclosure history is sealed whole: whom a citizen showed what is
//! as sensitive as the values themselves.

use super::{Sealer, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// A stored copy, without its sealed contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRow {
    pub id: i64,
    pub credential_type: u16,
    pub key_alias: String,
    pub expires_at: u64,
    pub received_at: u64,
    pub used_at: Option<u64>,
}

fn context(id: i64, alias: &str) -> String {
    format!("credential/{id}/{alias}")
}

fn secs(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn sql(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Adds one copy; returns its row id.
pub fn insert_credential(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    credential_type: u16,
    key_alias: &str,
    expires_at: u64,
    received_at: u64,
    envelope: &[u8],
) -> Result<i64, StoreError> {
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM credentials",
        [],
        |r| r.get(0),
    )?;
    let sealed = sealer.seal(&context(id, key_alias), envelope)?;
    tx.execute(
        "INSERT INTO credentials (id, credential_type, key_alias, expires_at, received_at, sealed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            credential_type,
            key_alias,
            sql(expires_at),
            sql(received_at),
            sealed
        ],
    )?;
    Ok(id)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CredentialRow> {
    Ok(CredentialRow {
        id: r.get(0)?,
        credential_type: r.get(1)?,
        key_alias: r.get(2)?,
        expires_at: secs(r.get(3)?),
        received_at: secs(r.get(4)?),
        used_at: r.get::<_, Option<i64>>(5)?.map(secs),
    })
}

const COLUMNS: &str = "id, credential_type, key_alias, expires_at, received_at, used_at";

/// Every stored copy, oldest first.
pub fn list_credentials(conn: &Connection) -> Result<Vec<CredentialRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM credentials ORDER BY id"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The copy to present next: a never-used one if any (so presentations are unlinkable),
/// otherwise the least recently used; never an expired one.
pub fn pick_credential(
    conn: &Connection,
    credential_type: u16,
    now: u64,
) -> Result<Option<CredentialRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM credentials
                 WHERE credential_type = ?1 AND expires_at > ?2
                 ORDER BY used_at IS NOT NULL, used_at, id LIMIT 1"
            ),
            params![credential_type, sql(now)],
            row,
        )
        .optional()?)
}

/// As [`pick_credential`], among the copies `ids` only (one certificate's copies).
pub fn pick_credential_among(
    conn: &Connection,
    credential_type: u16,
    now: u64,
    ids: &[i64],
) -> Result<Option<CredentialRow>, StoreError> {
    let mut best: Option<CredentialRow> = None;
    for id in ids {
        let r = conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM credentials
                     WHERE id = ?1 AND credential_type = ?2 AND expires_at > ?3"
                ),
                params![id, credential_type, sql(now)],
                row,
            )
            .optional()?;
        if let Some(r) = r {
            // Same order as `pick_credential`: never used first, then least recently used.
            let key = |r: &CredentialRow| (r.used_at.is_some(), r.used_at, r.id);
            if best.as_ref().is_none_or(|b| key(&r) < key(b)) {
                best = Some(r);
            }
        }
    }
    Ok(best)
}

/// The holder envelope of a copy.
pub fn open_credential(
    conn: &Connection,
    sealer: &Sealer<'_>,
    row: &CredentialRow,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let sealed: Vec<u8> = conn.query_row(
        "SELECT sealed FROM credentials WHERE id = ?1",
        [row.id],
        |r| r.get(0),
    )?;
    sealer.open(&context(row.id, &row.key_alias), &sealed)
}

pub fn mark_used(tx: &Transaction<'_>, id: i64, now: u64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE credentials SET used_at = ?2 WHERE id = ?1",
        params![id, sql(now)],
    )?;
    Ok(())
}

pub fn delete_credentials(tx: &Transaction<'_>, ids: &[i64]) -> Result<(), StoreError> {
    for id in ids {
        tx.execute("DELETE FROM credentials WHERE id = ?1", [id])?;
    }
    Ok(())
}

/// One entry of the disclosure history, as the citizen reads it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    /// Unix seconds, by the phone's clock.
    pub at: u64,
    /// Preset name, e.g. `identity_check`.
    pub preset: String,
    pub credential_type: u16,
    /// Claim keys disclosed.
    pub claims: Vec<u16>,
    /// The verifier's name from its signed request (two-way flow); `None` when the QR was
    /// shown without a request (anyone who scanned it may have read it).
    pub verifier: Option<String>,
    /// True when the presentation was bound to a verifier's nonce.
    pub nonce_bound: bool,
}

impl std::fmt::Debug for DisclosureRecord {
    /// Whom the citizen showed what is personal: only the time and preset go to logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisclosureRecord")
            .field("at", &self.at)
            .field("preset", &self.preset)
            .finish_non_exhaustive()
    }
}

pub fn insert_disclosure(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    record: &DisclosureRecord,
) -> Result<(), StoreError> {
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM disclosures",
        [],
        |r| r.get(0),
    )?;
    let plain = Zeroizing::new(
        serde_json::to_vec(record).map_err(|e| StoreError::Encoding(e.to_string()))?,
    );
    let sealed = sealer.seal(&format!("disclosure/{id}"), &plain)?;
    tx.execute(
        "INSERT INTO disclosures (id, sealed) VALUES (?1, ?2)",
        params![id, sealed],
    )?;
    Ok(())
}

/// The history, oldest first.
pub fn load_disclosures(
    conn: &Connection,
    sealer: &Sealer<'_>,
) -> Result<Vec<DisclosureRecord>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, sealed FROM disclosures ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let (id, sealed) = r?;
        let plain = sealer.open(&format!("disclosure/{id}"), &sealed)?;
        out.push(serde_json::from_slice(&plain).map_err(|_| StoreError::Integrity)?);
    }
    Ok(out)
}

/// Empties the history (another citizen took over the phone).
pub fn delete_disclosures(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM disclosures", [])?;
    Ok(())
}

//! Rows of the judicial outbox and their history.
//!
//! One row per request: its local state in clear (not personal: `draft`, `queued`, …, the
//! idempotency key, the backend's id and status), the form, the frozen body and the last
//! backend view sealed under the data key with the row id in the associated data. Each
//! history entry is sealed on its own.

use crate::store::{Sealer, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use vneid_api::judicial::JudicialStatus;
use zeroize::Zeroizing;

/// The outbox (one row per request; state, key and backend id in clear, form, body and view
/// sealed) and each request's sealed history.
pub(crate) const MIGRATION: &str = "CREATE TABLE judicial_requests (
        id              INTEGER PRIMARY KEY,
        state           TEXT NOT NULL
            CHECK (state IN ('draft', 'queued', 'sending', 'submitted', 'failed')),
        idempotency_key TEXT UNIQUE,
        backend_id      TEXT,
        office_status   TEXT,
        attempts        INTEGER NOT NULL,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        form            BLOB NOT NULL,  -- sealed JudicialForm
        body            BLOB,           -- sealed request body, frozen when queued
        view            BLOB            -- sealed last backend view
     ) STRICT;
     CREATE INDEX judicial_requests_state ON judicial_requests(state);
     CREATE TABLE judicial_events (
        id         INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES judicial_requests(id),
        sealed     BLOB NOT NULL
     ) STRICT;
     CREATE INDEX judicial_events_request ON judicial_events(request_id);";

/// Emptied in this order (events reference requests).
pub(crate) const TABLES: &[&str] = &["judicial_events", "judicial_requests"];

/// The outbox state machine: `draft → queued → sending → submitted | failed`, and
/// `sending → queued` when the answer never came (retried with the same key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocalState {
    /// Editable; nothing sent.
    Draft,
    /// Frozen with its idempotency key; waits for the network.
    Queued,
    /// A send started and its outcome is unknown (a crash here is resolved by resending
    /// with the same key: the backend answers with the request it already has).
    Sending,
    /// The backend has it.
    Submitted,
    /// The backend refused it for good.
    Failed,
}

impl LocalState {
    pub fn as_str(self) -> &'static str {
        match self {
            LocalState::Draft => "draft",
            LocalState::Queued => "queued",
            LocalState::Sending => "sending",
            LocalState::Submitted => "submitted",
            LocalState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => LocalState::Draft,
            "queued" => LocalState::Queued,
            "sending" => LocalState::Sending,
            "submitted" => LocalState::Submitted,
            "failed" => LocalState::Failed,
            _ => return None,
        })
    }
}

/// The clear columns of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub state: LocalState,
    pub idempotency_key: Option<String>,
    pub backend_id: Option<String>,
    pub office_status: Option<JudicialStatus>,
    pub attempts: u32,
    /// Stable error code of the last failed attempt.
    pub last_error: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
}

/// One entry of a request's history, as the citizen reads it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Unix seconds (phone clock for local steps, office clock for office steps).
    pub at: u64,
    pub kind: HistoryKind,
    /// The office's question or reason, the citizen's answer.
    pub note: Option<String>,
}

impl std::fmt::Debug for HistoryEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistoryEntry")
            .field("at", &self.at)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "status")]
pub enum HistoryKind {
    Drafted,
    Queued,
    SendAttempt,
    Submitted,
    Failed,
    /// The office moved the request to this status.
    Office(JudicialStatus),
    Answered,
    Paid,
    CertificateStored,
}

fn secs(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn sql(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn status_str(s: JudicialStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn status_parse(s: &str) -> Option<JudicialStatus> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

fn context(id: i64, part: &str) -> String {
    format!("judicial/{id}/{part}")
}

fn encode<T: Serialize>(v: &T) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    serde_json::to_vec(v)
        .map(Zeroizing::new)
        .map_err(|e| StoreError::Encoding(e.to_string()))
}

/// Seals a JSON value for column `part` of row `id`.
pub fn seal_json<T: Serialize>(
    sealer: &Sealer<'_>,
    id: i64,
    part: &str,
    v: &T,
) -> Result<Vec<u8>, StoreError> {
    sealer.seal(&context(id, part), &encode(v)?)
}

const COLUMNS: &str = "id, state, idempotency_key, backend_id, office_status, attempts, last_error, created_at, updated_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(RequestRow, bool)> {
    let state: String = r.get(1)?;
    let office: Option<String> = r.get(4)?;
    let parsed = LocalState::parse(&state);
    Ok((
        RequestRow {
            id: r.get(0)?,
            state: parsed.unwrap_or(LocalState::Failed),
            idempotency_key: r.get(2)?,
            backend_id: r.get(3)?,
            office_status: office.as_deref().and_then(status_parse),
            attempts: r.get(5)?,
            last_error: r.get(6)?,
            created_at: secs(r.get(7)?),
            updated_at: secs(r.get(8)?),
        },
        parsed.is_some(),
    ))
}

/// Inserts a new draft; returns its id.
pub fn insert_draft<T: Serialize>(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    form: &T,
    now: u64,
) -> Result<i64, StoreError> {
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM judicial_requests",
        [],
        |r| r.get(0),
    )?;
    let sealed = seal_json(sealer, id, "form", form)?;
    tx.execute(
        "INSERT INTO judicial_requests (id, state, attempts, created_at, updated_at, form)
         VALUES (?1, 'draft', 0, ?2, ?2, ?3)",
        params![id, sql(now), sealed],
    )?;
    Ok(id)
}

pub fn load_row(conn: &Connection, id: i64) -> Result<Option<RequestRow>, StoreError> {
    let r = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM judicial_requests WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?;
    match r {
        Some((_, false)) => Err(StoreError::Integrity),
        Some((r, true)) => Ok(Some(r)),
        None => Ok(None),
    }
}

/// Every request, oldest first.
pub fn list_rows(conn: &Connection) -> Result<Vec<RequestRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM judicial_requests ORDER BY id"
    ))?;
    let rows = stmt.query_map([], row)?;
    let mut out = Vec::new();
    for r in rows {
        let (r, ok) = r?;
        if !ok {
            return Err(StoreError::Integrity);
        }
        out.push(r);
    }
    Ok(out)
}

/// Opens a sealed JSON column (`form`, `body` or `view`); `None` when it is empty.
pub fn open_json<T: DeserializeOwned>(
    conn: &Connection,
    sealer: &Sealer<'_>,
    id: i64,
    part: &'static str,
) -> Result<Option<T>, StoreError> {
    let column = match part {
        "form" => "form",
        "body" => "body",
        "view" => "view",
        _ => return Err(StoreError::Encoding("unknown column".into())),
    };
    let sealed: Option<Vec<u8>> = conn
        .query_row(
            &format!("SELECT {column} FROM judicial_requests WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    match sealed {
        None => Ok(None),
        Some(s) => {
            let plain = sealer.open(&context(id, part), &s)?;
            serde_json::from_slice(&plain)
                .map(Some)
                .map_err(|_| StoreError::Integrity)
        }
    }
}

pub fn update_form<T: Serialize>(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    id: i64,
    form: &T,
    now: u64,
) -> Result<(), StoreError> {
    let sealed = seal_json(sealer, id, "form", form)?;
    tx.execute(
        "UPDATE judicial_requests SET form = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'draft'",
        params![id, sealed, sql(now)],
    )?;
    Ok(())
}

/// Draft → queued: freezes the body (exact bytes, sealed) and the idempotency key.
pub fn queue(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    id: i64,
    key: &str,
    body: &[u8],
    now: u64,
) -> Result<bool, StoreError> {
    let sealed = sealer.seal(&context(id, "body"), body)?;
    let n = tx.execute(
        "UPDATE judicial_requests SET state = 'queued', idempotency_key = ?2, body = ?3,
                updated_at = ?4
         WHERE id = ?1 AND state = 'draft'",
        params![id, key, sealed, sql(now)],
    )?;
    Ok(n == 1)
}

/// The frozen body bytes of a queued request.
pub fn body_bytes(
    conn: &Connection,
    sealer: &Sealer<'_>,
    id: i64,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let sealed: Option<Vec<u8>> = conn.query_row(
        "SELECT body FROM judicial_requests WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    sealer.open(&context(id, "body"), &sealed.ok_or(StoreError::Integrity)?)
}

/// Moves a row between outbox states (and counts an attempt when entering `sending`).
pub fn set_state(
    tx: &Transaction<'_>,
    id: i64,
    state: LocalState,
    last_error: Option<&str>,
    now: u64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE judicial_requests
         SET state = ?2, last_error = ?3, updated_at = ?4,
             attempts = attempts + (CASE WHEN ?2 = 'sending' THEN 1 ELSE 0 END)
         WHERE id = ?1",
        params![id, state.as_str(), last_error, sql(now)],
    )?;
    Ok(())
}

/// Records the backend's view: id, status and the sealed view; marks the row submitted.
pub fn store_view<T: Serialize>(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    id: i64,
    backend_id: &str,
    status: JudicialStatus,
    view: &T,
    now: u64,
) -> Result<(), StoreError> {
    let sealed = seal_json(sealer, id, "view", view)?;
    tx.execute(
        "UPDATE judicial_requests
         SET state = 'submitted', backend_id = ?2, office_status = ?3, view = ?4,
             last_error = NULL, updated_at = ?5
         WHERE id = ?1",
        params![id, backend_id, status_str(status), sealed, sql(now)],
    )?;
    Ok(())
}

pub fn delete_request(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM judicial_events WHERE request_id = ?1", [id])?;
    tx.execute("DELETE FROM judicial_requests WHERE id = ?1", [id])?;
    Ok(())
}

/// Deletes every request and its history (sign-out, or another citizen took over the phone).
pub fn add_event(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    request_id: i64,
    entry: &HistoryEntry,
) -> Result<(), StoreError> {
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM judicial_events",
        [],
        |r| r.get(0),
    )?;
    let sealed = sealer.seal(
        &format!("judicial-event/{id}/{request_id}"),
        &encode(entry)?,
    )?;
    tx.execute(
        "INSERT INTO judicial_events (id, request_id, sealed) VALUES (?1, ?2, ?3)",
        params![id, request_id, sealed],
    )?;
    Ok(())
}

/// A request's history, oldest first.
pub fn history(
    conn: &Connection,
    sealer: &Sealer<'_>,
    request_id: i64,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, sealed FROM judicial_events WHERE request_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([request_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (id, sealed) = r?;
        let plain = sealer.open(&format!("judicial-event/{id}/{request_id}"), &sealed)?;
        out.push(serde_json::from_slice(&plain).map_err(|_| StoreError::Integrity)?);
    }
    Ok(out)
}

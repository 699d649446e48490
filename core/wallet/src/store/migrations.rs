//! Schema migrations, tracked in `PRAGMA user_version`. Each migration runs in one transaction.

use super::StoreError;
use rusqlite::{Connection, Transaction};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: meta, account, pending activation.
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
     ) STRICT;
     CREATE TABLE account (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        account_id      TEXT NOT NULL,
        device_id       TEXT NOT NULL,
        key_alias       TEXT NOT NULL,
        level           INTEGER NOT NULL,
        activated_at    INTEGER NOT NULL,
        secrets         BLOB NOT NULL,   -- sealed: citizen profile and passcode verifier
        failed_attempts INTEGER NOT NULL,
        block_reason    TEXT,
        generation      INTEGER NOT NULL,
        mac             BLOB NOT NULL    -- HMAC over every other column
     ) STRICT;
     CREATE TABLE pending_activation (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        sealed     BLOB NOT NULL,
        created_at INTEGER NOT NULL
     ) STRICT;",
    // 2: issued credentials (one sealed row per copy, each with its own device key) and the
    // citizen's disclosure history (sealed: it says whom they showed what).
    "CREATE TABLE credentials (
        id              INTEGER PRIMARY KEY,
        credential_type INTEGER NOT NULL,
        key_alias       TEXT NOT NULL UNIQUE,
        expires_at      INTEGER NOT NULL,
        received_at     INTEGER NOT NULL,
        used_at         INTEGER,
        sealed          BLOB NOT NULL   -- holder envelope: signed object, root seed, claims
     ) STRICT;
     CREATE INDEX credentials_pick ON credentials(credential_type, used_at, expires_at);
     CREATE TABLE disclosures (
        id     INTEGER PRIMARY KEY,
        sealed BLOB NOT NULL            -- what was disclosed, preset, time, verifier
     ) STRICT;",
    // judicial-record requests (issue 6): the outbox (one row per request; state, key and
    // backend id in clear, form/body/view sealed) and each request's sealed history.
    "CREATE TABLE judicial_requests (
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
     CREATE INDEX judicial_events_request ON judicial_events(request_id);",
    // Health book (issue 5): sealed records, keyed search terms, facilities, notes, the sync
    // cursor and the self-declared profile (see core/wallet/src/health/db.rs).
    crate::health::MIGRATION,
    // Health-book certificates as credentials (issue 5): which copies are of which record.
    crate::health::CERT_MIGRATION,
];

/// Tables holding user data (everything but `meta`), emptied when the data key is lost.
const USER_TABLES: &[&str] = &[
    "account",
    "pending_activation",
    "credentials",
    "disclosures",
    // judicial-record requests (issue 6); events first: they reference requests.
    "judicial_events",
    "judicial_requests",
    // Health book (issue 5); terms first: they reference records.
    "health_terms",
    "health_records",
    "health_facilities",
    "health_notes",
    "health_sync",
    "health_profile",
    "health_cert_copies",
];

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = MIGRATIONS.len() as i64;
    if current > latest {
        return Err(StoreError::SchemaTooNew(current));
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

pub fn has_user_data(conn: &Connection) -> Result<bool, StoreError> {
    for table in USER_TABLES {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn wipe_user_data(tx: &Transaction<'_>) -> Result<(), StoreError> {
    for table in USER_TABLES {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn a_version_1_store_upgrades_in_place_and_keeps_its_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        // A store written by the release before credentials existed.
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO pending_activation (id, sealed, created_at) VALUES (1, x'00', 1)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert!(has_user_data(&conn).unwrap());
        conn.execute(
            "INSERT INTO credentials (id, credential_type, key_alias, expires_at, received_at, sealed)
             VALUES (1, 1, 'a', 2, 1, x'00')",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO disclosures (id, sealed) VALUES (1, x'00')", [])
            .unwrap();
        let tx = conn.transaction().unwrap();
        wipe_user_data(&tx).unwrap();
        tx.commit().unwrap();
        assert!(!has_user_data(&conn).unwrap());
    }
}

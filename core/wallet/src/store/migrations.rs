//! Schema migrations. The core's are tracked in `PRAGMA user_version`; each capability's in
//! `capability_schema` under its name, so capabilities join and grow without renumbering
//! anyone else's. Each migration runs in one transaction.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

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
    // 3 to 5 created the judicial and health-book tables, which their capabilities now own
    // and version themselves (`Schema::legacy_versions`).
    "",
    "",
    "",
    // 6: each capability's schema version, and the core version the store had before
    // capabilities were versioned apart (0 for a new store).
    "CREATE TABLE capability_schema (
        name    TEXT PRIMARY KEY,
        version INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE schema_origin (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        legacy_version INTEGER NOT NULL
     ) STRICT;",
];

/// The version of the core schema that introduced `capability_schema`.
const CAPABILITY_SCHEMA_VERSION: usize = 6;

/// A capability's tables, versioned apart from the core's.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// The capability's stable name: the key of its version in `capability_schema`.
    pub name: &'static str,
    /// Migration `i` takes the capability's schema from version `i` to `i + 1`.
    pub migrations: &'static [&'static str],
    /// Tables holding the citizen's data, in the order they can be emptied.
    pub tables: &'static [&'static str],
    /// For capabilities older than per-capability versions: the core `user_version` at which
    /// each of its first migrations had run (a store from then has those tables already).
    pub legacy_versions: &'static [i64],
}

/// The core's tables holding user data (everything but `meta` and the schema bookkeeping),
/// emptied with every capability's when the data key is lost.
const USER_TABLES: &[&str] = &[
    "account",
    "pending_activation",
    "credentials",
    "disclosures",
];

pub fn migrate(conn: &mut Connection, capabilities: &[Schema]) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = MIGRATIONS.len() as i64;
    if current > latest {
        return Err(StoreError::SchemaTooNew(current));
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if version + 1 == CAPABILITY_SCHEMA_VERSION {
            tx.execute(
                "INSERT INTO schema_origin (id, legacy_version) VALUES (1, ?1)",
                [current],
            )?;
        }
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    for schema in capabilities {
        migrate_capability(conn, schema)?;
    }
    Ok(())
}

fn migrate_capability(conn: &mut Connection, schema: &Schema) -> Result<(), StoreError> {
    let recorded: Option<i64> = conn
        .query_row(
            "SELECT version FROM capability_schema WHERE name = ?1",
            [schema.name],
            |r| r.get(0),
        )
        .optional()?;
    let version = match recorded {
        Some(v) => v,
        None => {
            let legacy: i64 =
                conn.query_row("SELECT legacy_version FROM schema_origin", [], |r| r.get(0))?;
            schema
                .legacy_versions
                .iter()
                .filter(|v| **v <= legacy)
                .count() as i64
        }
    };
    let latest = schema.migrations.len() as i64;
    if version > latest {
        return Err(StoreError::SchemaTooNew(version));
    }
    for (i, sql) in schema.migrations.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO capability_schema (name, version) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version",
            params![schema.name, i as i64 + 1],
        )?;
        tx.commit()?;
    }
    if recorded.is_none() && version == latest {
        // Adopted from a legacy store with nothing left to run: record where it stands.
        conn.execute(
            "INSERT INTO capability_schema (name, version) VALUES (?1, ?2)",
            params![schema.name, version],
        )?;
    }
    Ok(())
}

fn all_tables(capabilities: &[Schema]) -> impl Iterator<Item = &'static str> + '_ {
    capabilities
        .iter()
        .flat_map(|c| c.tables.iter().copied())
        .chain(USER_TABLES.iter().copied())
}

pub fn has_user_data(conn: &Connection, capabilities: &[Schema]) -> Result<bool, StoreError> {
    for table in all_tables(capabilities) {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn wipe_user_data(tx: &Transaction<'_>, capabilities: &[Schema]) -> Result<(), StoreError> {
    for table in all_tables(capabilities) {
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
        migrate(&mut conn, &[]).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert!(has_user_data(&conn, &[]).unwrap());
        conn.execute(
            "INSERT INTO credentials (id, credential_type, key_alias, expires_at, received_at, sealed)
             VALUES (1, 1, 'a', 2, 1, x'00')",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO disclosures (id, sealed) VALUES (1, x'00')", [])
            .unwrap();
        let tx = conn.transaction().unwrap();
        wipe_user_data(&tx, &[]).unwrap();
        tx.commit().unwrap();
        assert!(!has_user_data(&conn, &[]).unwrap());
    }

    const NOTES: Schema = Schema {
        name: "notes",
        migrations: &[
            "CREATE TABLE notes (id INTEGER PRIMARY KEY) STRICT;",
            "ALTER TABLE notes ADD COLUMN body TEXT;",
        ],
        tables: &["notes"],
        legacy_versions: &[4],
    };

    fn capability_version(conn: &Connection, name: &str) -> i64 {
        conn.query_row(
            "SELECT version FROM capability_schema WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn a_capability_creates_its_tables_once_and_grows_them_by_its_own_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        let first = Schema {
            migrations: &NOTES.migrations[..1],
            ..NOTES
        };
        migrate(&mut conn, &[first]).unwrap();
        assert_eq!(capability_version(&conn, "notes"), 1);
        migrate(&mut conn, &[first]).unwrap();
        migrate(&mut conn, &[NOTES]).unwrap();
        assert_eq!(capability_version(&conn, "notes"), 2);
        conn.execute("INSERT INTO notes (id, body) VALUES (1, 'x')", [])
            .unwrap();
        assert!(has_user_data(&conn, &[NOTES]).unwrap());
        let tx = conn.transaction().unwrap();
        wipe_user_data(&tx, &[NOTES]).unwrap();
        tx.commit().unwrap();
        assert!(!has_user_data(&conn, &[NOTES]).unwrap());
        // A store from a newer release of the capability is refused, not downgraded.
        let older = Schema {
            migrations: &NOTES.migrations[..1],
            ..NOTES
        };
        assert!(matches!(
            migrate(&mut conn, &[older]),
            Err(StoreError::SchemaTooNew(2))
        ));
    }

    #[test]
    fn a_store_from_before_capability_versions_keeps_the_tables_it_has() {
        let mut conn = Connection::open_in_memory().unwrap();
        // The old single numbering: the capability's first table came with core version 4.
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(NOTES.migrations[0]).unwrap();
        conn.execute("INSERT INTO notes (id) VALUES (7)", [])
            .unwrap();
        conn.pragma_update(None, "user_version", 5).unwrap();
        migrate(&mut conn, &[NOTES]).unwrap();
        assert_eq!(capability_version(&conn, "notes"), 2);
        let kept: i64 = conn
            .query_row("SELECT id FROM notes WHERE body IS NULL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 7);
        // A capability that did not exist then starts from nothing.
        let other = Schema {
            name: "other",
            migrations: &["CREATE TABLE other (id INTEGER PRIMARY KEY) STRICT;"],
            tables: &["other"],
            legacy_versions: &[],
        };
        migrate(&mut conn, &[NOTES, other]).unwrap();
        assert_eq!(capability_version(&conn, "other"), 1);
    }
}

//! Storage of the health book: sealed records, the keyed search index, notes, the sync cursor
//! and the self-declared profile.
//!
//! What is in the clear, and why: the kind and the day of each record (small integers), so
//! that "vaccinations in 2024, newest first" is an index range scan and a page costs the
//! decryption of that page only; the server's opaque record id, to apply changes. Everything
//! a reader of the file could learn a diagnosis, a drug, a facility or a name from is sealed
//! per row with AES-256-GCM under the store's data key, the associated data naming the row.
//!
//! Free text and facility filters use a *keyed* index: each folded word of a record is stored
//! as the first 64 bits of HMAC-SHA256 under a key derived from the data key (domain-separated
//! from other MACs), so the file holds no word, and without the data key (which only the
//! secure area can unwrap) no word can be tested against it. What it still leaks to someone
//! holding the file: which records share a word, and how many words a record has — the
//! price of searching without decrypting the whole book (10 000 records decrypted per
//! keystroke would take far longer than the 5 ms budget). Only whole words match (no
//! prefixes), which keeps the index at a few tens of rows per record.

use super::fold::words;
use super::types::{
    BookEntry, CitizenNote, HealthPage, HealthQuery, HealthRecord, RecordBody, RecordKind,
};
use crate::store::{Sealer, StoreError};
use ring::hmac;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};
use vneid_api::health::{Facility, HealthChange};
use vneid_identity::CalendarDate;

/// Store migration of the health book (appended to the wallet's migrations).
pub const MIGRATION: &str = "
    CREATE TABLE health_records (
        id        INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL UNIQUE,   -- the server's opaque id
        kind      INTEGER NOT NULL,
        day       INTEGER NOT NULL,       -- days since 1970-01-01
        version   INTEGER NOT NULL,
        facility  INTEGER NOT NULL,       -- keyed token of the facility code
        sealed    BLOB NOT NULL           -- the record (JSON)
    ) STRICT;
    CREATE INDEX health_records_day ON health_records(day DESC, id DESC);
    CREATE INDEX health_records_kind ON health_records(kind, day DESC, id DESC);
    CREATE INDEX health_records_facility ON health_records(facility, day DESC, id DESC);
    CREATE TABLE health_terms (
        term   INTEGER NOT NULL,          -- keyed token of a folded word
        day    INTEGER NOT NULL,          -- the record's day, so a word's records come newest first
        record INTEGER NOT NULL REFERENCES health_records(id) ON DELETE CASCADE,
        PRIMARY KEY (term, day, record)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX health_terms_record ON health_terms(record);
    CREATE TABLE health_facilities (
        token  INTEGER PRIMARY KEY,
        sealed BLOB NOT NULL              -- code and name
    ) STRICT;
    CREATE TABLE health_notes (
        record_id TEXT PRIMARY KEY,
        sealed    BLOB NOT NULL           -- the citizen's note
    ) STRICT;
    CREATE TABLE health_sync (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        cursor    INTEGER NOT NULL,
        synced_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE health_profile (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL              -- self-declared profile
    ) STRICT;";

/// Tables of the health book, for wiping.
pub const TABLES: &[&str] = &[
    "health_terms",
    "health_records",
    "health_facilities",
    "health_notes",
    "health_sync",
    "health_profile",
    // Which credential copies belong to which certificate (see `cert.rs`).
    "health_cert_copies",
];

/// The key of the search index: HMAC-SHA256 keyed with a value derived (HMAC as a PRF) from
/// the store's MAC key, built once per page or query rather than once per word.
pub(crate) struct IndexKey(hmac::Key);

impl IndexKey {
    pub(crate) fn new(sealer: &Sealer<'_>) -> Self {
        let derived = zeroize::Zeroizing::new(sealer.mac(b"vneid-health-index-key/v1"));
        Self(hmac::Key::new(hmac::HMAC_SHA256, &derived))
    }

    fn token(&self, domain: &[u8], word: &str) -> i64 {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(domain);
        ctx.update(word.as_bytes());
        let tag = ctx.sign();
        let mut b = [0u8; 8];
        for (dst, src) in b.iter_mut().zip(tag.as_ref()) {
            *dst = *src;
        }
        i64::from_be_bytes(b)
    }

    fn term(&self, word: &str) -> i64 {
        self.token(b"term\0", word)
    }

    fn facility(&self, code: &str) -> i64 {
        self.token(b"facility\0", code)
    }
}

fn record_context(record_id: &str) -> String {
    format!("health_records/{record_id}")
}

fn note_context(record_id: &str) -> String {
    format!("health_notes/{record_id}")
}

fn day_of(iso: &str) -> Result<i64, StoreError> {
    CalendarDate::parse_iso(iso)
        .map(|d| d.to_unix_days())
        .map_err(|_| StoreError::Encoding("health record date".into()))
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Encoding(e.to_string())
}

/// Everything searchable about a record, as one text.
fn index_text(r: &HealthRecord, note: Option<&CitizenNote>) -> String {
    let mut t = vec![
        r.title.clone(),
        r.facility.name.clone(),
        r.facility.code.clone(),
        RecordKind::of(&r.body).label_vi().to_owned(),
    ];
    match &r.body {
        RecordBody::BhytCard {
            card_number,
            primary_care,
            ..
        } => {
            t.push(card_number.clone());
            t.push(primary_care.name.clone());
        }
        RecordBody::Vaccination {
            vaccine,
            disease,
            lot,
            ..
        } => t.extend([vaccine.clone(), disease.clone(), lot.clone()]),
        RecordBody::Encounter {
            department,
            reason,
            diagnoses,
            procedures,
            prescriptions,
            discharge_summary,
            ..
        } => {
            t.extend([department.clone(), reason.clone()]);
            t.extend(
                diagnoses
                    .iter()
                    .flat_map(|d| [d.code.clone(), d.name.clone()]),
            );
            t.extend(procedures.iter().map(|p| p.name.clone()));
            t.extend(prescriptions.iter().map(|p| p.drug.clone()));
            t.extend(discharge_summary.clone());
        }
        RecordBody::Referral {
            referral_number,
            to_facility,
            diagnosis,
            reason,
        } => t.extend([
            referral_number.clone(),
            to_facility.name.clone(),
            diagnosis.code.clone(),
            diagnosis.name.clone(),
            reason.clone(),
        ]),
        RecordBody::Appointment {
            department,
            purpose,
            ..
        } => t.extend([department.clone(), purpose.clone()]),
        RecordBody::SickLeave {
            certificate_number,
            diagnosis,
            ..
        } => t.extend([
            certificate_number.clone(),
            diagnosis.code.clone(),
            diagnosis.name.clone(),
        ]),
        RecordBody::DriverHealth {
            certificate_number,
            licence_class,
            ..
        } => t.extend([certificate_number.clone(), licence_class.clone()]),
    }
    if let Some(n) = note {
        t.push(n.text.clone());
    }
    t.join(" ")
}

fn reindex(
    tx: &Transaction<'_>,
    key: &IndexKey,
    row: i64,
    r: &HealthRecord,
    note: Option<&CitizenNote>,
) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM health_terms WHERE record = ?1")?
        .execute([row])?;
    let day = day_of(&r.date)?;
    let mut ins = tx.prepare_cached(
        "INSERT OR IGNORE INTO health_terms (term, day, record) VALUES (?1, ?2, ?3)",
    )?;
    for w in words(&index_text(r, note)) {
        ins.execute(params![key.term(&w), day, row])?;
    }
    Ok(())
}

fn load_note(
    c: &Connection,
    sealer: &Sealer<'_>,
    record_id: &str,
) -> Result<Option<CitizenNote>, StoreError> {
    let sealed: Option<Vec<u8>> = c
        .prepare_cached("SELECT sealed FROM health_notes WHERE record_id = ?1")?
        .query_row([record_id], |r| r.get(0))
        .optional()?;
    sealed
        .map(|s| {
            let plain = sealer.open(&note_context(record_id), &s)?;
            serde_json::from_slice(&plain).map_err(json_err)
        })
        .transpose()
}

/// Counts of one applied page.
#[derive(Debug, Default, Clone, Copy)]
pub struct Applied {
    pub upserted: u32,
    pub deleted: u32,
    pub unchanged: u32,
}

/// Applies one checked page and moves the cursor, inside the caller's transaction: either the
/// page and its cursor land together, or neither does.
pub fn apply_page(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    changes: &[HealthChange],
    next_cursor: u64,
    now: u64,
) -> Result<Applied, StoreError> {
    let mut applied = Applied::default();
    let key = IndexKey::new(sealer);
    for ch in changes {
        let local: Option<(i64, i64)> = tx
            .prepare_cached("SELECT id, version FROM health_records WHERE record_id = ?1")?
            .query_row([&ch.record_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match (&ch.record, ch.deleted) {
            (Some(record), false) => {
                if local.is_some_and(|(_, v)| v >= i64::from(record.version)) {
                    // The issuer's newer version always wins; an equal or older one is a
                    // replay of something already applied.
                    applied.unchanged += 1;
                    continue;
                }
                let sealed = sealer.seal(
                    &record_context(&record.id),
                    &serde_json::to_vec(record).map_err(json_err)?,
                )?;
                let fac = key.facility(&record.facility.code);
                let row: i64 = tx
                    .prepare_cached(
                        "INSERT INTO health_records (record_id, kind, day, version, facility, sealed)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (record_id) DO UPDATE SET kind = ?2, day = ?3, version = ?4,
                             facility = ?5, sealed = ?6
                         RETURNING id",
                    )?
                    .query_row(
                        params![
                            record.id,
                            RecordKind::of(&record.body) as i64,
                            day_of(&record.date)?,
                            record.version,
                            fac,
                            sealed
                        ],
                        |r| r.get(0),
                    )?;
                let known: bool = tx
                    .prepare_cached("SELECT 1 FROM health_facilities WHERE token = ?1")?
                    .exists([fac])?;
                if !known {
                    let sealed = sealer.seal(
                        &format!("health_facilities/{fac}"),
                        &serde_json::to_vec(&record.facility).map_err(json_err)?,
                    )?;
                    tx.prepare_cached(
                        "INSERT INTO health_facilities (token, sealed) VALUES (?1, ?2)",
                    )?
                    .execute(params![fac, sealed])?;
                }
                // The citizen's note survives the issuer's correction and stays searchable.
                let note = load_note(tx, sealer, &record.id)?;
                reindex(tx, &key, row, record, note.as_ref())?;
                applied.upserted += 1;
            }
            _ => {
                if let Some((row, _)) = local {
                    tx.prepare_cached("DELETE FROM health_records WHERE id = ?1")?
                        .execute([row])?;
                    applied.deleted += 1;
                } else {
                    applied.unchanged += 1;
                }
                // A withdrawn record takes the note on it along: nothing left to annotate.
                tx.prepare_cached("DELETE FROM health_notes WHERE record_id = ?1")?
                    .execute([&ch.record_id])?;
            }
        }
    }
    tx.prepare_cached(
        "INSERT INTO health_sync (id, cursor, synced_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET cursor = ?1, synced_at = ?2",
    )?
    .execute(params![sql_u64(next_cursor), sql_u64(now)])?;
    Ok(applied)
}

fn sql_u64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The sync cursor and when it last moved.
pub fn cursor(c: &Connection) -> Result<(u64, Option<u64>), StoreError> {
    let row: Option<(i64, i64)> = c
        .query_row(
            "SELECT cursor, synced_at FROM health_sync WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((cur, at)) => (
            u64::try_from(cur).unwrap_or(0),
            Some(u64::try_from(at).unwrap_or(0)),
        ),
        None => (0, None),
    })
}

fn open_entry(
    c: &Connection,
    sealer: &Sealer<'_>,
    record_id: &str,
    sealed: &[u8],
) -> Result<BookEntry, StoreError> {
    let plain = sealer.open(&record_context(record_id), sealed)?;
    let record: HealthRecord = serde_json::from_slice(&plain).map_err(json_err)?;
    let note = load_note(c, sealer, record_id)?;
    Ok(BookEntry {
        kind: RecordKind::of(&record.body),
        record,
        note,
    })
}

/// Most records per page.
pub const MAX_PAGE_SIZE: u32 = 200;
const DEFAULT_PAGE_SIZE: u32 = 50;

/// A query page token is `day:id` of the last entry shown.
fn parse_token(t: &str) -> Option<(i64, i64)> {
    let (d, i) = t.split_once(':')?;
    Some((d.parse().ok()?, i.parse().ok()?))
}

/// Why a query cannot run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryError {
    PageToken,
    PageSize,
}

/// Runs a query: newest first, keyset-paged on (day, id).
///
/// Without words, the clear columns drive it (an index range on kind/day or day). With words,
/// the rarest word drives it: its index entries are already ordered by (day, record), so the
/// newest matches come first and the scan stops after one page; the other words are checked
/// per candidate with a primary-key lookup.
pub fn query(
    c: &Connection,
    sealer: &Sealer<'_>,
    q: &HealthQuery,
) -> Result<Result<HealthPage, QueryError>, StoreError> {
    let size = match q.page_size {
        0 => DEFAULT_PAGE_SIZE,
        n if n <= MAX_PAGE_SIZE => n,
        _ => return Ok(Err(QueryError::PageSize)),
    };
    let after = match q.page_token.as_deref() {
        Some(t) => match parse_token(t) {
            Some(p) => Some(p),
            None => return Ok(Err(QueryError::PageToken)),
        },
        None => None,
    };
    let key = IndexKey::new(sealer);
    let mut terms: Vec<i64> = q
        .text
        .as_deref()
        .map(|t| words(t).iter().map(|w| key.term(w)).collect())
        .unwrap_or_default();
    terms.sort_unstable();
    terms.dedup();
    // Rarest word first.
    let mut counted = Vec::with_capacity(terms.len());
    for t in terms {
        let n: i64 = c
            .prepare_cached("SELECT count(*) FROM health_terms WHERE term = ?1")?
            .query_row([t], |r| r.get(0))?;
        counted.push((n, t));
    }
    counted.sort_unstable();
    let mut terms = counted.into_iter().map(|(_, t)| t);
    let driver = terms.next();
    let others: Vec<i64> = terms.collect();

    // `d` and `i` name the day and row id columns of the driving table.
    let (from, d, i) = match driver {
        Some(_) => (
            " FROM health_terms t JOIN health_records r ON r.id = t.record WHERE t.term = ?",
            "t.day",
            "t.record",
        ),
        None => (" FROM health_records r WHERE 1 = 1", "r.day", "r.id"),
    };
    let mut filter = String::from(from);
    let mut args: Vec<Value> = driver.map(Value::Integer).into_iter().collect();
    if !q.kinds.is_empty() {
        filter.push_str(" AND r.kind IN (");
        for (n, k) in q.kinds.iter().enumerate() {
            filter.push_str(if n == 0 { "?" } else { ", ?" });
            args.push(Value::Integer(*k as i64));
        }
        filter.push(')');
    }
    if let Some(from) = q.from {
        filter.push_str(&format!(" AND {d} >= ?"));
        args.push(Value::Integer(from.to_unix_days()));
    }
    if let Some(to) = q.to {
        filter.push_str(&format!(" AND {d} <= ?"));
        args.push(Value::Integer(to.to_unix_days()));
    }
    if let Some(code) = q.facility_code.as_deref() {
        filter.push_str(" AND r.facility = ?");
        args.push(Value::Integer(key.facility(code.trim())));
    }
    for t in &others {
        filter.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM health_terms x WHERE x.term = ? AND x.day = {d} AND x.record = {i})"
        ));
        args.push(Value::Integer(*t));
    }
    let total: i64 = c
        .prepare_cached(&format!("SELECT count(*){filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    if let Some((day, id)) = after {
        filter.push_str(&format!(" AND ({d} < ? OR ({d} = ? AND {i} < ?))"));
        args.extend([Value::Integer(day), Value::Integer(day), Value::Integer(id)]);
    }
    args.push(Value::Integer(i64::from(size) + 1));
    let mut stmt = c.prepare_cached(&format!(
        "SELECT r.id, r.record_id, r.day, r.sealed{filter} ORDER BY {d} DESC, {i} DESC LIMIT ?"
    ))?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    let mut entries = Vec::with_capacity(size as usize);
    let mut next_page = None;
    let mut last = None;
    for row in rows {
        let (id, record_id, day, sealed) = row?;
        if entries.len() == size as usize {
            next_page = last.map(|(d, i): (i64, i64)| format!("{d}:{i}"));
            break;
        }
        entries.push(open_entry(c, sealer, &record_id, &sealed)?);
        last = Some((day, id));
    }
    Ok(Ok(HealthPage {
        entries,
        total: u64::try_from(total).unwrap_or(0),
        next_page,
    }))
}

/// One record by the server's id.
pub fn get(
    c: &Connection,
    sealer: &Sealer<'_>,
    record_id: &str,
) -> Result<Option<BookEntry>, StoreError> {
    let sealed: Option<Vec<u8>> = c
        .query_row(
            "SELECT sealed FROM health_records WHERE record_id = ?1",
            [record_id],
            |r| r.get(0),
        )
        .optional()?;
    sealed
        .map(|s| open_entry(c, sealer, record_id, &s))
        .transpose()
}

/// All records (oldest first), or those with the given ids.
pub fn records(
    c: &Connection,
    sealer: &Sealer<'_>,
    selection: Option<&[String]>,
) -> Result<Vec<HealthRecord>, StoreError> {
    let mut stmt = c.prepare("SELECT record_id, sealed FROM health_records ORDER BY day, id")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, sealed) = row?;
        if selection.is_some_and(|s| !s.contains(&id)) {
            continue;
        }
        let plain = sealer.open(&record_context(&id), &sealed)?;
        out.push(serde_json::from_slice(&plain).map_err(json_err)?);
    }
    Ok(out)
}

/// Sets or (with `None`) removes the citizen's note; false when the record does not exist.
pub fn set_note(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    record_id: &str,
    text: Option<&str>,
    now: u64,
) -> Result<bool, StoreError> {
    let Some(entry) = get(tx, sealer, record_id)? else {
        return Ok(false);
    };
    let row: i64 = tx.query_row(
        "SELECT id FROM health_records WHERE record_id = ?1",
        [record_id],
        |r| r.get(0),
    )?;
    let note = text.map(|t| CitizenNote {
        text: t.to_owned(),
        written_at: now,
        for_version: entry.record.version,
    });
    match &note {
        Some(n) => {
            let sealed = sealer.seal(
                &note_context(record_id),
                &serde_json::to_vec(n).map_err(json_err)?,
            )?;
            tx.execute(
                "INSERT INTO health_notes (record_id, sealed) VALUES (?1, ?2)
                 ON CONFLICT (record_id) DO UPDATE SET sealed = ?2",
                params![record_id, sealed],
            )?;
        }
        None => {
            tx.execute("DELETE FROM health_notes WHERE record_id = ?1", [record_id])?;
        }
    }
    reindex(
        tx,
        &IndexKey::new(sealer),
        row,
        &entry.record,
        note.as_ref(),
    )?;
    Ok(true)
}

/// Facilities that issued records, by name.
pub fn facilities(c: &Connection, sealer: &Sealer<'_>) -> Result<Vec<Facility>, StoreError> {
    let mut stmt = c.prepare(
        "SELECT token, sealed FROM health_facilities
         WHERE token IN (SELECT facility FROM health_records)",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut out: Vec<Facility> = Vec::new();
    for row in rows {
        let (token, sealed) = row?;
        let plain = sealer.open(&format!("health_facilities/{token}"), &sealed)?;
        out.push(serde_json::from_slice(&plain).map_err(json_err)?);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Counts per kind and the date range, from the clear columns only.
/// Records per kind, and the first and last day (days since 1970-01-01) of the book.
pub type Counts = (Vec<(RecordKind, u64)>, Option<(i64, i64)>);

pub fn counts(c: &Connection) -> Result<Counts, StoreError> {
    let mut stmt = c.prepare("SELECT kind, count(*) FROM health_records GROUP BY kind")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let mut by_kind = Vec::new();
    for row in rows {
        let (k, n) = row?;
        if let Some(kind) = RecordKind::from_i64(k) {
            by_kind.push((kind, u64::try_from(n).unwrap_or(0)));
        }
    }
    let range: Option<(Option<i64>, Option<i64>)> = c
        .query_row("SELECT min(day), max(day) FROM health_records", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let range = range.and_then(|(a, b)| a.zip(b));
    Ok((by_kind, range))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::secure_area::SoftwareSecureArea;
    use crate::store::Store;
    use vneid_api::health::Facility;

    fn record(version: u32, title: &str) -> HealthRecord {
        HealthRecord {
            id: "hr-1".into(),
            version,
            date: "2024-05-01".into(),
            facility: Facility {
                code: "01003".into(),
                name: "Trung tâm Y tế Hà Nội".into(),
            },
            title: title.into(),
            body: RecordBody::Appointment {
                department: "Khoa Nội".into(),
                time: "08:30".into(),
                purpose: "Tái khám".into(),
            },
        }
    }

    fn change(seq: u64, r: HealthRecord) -> HealthChange {
        HealthChange {
            seq,
            record_id: r.id.clone(),
            deleted: false,
            record: Some(r),
        }
    }

    fn apply(store: &mut Store, changes: &[HealthChange], cursor: u64) -> Applied {
        store
            .transaction(|tx, s| apply_page(tx, s, changes, cursor, 1))
            .unwrap()
    }

    fn search(store: &Store, text: &str) -> u64 {
        store
            .read(|c, s| {
                Ok(query(
                    c,
                    s,
                    &HealthQuery {
                        text: Some(text.into()),
                        ..HealthQuery::default()
                    },
                )?
                .unwrap()
                .total)
            })
            .unwrap()
    }

    #[test]
    fn the_issuers_newer_version_wins_older_ones_are_ignored_and_the_note_stays() {
        let dir = tempfile::tempdir().unwrap();
        let sa = SoftwareSecureArea::open_dir(&dir.path().join("sa")).unwrap();
        let (mut store, _) =
            Store::open(&dir.path().join("w.sqlite3"), &sa, &[crate::health::SCHEMA]).unwrap();
        let a = apply(&mut store, &[change(1, record(2, "Hẹn tái khám"))], 1);
        assert_eq!(a.upserted, 1);
        store
            .transaction(|tx, s| set_note(tx, s, "hr-1", Some("mang phim X-quang"), 5))
            .unwrap();
        // An older or equal version (a replayed or reordered page) changes nothing.
        let a = apply(&mut store, &[change(2, record(1, "cũ"))], 2);
        let b = apply(&mut store, &[change(3, record(2, "cũ"))], 3);
        assert_eq!((a.unchanged, b.unchanged), (1, 1));
        let e = store.read(|c, s| get(c, s, "hr-1")).unwrap().unwrap();
        assert_eq!(e.record.title, "Hẹn tái khám");
        // A newer one replaces the record; the note survives and stays searchable; the old
        // title's words leave the index.
        let c = apply(&mut store, &[change(4, record(3, "Lịch hẹn đã đổi"))], 4);
        assert_eq!(c.upserted, 1);
        let e = store.read(|c, s| get(c, s, "hr-1")).unwrap().unwrap();
        assert_eq!(e.record.version, 3);
        assert_eq!(e.note.as_ref().unwrap().text, "mang phim X-quang");
        assert!(e.note_outdated());
        assert_eq!(search(&store, "phim x-quang"), 1);
        assert_eq!(search(&store, "doi"), 1);
        assert_eq!(search(&store, "hen tai kham"), 1);
        assert_eq!(store.read(|c, _| cursor(c)).unwrap().0, 4);
        // A tombstone removes record, terms and note.
        let tomb = HealthChange {
            seq: 5,
            record_id: "hr-1".into(),
            deleted: true,
            record: None,
        };
        assert_eq!(apply(&mut store, &[tomb], 5).deleted, 1);
        assert_eq!(search(&store, "phim"), 0);
        let left: i64 = store
            .read(|c, _| {
                Ok(c.query_row(
                    "SELECT (SELECT count(*) FROM health_terms) + (SELECT count(*) FROM health_notes)",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn a_failed_page_leaves_records_and_cursor_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let sa = SoftwareSecureArea::open_dir(&dir.path().join("sa")).unwrap();
        let (mut store, _) =
            Store::open(&dir.path().join("w.sqlite3"), &sa, &[crate::health::SCHEMA]).unwrap();
        apply(&mut store, &[change(1, record(1, "Hẹn tái khám"))], 1);
        let mut bad = record(2, "sửa");
        bad.date = "not a date".into();
        let failed = store.transaction(|tx, s| apply_page(tx, s, &[change(2, bad)], 2, 1));
        assert!(failed.is_err());
        assert_eq!(store.read(|c, _| cursor(c)).unwrap().0, 1);
        let e = store.read(|c, s| get(c, s, "hr-1")).unwrap().unwrap();
        assert_eq!(e.record.version, 1);
    }
}

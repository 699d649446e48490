//! `vneid bench-health`: the health-book numbers of the issue, measured in-process against
//! the embedded backend on loopback: a full sync of a 10 000-record book (HTTP, checks,
//! sealing, keyed index, one transaction per page), and listing + filtering one page of it.

use std::sync::Arc;
use std::time::{Duration, Instant};
use vneid_wallet::health::{CalendarDate, HealthQuery, RecordKind};
use vneid_wallet::{ActivationInput, Passcode, SoftwareSecureArea, Wallet, WalletConfig};
use zeroize::Zeroizing;

type BoxError = Box<dyn std::error::Error>;

#[derive(clap::Args, Debug)]
pub struct BenchHealthArgs {
    /// Records in the benchmark book.
    #[arg(long, default_value_t = 10_000)]
    records: u32,
    /// Full syncs (each into a freshly activated wallet).
    #[arg(long, default_value_t = 3)]
    syncs: usize,
    /// Repetitions of each listing query.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Changes per sync page.
    #[arg(long, default_value_t = 200)]
    page: u32,
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let n = v.len().max(1);
    let at = |q: usize| v.get((n - 1) * q / 100).copied().unwrap_or_default();
    let mean = v.iter().sum::<Duration>() / n as u32;
    format!(
        "median {:.2?}  p90 {:.2?}  mean {mean:.2?}  min {:.2?}  max {:.2?}  (n={})",
        at(50),
        at(90),
        at(0),
        at(100),
        v.len()
    )
}

async fn activated(
    dir: &std::path::Path,
    backend: &vneid_backend::RunningBackend,
    c: &vneid_backend::SeededCitizen,
) -> Result<Wallet, BoxError> {
    let sa = Arc::new(SoftwareSecureArea::open_dir(&dir.join("secure-area"))?);
    let mut config = WalletConfig::new(dir.join("wallet"), backend.base_url());
    config.kdf_iterations = 1_000;
    let wallet = Wallet::open(config, sa)?;
    wallet
        .start_activation(ActivationInput {
            id_number: c.id_number.clone(),
            phone: c.phone.clone(),
            date_of_birth: c.date_of_birth.clone(),
            email: None,
        })
        .await?;
    let otp = backend.latest_otp(&c.phone).ok_or("no OTP")?;
    wallet.verify_otp(Zeroizing::new(otp)).await?;
    wallet.set_passcode(Passcode::new("860247")).await?;
    Ok(wallet)
}

pub async fn run(args: BenchHealthArgs) -> Result<(), BoxError> {
    let profile = if cfg!(debug_assertions) {
        "debug (use --release for real numbers)"
    } else {
        "release"
    };
    println!(
        "vneid bench-health — {} records, page {}; build: {profile}",
        args.records, args.page
    );
    let first = vneid_backend::stable_citizen();
    let backend = vneid_backend::spawn(vneid_backend::BackendConfig {
        seed_citizens: 20,
        health_book_sizes: vec![(first.id_number.clone(), args.records)],
        ..Default::default()
    })
    .await?;
    let c = backend.sample_citizens(1).pop().ok_or("no citizen")?;

    let mut syncs = Vec::new();
    let mut keep = None;
    for i in 0..args.syncs.max(1) {
        let dir = tempfile::tempdir()?;
        let wallet = activated(dir.path(), &backend, &c).await?;
        let t = Instant::now();
        let outcome = wallet.health_sync_with(args.page).await?;
        let took = t.elapsed();
        if outcome.report.records != u64::from(args.records) {
            return Err("sync did not bring the whole book".into());
        }
        // The first run also materialises the book on the backend: reported apart.
        println!(
            "  sync {}: {:.0?} ({} pages{})",
            i + 1,
            took,
            outcome.report.pages,
            if i == 0 {
                ", includes generating the book server-side"
            } else {
                ""
            }
        );
        if i > 0 || args.syncs == 1 {
            syncs.push(took);
        }
        keep = Some((dir, wallet));
    }
    println!(
        "health sync of {} records from the local backend: {}",
        args.records,
        stats(syncs)
    );
    let (dir, wallet) = keep.ok_or("no wallet")?;
    let size: u64 = std::fs::read_dir(dir.path().join("wallet"))?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "  store on disk: {:.1} MiB",
        size as f64 / (1024.0 * 1024.0)
    );

    let facility = wallet
        .health_facilities()?
        .into_iter()
        .next()
        .ok_or("no facility")?;
    let d = |y, m, d| CalendarDate::new(y, m, d).ok();
    let second_page = wallet
        .health_query(&HealthQuery {
            page_size: 50,
            ..HealthQuery::default()
        })?
        .next_page;
    let cases: Vec<(&str, HealthQuery)> = vec![
        (
            "newest 50, no filter",
            HealthQuery {
                page_size: 50,
                ..HealthQuery::default()
            },
        ),
        (
            "second page (keyset token)",
            HealthQuery {
                page_size: 50,
                page_token: second_page,
                ..HealthQuery::default()
            },
        ),
        (
            "encounters 2016–2023, page of 50",
            HealthQuery {
                kinds: vec![RecordKind::Encounter],
                from: d(2016, 1, 1),
                to: d(2023, 12, 31),
                page_size: 50,
                ..HealthQuery::default()
            },
        ),
        (
            "one facility + encounters/appointments, page of 50",
            HealthQuery {
                kinds: vec![RecordKind::Encounter, RecordKind::Appointment],
                facility_code: Some(facility.code.clone()),
                page_size: 50,
                ..HealthQuery::default()
            },
        ),
        (
            "text \"tiem chung\" (no diacritics), page of 50",
            HealthQuery {
                text: Some("tiem chung".into()),
                page_size: 50,
                ..HealthQuery::default()
            },
        ),
        (
            "text \"viêm họng\" + 2020–2026, page of 50",
            HealthQuery {
                text: Some("viêm họng".into()),
                from: d(2020, 1, 1),
                to: d(2026, 12, 31),
                page_size: 50,
                ..HealthQuery::default()
            },
        ),
    ];
    println!(
        "listing + filtering one page of the {}-record book (decrypting the page, total count included):",
        args.records
    );
    for (name, q) in &cases {
        for _ in 0..5 {
            wallet.health_query(q)?;
        }
        let mut times = Vec::with_capacity(args.runs);
        let mut shown = (0, 0);
        for _ in 0..args.runs.max(1) {
            let t = Instant::now();
            let page = wallet.health_query(q)?;
            times.push(t.elapsed());
            shown = (page.entries.len(), page.total);
        }
        println!(
            "  {name}: {}  [{} shown of {}]",
            stats(times),
            shown.0,
            shown.1
        );
    }
    let t = Instant::now();
    let fhir = wallet.health_export_fhir(None)?;
    println!(
        "FHIR R4 export of the whole book: {:.0?}, {:.1} MiB JSON",
        t.elapsed(),
        fhir.len() as f64 / (1024.0 * 1024.0)
    );
    backend.shutdown().await;
    Ok(())
}

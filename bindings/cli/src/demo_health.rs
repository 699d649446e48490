//! Demo step of the health book: sync the citizen's book from the embedded backend, print its
//! summary, then present the BHYT card at a hospital reception and verify it as the counter
//! would.

use std::time::Instant;
use vneid_wallet::Wallet;
use vneid_wallet::credential::claims::PRESET_HEALTH_INSURANCE;
use vneid_wallet::credential::cose::PublicKey;
use vneid_wallet::health::{HealthQuery, RecordBody, RecordKind};

type BoxError = Box<dyn std::error::Error>;

/// Runs the two health steps, numbered from `first_step`.
pub async fn run(
    wallet: &Wallet,
    base_url: &str,
    anchor: &PublicKey,
    first_step: u32,
) -> Result<(), BoxError> {
    println!(
        "\n[{first_step}] Syncing the electronic health book (incremental change feed, paged, sealed per record)"
    );
    let started = Instant::now();
    let outcome = wallet.health_sync().await?;
    let r = &outcome.report;
    println!(
        "    {} records in {} pages, synced and indexed in {:.0?}; {} BHYT credential copies fetched",
        r.records,
        r.pages,
        started.elapsed(),
        r.card_copies_fetched
    );
    if let Some(code) = outcome.card_error {
        println!("    (BHYT credential not fetched: {})", code.as_str());
    }
    let s = wallet.health_summary()?;
    for (kind, n) in &s.by_kind {
        println!("    {:>5}  {}", n, kind.label_vi());
    }
    println!(
        "    from {} to {}",
        s.oldest.as_deref().unwrap_or("-"),
        s.newest.as_deref().unwrap_or("-")
    );
    if let Some(RecordBody::BhytCard {
        card_number,
        primary_care,
        valid_to,
        ..
    }) = s.bhyt_card.as_ref().map(|c| &c.body)
    {
        println!(
            "    thẻ BHYT {card_number}, nơi KCB ban đầu {}, giá trị đến {valid_to}",
            primary_care.name
        );
    }
    let latest = wallet.health_query(&HealthQuery {
        kinds: vec![RecordKind::Encounter],
        page_size: 3,
        ..HealthQuery::default()
    })?;
    println!("    latest visits:");
    for e in &latest.entries {
        println!(
            "      {}  {} ({})",
            e.record.date, e.record.title, e.record.facility.name
        );
    }
    let t = Instant::now();
    let found = wallet.health_query(&HealthQuery {
        text: Some("tiem chung".into()),
        page_size: 1,
        ..HealthQuery::default()
    })?;
    println!(
        "    search \"tiem chung\" (no diacritics): {} records in {:.1?}",
        found.total,
        t.elapsed()
    );

    println!(
        "\n[{}] Presenting the BHYT card at hospital reception (\"health insurance at reception\" QR)",
        first_step + 1
    );
    let presentation = wallet.present(&PRESET_HEALTH_INSURANCE, None)?;
    print!("{}", crate::verify::qr_to_terminal(&presentation.qr));
    println!(
        "    payload {} characters, QR version {}",
        presentation.text.len(),
        presentation.qr.version
    );
    crate::verify::verify_at_counter(
        base_url,
        &presentation.text,
        anchor,
        "the BHYT card presentation",
    )
    .await?;
    Ok(())
}

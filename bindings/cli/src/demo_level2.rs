//! Demo steps of the level-2 upgrade: the wallet reads the citizen's (virtual) chip
//! ID card again, the embedded backend re-verifies the evidence with its own CSCA trust store
//! and raises the account to level 2; the wallet then presents the electronic ID and the
//! counter's verdict names it as the level-2 credential.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;
use vneid_chip::{Citizen, LinkModel, VirtualCard};
use vneid_emrtd::mrz::{DocumentNumberRule, MrzKey};
use vneid_wallet::Wallet;
use vneid_wallet::credential::claims::PRESET_ELECTRONIC_ID_CHECK;
use vneid_wallet::credential::cose::PublicKey;

type BoxError = Box<dyn std::error::Error>;

/// Runs the two level-2 steps, numbered from `first_step`. Skipped (with a line saying so)
/// when the citizen has no virtual card.
pub async fn run(
    wallet: &Wallet,
    base_url: &str,
    anchor: &PublicKey,
    id_number: &str,
    first_step: u32,
) -> Result<(), BoxError> {
    println!(
        "\n[{first_step}] Level 2: reading the chip ID card for the backend, which re-verifies it with its own CSCA list and checks it against the population record"
    );
    let Some(citizen) = Citizen::by_id(id_number) else {
        println!("    (no virtual card for this citizen; skipped)");
        return Ok(());
    };
    let key = MrzKey::from_cccd(
        citizen.id_number,
        citizen.date_of_birth,
        citizen.date_of_expiry,
        &DocumentNumberRule::LastNineDigitsOfIdNumber,
    )?;
    let card = VirtualCard::for_citizen(citizen)?.with_link(LinkModel::FAST);
    // The selfie the app would take with the front camera: only its SHA-256 is sent.
    let selfie = vneid_chip::files::face_jpeg(&format!("selfie {}", citizen.id_number))?;
    let before = wallet.account_info().await?.level;
    let started = Instant::now();
    let outcome = wallet
        .upgrade_to_level2(card, key, &selfie, None, Arc::new(AtomicBool::new(false)))
        .await?;
    println!(
        "    level {before} -> {}; backend verified at {}; {} electronic-ID copies fetched; {:.0?} (read, verify, issue)",
        outcome.level,
        vneid_wallet::credential::claims::Date::from_unix(outcome.verified_at),
        outcome.electronic_id_copies,
        started.elapsed()
    );
    println!(
        "    chip authentication: {:?}; active authentication: {:?}",
        outcome.chip.chip_authentication, outcome.chip.active_authentication
    );

    println!(
        "\n[{}] Presenting the level-2 electronic ID (\"electronic ID check\") and verifying it at the counter",
        first_step + 1
    );
    let presentation = wallet.present(&PRESET_ELECTRONIC_ID_CHECK, None)?;
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
        "the level-2 presentation",
    )
    .await?;
    Ok(())
}

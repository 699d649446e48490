//! The main job: the whole activation flow against an embedded backend, step by step, ending
//! with a credential fetched, presented as a QR and verified at a simulated counter.

use std::sync::Arc;
use std::time::Instant;
use vneid_wallet::{
    ActivationInput, Passcode, SoftwareSecureArea, Wallet, WalletConfig, WalletError,
};
use zeroize::Zeroizing;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// PBKDF2 iterations for the passcode (default: the production 600 000).
    #[arg(long)]
    kdf_iterations: Option<u32>,
    /// Keep the wallet directory instead of deleting it.
    #[arg(long)]
    keep: bool,
    /// Write the presentation as a 1280×720 photo-like PNG (`qr.png`) with the signed trust
    /// list and status list (`trust-list.cose`, `status-list.cose`) into this directory, for
    /// `vneid verify DIR/qr.png --trust-list … --status … --now …` afterwards.
    #[arg(long)]
    export: Option<std::path::PathBuf>,
}

fn step(n: u32, text: &str) {
    println!("\n[{n}] {text}");
}

fn explain(e: &WalletError) -> String {
    format!(
        "{} — {} / {}",
        e.code().as_str(),
        e.code().message(vneid_wallet::Lang::Vi),
        e.code().message(vneid_wallet::Lang::En)
    )
}

pub async fn run(args: DemoArgs) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    println!("vneid demo — core {}", env!("CARGO_PKG_VERSION"));

    step(
        1,
        "Starting the reference backend on loopback (synthetic population database)",
    );
    let dev_token = "demo-dev-token".to_string();
    let backend = vneid_backend::spawn(vneid_backend::BackendConfig {
        dev_token: Some(dev_token),
        ..Default::default()
    })
    .await?;
    println!("    backend at {}", backend.base_url());
    let citizen = backend
        .sample_citizens(1)
        .into_iter()
        .next()
        .ok_or("the backend has no seeded citizens")?;
    println!(
        "    citizen: {} (ID {}, born {}, phone {})",
        citizen.full_name, citizen.id_number, citizen.date_of_birth, citizen.phone
    );

    step(
        2,
        "Creating a wallet in a temporary directory (software secure area)",
    );
    let dir = tempfile::tempdir()?;
    let secure_area = Arc::new(SoftwareSecureArea::open_dir(
        &dir.path().join("secure-area"),
    )?);
    let mut config = WalletConfig::new(dir.path().join("wallet"), backend.base_url());
    config.device_name = "vneid demo".into();
    if let Some(n) = args.kdf_iterations {
        config.kdf_iterations = n;
    }
    let wallet = Wallet::open(config, secure_area)?;
    println!("    state: {:?}", wallet.state()?);

    step(
        3,
        "Registering: ID number + phone + date of birth → SMS OTP",
    );
    let activation_started = Instant::now();
    let sent = wallet
        .start_activation(ActivationInput {
            id_number: citizen.id_number.clone(),
            phone: citizen.phone.clone(),
            date_of_birth: citizen.date_of_birth.clone(),
            email: None,
        })
        .await?;
    println!(
        "    OTP sent to {} (valid {} s, resend after {} s)",
        sent.masked_phone, sent.otp_ttl_seconds, sent.resend_after_seconds
    );

    step(4, "Entering a wrong OTP, then the one from the SMS outbox");
    match wallet.verify_otp(Zeroizing::new("000000".into())).await {
        Err(e) => println!(
            "    wrong code refused: {} ({} attempts left)",
            explain(&e),
            e.attempts_left().unwrap_or(0)
        ),
        Ok(()) => return Err("a wrong OTP was accepted".into()),
    }
    let otp = backend
        .latest_otp(&citizen.phone)
        .ok_or("no OTP in the dev SMS outbox")?;
    wallet.verify_otp(Zeroizing::new(otp)).await?;
    println!("    OTP accepted; state: {:?}", wallet.state()?);

    step(
        5,
        "Choosing a passcode: weak ones are refused, then the device key is bound",
    );
    for weak in ["123456", "111111", "121212"] {
        if let Err(e) = wallet.set_passcode(Passcode::new(weak)).await {
            println!("    {weak}: {}", explain(&e));
        }
    }
    let passcode = "860247";
    let kdf_started = Instant::now();
    let account = wallet.set_passcode(Passcode::new(passcode)).await?;
    println!(
        "    account {} bound to device {} (level {}) in {:.0?}",
        account.account_id,
        account.device_id,
        account.level,
        kdf_started.elapsed()
    );
    println!(
        "    activation wall time: {:.0?}",
        activation_started.elapsed()
    );

    step(
        6,
        "Asking the backend who we are (device-key login, access token)",
    );
    let info = wallet.account_info().await?;
    println!(
        "    {} — level {}, {}",
        info.citizen.full_name, info.level, info.citizen.permanent_address.province_name
    );

    step(7, "Locking, one wrong passcode, then unlocking");
    wallet.lock()?;
    println!("    state: {:?}", wallet.state()?);
    if let Err(e) = wallet.unlock(Passcode::new("999999")).await {
        println!("    {}", explain(&e));
    }
    let unlock_started = Instant::now();
    wallet.unlock(Passcode::new(passcode)).await?;
    println!(
        "    unlocked in {:.0?}; state: {:?}",
        unlock_started.elapsed(),
        wallet.state()?
    );

    step(
        8,
        "Checking the database file holds no personal data in clear",
    );
    let db = std::fs::read(dir.path().join("wallet").join(vneid_wallet::STORE_FILE))?;
    let wal = std::fs::read(
        dir.path()
            .join("wallet")
            .join(format!("{}-wal", vneid_wallet::STORE_FILE)),
    )
    .unwrap_or_default();
    for (label, needle) in [
        ("full name", citizen.full_name.as_bytes()),
        ("ID number", citizen.id_number.as_bytes()),
    ] {
        let found = [&db, &wal]
            .iter()
            .any(|f| f.windows(needle.len()).any(|w| w == needle));
        println!(
            "    {label} in the files: {}",
            if found { "FOUND" } else { "no" }
        );
        if found {
            return Err(format!("{label} found in clear in the store").into());
        }
    }

    step(
        9,
        "Reading the citizen's chip ID card (virtual CCCD: PACE, secure messaging, chip, active and passive authentication)",
    );
    match crate::read_card::read_for_demo(&citizen.id_number) {
        Some(Ok(line)) => println!("    {line}"),
        Some(Err(e)) => return Err(format!("chip read failed: {e}").into()),
        None => println!("    (no virtual card for this citizen; skipped)"),
    }

    step(
        10,
        "Fetching credentials: a batch of copies per type, one secure-area key each",
    );
    let fetch_started = Instant::now();
    for held in wallet.fetch_credentials().await? {
        println!(
            "    type {}: {} copies, valid until {}",
            held.credential_type,
            held.copies,
            vneid_wallet::credential::claims::Date::from_unix(held.expires_at)
        );
    }
    println!("    fetched and stored in {:.0?}", fetch_started.elapsed());

    step(
        11,
        "Presenting \"identity check\" as a QR (one-way, valid 60 s)",
    );
    let preset = vneid_wallet::credential::claims::PRESET_IDENTITY_CHECK;
    let present_started = Instant::now();
    let presentation = wallet.present(&preset, None)?;
    let present_took = present_started.elapsed();
    print!("{}", crate::verify::qr_to_terminal(&presentation.qr));
    println!(
        "    payload {} characters, QR version {} (ECC M), {} modules per side; built and rendered in {:.1?}",
        presentation.text.len(),
        presentation.qr.version,
        presentation.qr.width,
        present_took
    );

    step(
        12,
        "Verifying at the counter: trust list (pinned anchor), status list, both signatures",
    );
    let anchor = crate::verify::anchor(None)?;
    let (trust, status) =
        crate::verify::fetch_lists(&backend.base_url(), &presentation.text, &anchor).await?;
    let registry = vneid_wallet::credential::claims::Registry::builtin();
    let policy = vneid_wallet::credential::verify::VerifyPolicy::default();
    let verifier = vneid_wallet::credential::verify::Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    let mut replay = vneid_wallet::credential::verify::ReplayCache::default();
    let verify_started = Instant::now();
    let verdict = verifier.verify_text(&presentation.text, crate::verify::now_unix(), &mut replay);
    let verify_took = verify_started.elapsed();
    if !crate::verify::print_verdict(&verdict) {
        return Err("the demo presentation was not accepted".into());
    }
    println!("    verified in {verify_took:.1?}");
    println!("    the same QR scanned again:");
    crate::verify::print_verdict(&verifier.verify_text(
        &presentation.text,
        crate::verify::now_unix(),
        &mut replay,
    ));
    if let Some(out) = &args.export {
        std::fs::create_dir_all(out)?;
        crate::verify::photo_frame(&presentation.qr).save(out.join("qr.png"))?;
        let api = vneid_wallet::api_client::ApiClient::new(
            &backend.base_url(),
            std::time::Duration::from_secs(10),
        )?;
        std::fs::write(out.join("trust-list.cose"), api.trust_list().await?)?;
        std::fs::write(
            out.join("status-list.cose"),
            api.status_list(presentation.status.list).await?,
        )?;
        println!(
            "    exported; check it again with:\n    vneid verify {d}/qr.png --trust-list {d}/trust-list.cose --status {d}/status-list.cose --now {now}",
            d = out.display(),
            now = crate::verify::now_unix()
        );
    }
    let history = wallet.disclosure_history()?;
    println!(
        "    disclosure history: {} entr{} (latest: {})",
        history.len(),
        if history.len() == 1 { "y" } else { "ies" },
        history.last().map_or("-", |h| h.preset.as_str())
    );

    // Health book: sync the book, its summary, the BHYT card at reception.
    crate::demo_health::run(&wallet, &backend.base_url(), &anchor, 13).await?;

    // Level 2: upgrade with the chip ID card, then present the electronic ID.
    crate::demo_level2::run(
        &wallet,
        &backend.base_url(),
        &anchor,
        &citizen.id_number,
        15,
    )
    .await?;

    // Judicial-record certificate: request, office workflow, verified certificate.
    crate::demo_judicial::run(&wallet, &backend.base_url(), &anchor, "demo-dev-token", 17).await?;

    if args.keep {
        let kept = dir.keep();
        println!("\nwallet kept in {}", kept.display());
    }
    backend.shutdown().await;
    println!("\ndemo finished in {:.1?}", started.elapsed());
    Ok(())
}

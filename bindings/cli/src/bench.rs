//! `vneid bench`: the numbers issue reports quote, measured on this machine.
//!
//! Timed in-process against the embedded backend on loopback: passcode KDF (unlock), full
//! activation flow wall time, unlock including device-key login; then credential fetch,
//! presentation build and QR render, verification, and QR decoding from a 1280×720 frame.

use std::sync::Arc;
use std::time::{Duration, Instant};
use vneid_wallet::passcode::{DEFAULT_ITERATIONS, Passcode, PasscodeVerifier};
use vneid_wallet::{ActivationInput, SoftwareSecureArea, Wallet, WalletConfig};
use zeroize::Zeroizing;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Repetitions per measurement.
    #[arg(long, default_value_t = 10)]
    runs: usize,
}

struct Stats(Vec<Duration>);

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut v = self.0.clone();
        v.sort();
        let n = v.len().max(1);
        let median = v.get(n / 2).copied().unwrap_or_default();
        let min = v.first().copied().unwrap_or_default();
        let max = v.last().copied().unwrap_or_default();
        let mean = v.iter().sum::<Duration>() / n as u32;
        write!(
            f,
            "median {median:.1?}  mean {mean:.1?}  min {min:.1?}  max {max:.1?}  (n={})",
            v.len()
        )
    }
}

pub async fn run(args: BenchArgs) -> Result<(), Box<dyn std::error::Error>> {
    let runs = args.runs.max(1);
    println!(
        "vneid bench — {runs} runs each; build profile: {}",
        profile()
    );

    let verifier = PasscodeVerifier::derive(&Passcode::new("860247"), DEFAULT_ITERATIONS)?;
    let mut kdf = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let ok = verifier.verify(&Passcode::new("860247"));
        kdf.push(t.elapsed());
        if !ok {
            return Err("KDF verification failed".into());
        }
    }
    println!(
        "passcode KDF verify (PBKDF2-HMAC-SHA256, {DEFAULT_ITERATIONS} iterations): {}",
        Stats(kdf)
    );

    let backend = vneid_backend::spawn(vneid_backend::BackendConfig {
        dev_token: Some("bench".into()),
        seed_citizens: runs.max(10),
        ..Default::default()
    })
    .await?;
    let citizens = backend.sample_citizens(runs);
    let mut activation = Vec::new();
    let mut unlock = Vec::new();
    let mut last = None;
    for c in &citizens {
        let dir = tempfile::tempdir()?;
        let sa = Arc::new(SoftwareSecureArea::open_dir(&dir.path().join("sa"))?);
        let wallet = Wallet::open(
            WalletConfig::new(dir.path().join("w"), backend.base_url()),
            sa,
        )?;
        let t = Instant::now();
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
        activation.push(t.elapsed());
        wallet.lock()?;
        let t = Instant::now();
        wallet.unlock(Passcode::new("860247")).await?;
        unlock.push(t.elapsed());
        last = Some((dir, wallet));
    }
    println!(
        "activation flow (start → OTP → passcode KDF → key → bind → login), loopback: {}",
        Stats(activation)
    );
    println!(
        "unlock (KDF + challenge signed by device key + token), loopback: {}",
        Stats(unlock)
    );
    if let Some((_dir, wallet)) = last {
        credentials(&wallet, &backend, runs).await?;
    }
    backend.shutdown().await;
    Ok(())
}

/// Credential fetch, presentation build + QR render, verification, and QR decoding from a
/// 1280×720 frame, for the "identity check" preset.
async fn credentials(
    wallet: &Wallet,
    backend: &vneid_backend::RunningBackend,
    runs: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    use vneid_wallet::credential::claims::{PRESET_IDENTITY_CHECK, Registry};
    use vneid_wallet::credential::verify::{ReplayCache, Verifier, VerifyPolicy};
    let t = Instant::now();
    wallet.fetch_credentials().await?;
    println!(
        "credential fetch (2 types × {} copies, keys + issue + check + store): {:.1?}",
        vneid_wallet::BATCH_SIZE,
        t.elapsed()
    );
    let anchor = crate::verify::anchor(None)?;
    let mut present = Vec::new();
    let mut verify = Vec::new();
    let mut decode = Vec::new();
    let mut shown = None;
    let registry = Registry::builtin();
    let policy = VerifyPolicy::default();
    for _ in 0..runs {
        let t = Instant::now();
        let p = wallet.present(&PRESET_IDENTITY_CHECK, None)?;
        present.push(t.elapsed());
        let (trust, status) =
            crate::verify::fetch_lists(&backend.base_url(), &p.text, &anchor).await?;
        let verifier = Verifier {
            registry: &registry,
            trust: &trust,
            status: &status,
            policy: &policy,
        };
        let t = Instant::now();
        let accepted = verifier
            .verify_text(
                &p.text,
                crate::verify::now_unix(),
                &mut ReplayCache::default(),
            )
            .is_accept();
        verify.push(t.elapsed());
        if !accepted {
            return Err("a bench presentation was not accepted".into());
        }
        let frame = crate::verify::photo_frame(&p.qr);
        let (found, took) = crate::verify::decode_luma(&frame);
        if found.first() != Some(&p.text) {
            return Err("the QR was not decoded from the frame".into());
        }
        decode.push(took);
        shown = Some(p);
    }
    if let Some(p) = shown {
        println!(
            "identity check: {} characters, QR version {} (ECC M)",
            p.text.len(),
            p.qr.version
        );
    }
    println!(
        "present (pick copy, open, secure-area signature, Base45, QR matrix, history): {}",
        Stats(present)
    );
    println!(
        "verify_text, one cold call per presentation (lists pre-fetched): {}",
        Stats(verify)
    );
    println!("quircs decode of a 1280×720 frame: {}", Stats(decode));
    Ok(())
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug (use --release for real numbers)"
    } else {
        "release"
    }
}

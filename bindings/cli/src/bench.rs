//! `vneid bench`: the numbers issue reports quote, measured on this machine.
//!
//! Timed in-process against the embedded backend on loopback: passcode KDF (unlock), full
//! activation flow wall time, unlock including device-key login.

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
    }
    println!(
        "activation flow (start → OTP → passcode KDF → key → bind → login), loopback: {}",
        Stats(activation)
    );
    println!(
        "unlock (KDF + challenge signed by device key + token), loopback: {}",
        Stats(unlock)
    );
    backend.shutdown().await;
    Ok(())
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug (use --release for real numbers)"
    } else {
        "release"
    }
}

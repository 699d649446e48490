//! `vneid`: the command-line face of vneid-core.
//!
//! `vneid demo` runs the main job end to end against an embedded reference backend on
//! loopback; `vneid verify --text …` checks a presentation QR at the counter; `vneid backend
//! serve` runs that backend on its own.

mod bench;
// Health book: benchmark subcommand and demo step.
mod bench_health;
mod demo;
mod demo_health;
// Judicial-record certificate requests.
mod demo_judicial;
// Level-2 upgrade demo steps.
mod demo_level2;
mod read_card;
mod verify;
// Area "counter": the vpcd virtual ICC for the PC/SC end-to-end test.
mod vpcd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "vneid", version, about = "vneid-core command-line tool")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read and verify a chip ID card (virtual cards of fixtures/chip) with a verdict per check.
    ReadCard(read_card::ReadCardArgs),
    /// Start an embedded backend, create a wallet in a temporary directory and activate an
    /// account, printing each step.
    Demo(demo::DemoArgs),
    /// Verify a presentation QR payload at the counter: prints the verdict and the verified
    /// claims. Exit status 0 only for an accepted presentation.
    Verify(verify::VerifyArgs),
    /// Measure passcode KDF, activation and unlock times against the embedded backend.
    Bench(bench::BenchArgs),
    /// Health book: sync of a 10 000-record book and listing/filtering a page of it.
    BenchHealth(bench_health::BenchHealthArgs),
    /// Test aid: insert a virtual card into vsmartcard's vpcd reader driver of pcscd.
    #[command(hide = true)]
    VpcdCard(vpcd::VpcdCardArgs),
    /// The reference backend.
    Backend {
        #[command(subcommand)]
        command: BackendCommand,
    },
}

#[derive(Subcommand, Debug)]
enum BackendCommand {
    /// Serve the reference backend until interrupted.
    Serve {
        /// SQLite database file (created and seeded when new).
        #[arg(long)]
        db: std::path::PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Enables the dev-only SMS outbox endpoint guarded by this token.
        #[arg(long)]
        dev_token: Option<String>,
        /// Level 2: a CSCA certificate (PEM bundle or DER) chip evidence may chain to;
        /// repeatable. With neither this nor --master-list, every test CSCA of fixtures/pki.
        #[arg(long = "csca", value_name = "FILE")]
        cscas: Vec<std::path::PathBuf>,
        /// Level 2: an ICAO CSCA master list; its signer must chain to a --csca. Repeatable.
        #[arg(long = "master-list", value_name = "FILE")]
        master_lists: Vec<std::path::PathBuf>,
    },
    /// Print a few seeded citizens (synthetic data) to try the demo by hand.
    Citizens {
        #[arg(long, default_value_t = 5)]
        count: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo(args) => demo::run(args).await,
            Command::Bench(args) => bench::run(args).await,
            Command::BenchHealth(args) => bench_health::run(args).await,
            Command::Verify(args) => verify::run(args).await,
            Command::ReadCard(args) => read_card::run(args).await,
            Command::VpcdCard(args) => vpcd::run(args),
            Command::Backend { command } => backend(command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn backend(command: BackendCommand) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        BackendCommand::Serve {
            db,
            listen,
            dev_token,
            cscas,
            master_lists,
        } => {
            // Level 2: the operator's CSCAs replace the test ones.
            let csca_trust = if cscas.is_empty() && master_lists.is_empty() {
                None
            } else {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)?
                    .as_secs();
                let trust =
                    vneid_backend::csca::trust_store_from_files(&cscas, &master_lists, now)?;
                eprintln!("trusting {} CSCA certificates", trust.cscas().len());
                Some(std::sync::Arc::new(trust))
            };
            let config = vneid_backend::BackendConfig {
                db_path: Some(db),
                dev_token,
                csca_trust,
                ..Default::default()
            };
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            println!("listening on http://{}", listener.local_addr()?);
            vneid_backend::serve(config, listener).await?;
            Ok(())
        }
        BackendCommand::Citizens { count } => {
            let backend = vneid_backend::spawn(vneid_backend::BackendConfig::default()).await?;
            for c in backend.sample_citizens(count) {
                println!(
                    "{}  {}  {}  {}",
                    c.id_number, c.date_of_birth, c.phone, c.full_name
                );
            }
            backend.shutdown().await;
            Ok(())
        }
    }
}

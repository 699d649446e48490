//! `vneid read-card`: read and verify a chip ID card the way a counter does, with a progress
//! bar and a verdict per check. `--virtual` reads the synthetic cards of `fixtures/chip`
//! (faults and link speed selectable), so the whole path runs without hardware; `--pcsc` reads
//! a card in a PC/SC reader through pcscd (cargo feature `pcsc`, see `read_card_pcsc.rs`).

#[cfg(feature = "pcsc")]
#[path = "read_card_pcsc.rs"]
mod pcsc;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use vneid_chip::{CardConfig, Citizen, Document, Faults, LinkModel, VirtualCard};
use vneid_emrtd::access::{AccessKey, Can};
use vneid_emrtd::mrz::{DocumentNumberRule, DocumentType, MrzKey};
use vneid_emrtd::pa::{Check, DgHash, PassiveAuthReport, TrustStore};
use vneid_emrtd::session::{
    AccessProtocol, BlockChoice, ChipIdentity, ChipSession, ReadProgress, SessionConfig, Verdict,
};

#[derive(clap::Args, Debug)]
pub struct ReadCardArgs {
    /// Read the virtual card of this 12-digit ID number (see `--list`).
    #[arg(long = "virtual", value_name = "ID_NUMBER")]
    virtual_card: Option<String>,
    /// List the virtual cards.
    #[arg(long)]
    list: bool,
    /// Read the card in a PC/SC reader (pcscd) with the access key from `--id-number`,
    /// `--date-of-birth` and `--date-of-expiry`. Needs a vneid built with `--features pcsc`.
    #[arg(long, conflicts_with_all = ["virtual_card", "list"])]
    pcsc: bool,
    /// PC/SC reader name, or a part of it that names one reader; default: the first reader
    /// holding a card.
    #[arg(long, requires = "pcsc")]
    reader: Option<String>,
    /// The card's 12-digit ID number (access key of a card in a PC/SC reader).
    #[arg(long)]
    id_number: Option<String>,
    /// Seconds to wait for a card to be presented to the PC/SC reader.
    #[arg(long, default_value_t = 10)]
    wait: u64,
    /// Date of birth as printed (YYMMDD); defaults to the virtual card's own.
    #[arg(long)]
    date_of_birth: Option<String>,
    /// Date of expiry as printed (YYMMDD); defaults to the virtual card's own.
    #[arg(long)]
    date_of_expiry: Option<String>,
    /// Open the chip with the 6-digit card access number printed on the card (PACE) instead
    /// of the ID number and dates.
    #[arg(long, conflicts_with_all = ["date_of_birth", "date_of_expiry", "mrz", "document_number"])]
    can: Option<String>,
    /// The document number as printed (any ICAO 9303 document: letters, digits, `<` fillers,
    /// longer than 9 characters where the document has such a number), with
    /// `--date-of-birth` and `--date-of-expiry`, instead of the 12-digit ID number.
    #[arg(long, conflicts_with_all = ["id_number", "mrz"])]
    document_number: Option<String>,
    /// The full MRZ text (two or three lines, as a camera MRZ scanner hands it over; line
    /// breaks and surrounding spaces are fine, every check digit is verified): the access
    /// key of a CCCD, another ID card, a passport or a visa.
    #[arg(long, conflicts_with_all = ["id_number", "date_of_birth", "date_of_expiry"])]
    mrz: Option<String>,
    /// Which document the virtual card presents: the CCCD (TD1), a passport (TD3, number
    /// C3005988A) or a TD2 card (number VR2024AB1234, longer than 9 characters).
    #[arg(long, value_enum, default_value_t = VirtualDocument::Cccd, conflicts_with = "pcsc")]
    virtual_document: VirtualDocument,
    /// Read a clone of the virtual card (copied files, no chip keys): chip and active
    /// authentication must fail.
    #[arg(long = "clone", conflicts_with = "pcsc")]
    cloned: bool,
    /// Trusted CSCA certificate files (PEM or DER); defaults to the test CSCA for virtual cards.
    #[arg(long)]
    csca: Vec<PathBuf>,
    /// Short APDUs only (a reader without extended length).
    #[arg(long)]
    short: bool,
    /// Lose the card at these APDU indices (0-based) to watch the read resume.
    #[arg(long, value_delimiter = ',')]
    lose_tag_at: Vec<usize>,
    /// Slow link model (106 kbit/s instead of 424 kbit/s) for the simulated time.
    #[arg(long)]
    slow: bool,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// The documents a virtual card can present.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum VirtualDocument {
    Cccd,
    Passport,
    Td2,
}

impl VirtualDocument {
    fn document(self) -> Document {
        match self {
            Self::Cccd => Document::Cccd,
            Self::Passport => Document::Passport {
                number: "C3005988A",
            },
            Self::Td2 => Document::Td2Card {
                number: "VR2024AB1234",
            },
        }
    }
}

/// The access key the arguments give: the CAN, the MRZ text, a document number or the ID
/// number with the dates. `None` when they give none of these.
fn key_from_args(
    args: &ReadCardArgs,
    birth: Option<&str>,
    expiry: Option<&str>,
) -> Result<Option<AccessKey>, Box<dyn std::error::Error>> {
    if let Some(can) = args.can.as_deref() {
        return Ok(Some(AccessKey::Can(Can::new(can)?)));
    }
    if let Some(text) = args.mrz.as_deref() {
        return Ok(Some(AccessKey::Mrz(MrzKey::from_mrz_text(text)?)));
    }
    let dates = |what: &str| -> Result<(&str, &str), Box<dyn std::error::Error>> {
        match (birth, expiry) {
            (Some(b), Some(e)) => Ok((b, e)),
            _ => Err(format!(
                "give --date-of-birth and --date-of-expiry (YYMMDD, as printed) with {what}"
            )
            .into()),
        }
    };
    if let Some(number) = args.document_number.as_deref() {
        let (b, e) = dates("--document-number")?;
        return Ok(Some(AccessKey::Mrz(MrzKey::from_document_number(
            number, b, e,
        )?)));
    }
    if let Some(id) = args.id_number.as_deref() {
        let (b, e) = dates("--id-number")?;
        let key = MrzKey::from_cccd(id, b, e, &DocumentNumberRule::LastNineDigitsOfIdNumber)?;
        return Ok(Some(AccessKey::Mrz(key)));
    }
    Ok(None)
}

/// What crossed the link, from the virtual card's counters or the session's own.
#[derive(Debug, Clone, Copy)]
struct LinkSummary {
    apdus: usize,
    command_bytes: usize,
    response_bytes: usize,
    /// Under the virtual card's link model; a real reader has no simulated time.
    simulated_us: Option<u64>,
}

impl From<vneid_chip::LinkStats> for LinkSummary {
    fn from(s: vneid_chip::LinkStats) -> Self {
        Self {
            apdus: s.apdus,
            command_bytes: s.command_bytes,
            response_bytes: s.response_bytes,
            simulated_us: Some(s.simulated_us),
        }
    }
}

impl From<vneid_emrtd::session::ReadStats> for LinkSummary {
    fn from(s: vneid_emrtd::session::ReadStats) -> Self {
        Self {
            apdus: s.apdus,
            command_bytes: s.bytes_sent,
            response_bytes: s.bytes_received,
            simulated_us: None,
        }
    }
}

/// Without the `pcsc` feature there is no PC/SC code (and no libpcsclite to link).
#[cfg(not(feature = "pcsc"))]
const PCSC_MISSING: &str = "this vneid was built without PC/SC support; rebuild it with \
`cargo build -p vneid-cli --features pcsc` (needs libpcsclite-dev to build and a running \
pcscd to read; Debian: apt-get install libpcsclite-dev pcscd)";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The CSCA that signs the virtual cards' document signers.
fn test_csca_trust() -> Result<TrustStore, Box<dyn std::error::Error>> {
    let mut trust = TrustStore::new();
    trust.add_csca_pem(
        vneid_pki::Pki::get(vneid_pki::Algorithm::EcdsaP256)
            .csca_pem()
            .as_bytes(),
    )?;
    Ok(trust)
}

/// Reads `card` with the card's own access key (dates overridable), at the current time.
fn read(
    card: &mut VirtualCard,
    key: AccessKey,
    trust: &TrustStore,
    config: SessionConfig,
    progress: &mut dyn FnMut(&ReadProgress),
) -> Result<ChipIdentity, vneid_emrtd::session::SessionError> {
    let rng = ring::rand::SystemRandom::new();
    let mut random = |buf: &mut [u8]| {
        let _ = ring::rand::SecureRandom::fill(&rng, buf);
    };
    ChipSession::with_access_key(key, trust, now(), &mut random)
        .with_config(config)
        .with_progress(progress)
        .read(card)
}

fn progress_bar(p: &ReadProgress) {
    // The overall fraction never goes back, so the bar never shrinks.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let filled = ((p.fraction.clamp(0.0, 1.0) * 30.0) as usize).min(30);
    eprint!(
        "\r[{}{}] {:>6}/{:<6} bytes  {:<7}    ",
        "#".repeat(filled),
        " ".repeat(30 - filled),
        p.bytes_read,
        p.bytes_total,
        p.file
    );
    let _ = std::io::stderr().flush();
}

fn check_text(c: &Check) -> String {
    match c {
        Check::Passed => "passed".into(),
        Check::Failed(f) => format!("FAILED: {f}"),
        Check::NotChecked(n) => format!("not checked: {n:?}"),
    }
}

fn verdict_lines(pa: &PassiveAuthReport) -> Vec<(String, String)> {
    let mut lines = vec![
        ("SOD signature".to_string(), check_text(&pa.sod_signature)),
        ("chain to CSCA".to_string(), check_text(&pa.chain)),
        ("validity".to_string(), check_text(&pa.validity)),
        ("key usage".to_string(), check_text(&pa.key_usage)),
        ("revocation".to_string(), check_text(&pa.revocation)),
    ];
    for (dg, hash) in &pa.data_groups {
        let text = match hash {
            DgHash::Match => "hash matches".to_string(),
            DgHash::Mismatch { .. } => "HASH MISMATCH (altered)".to_string(),
            DgHash::NotInSod => "NOT LISTED in the SOD".to_string(),
            DgHash::NotRead => "not read".to_string(),
            DgHash::NotProven => "read, NOT PROVEN (no EF.SOD)".to_string(),
        };
        lines.push((format!("DG{dg}"), text));
    }
    lines
}

pub async fn run(args: ReadCardArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.list {
        for c in Citizen::all() {
            println!(
                "{}  born {}  expires {}  {}",
                c.id_number, c.date_of_birth, c.date_of_expiry, c.full_name
            );
        }
        return Ok(());
    }
    if args.pcsc {
        #[cfg(feature = "pcsc")]
        return pcsc::run(args);
        #[cfg(not(feature = "pcsc"))]
        return Err(PCSC_MISSING.into());
    }
    let id = args
        .virtual_card
        .clone()
        .ok_or("give --virtual ID_NUMBER or --pcsc (see --help)")?;
    let citizen = Citizen::by_id(&id).ok_or("no virtual card for this ID number (see --list)")?;
    // CPU-bound and short: no need to leave this thread.
    read_virtual(args, citizen)
}

/// The `--csca` files, or the test CSCA when none is given.
fn trust_from_args(args: &ReadCardArgs) -> Result<TrustStore, Box<dyn std::error::Error>> {
    let mut trust = if args.csca.is_empty() {
        test_csca_trust()?
    } else {
        TrustStore::new()
    };
    for path in &args.csca {
        trust.add_csca_file(&std::fs::read(path)?)?;
    }
    Ok(trust)
}

/// The access key of a card in a reader (the CAN, the MRZ text, or the document number or
/// ID number with the dates as printed) and the trust store.
#[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
fn read_key_and_trust(
    args: &ReadCardArgs,
) -> Result<(AccessKey, TrustStore), Box<dyn std::error::Error>> {
    let key = key_from_args(
        args,
        args.date_of_birth.as_deref(),
        args.date_of_expiry.as_deref(),
    )?
    .ok_or(
        "give the card's --can, --mrz, or --id-number (or --document-number) with \
--date-of-birth and --date-of-expiry (YYMMDD, as printed) for its access key",
    )?;
    Ok((key, trust_from_args(args)?))
}

fn read_virtual(
    args: ReadCardArgs,
    citizen: &'static Citizen,
) -> Result<(), Box<dyn std::error::Error>> {
    let trust = trust_from_args(&args)?;
    let document = args.virtual_document.document();
    let birth = args
        .date_of_birth
        .as_deref()
        .unwrap_or(citizen.date_of_birth);
    let expiry = args
        .date_of_expiry
        .as_deref()
        .unwrap_or(citizen.date_of_expiry);
    // Without a key argument: the virtual card's own document number and dates.
    let key = match key_from_args(&args, Some(birth), Some(expiry))? {
        Some(key) => key,
        None => AccessKey::Mrz(MrzKey::from_document_number(
            document.number(citizen),
            birth,
            expiry,
        )?),
    };
    let card_config = CardConfig {
        cloned: args.cloned,
        document,
        ..CardConfig::default()
    };
    let mut card = VirtualCard::new(citizen, card_config)?
        .with_faults(Faults {
            lose_tag_at: args.lose_tag_at.iter().copied().collect::<BTreeSet<_>>(),
            short_only: args.short,
        })
        .with_link(if args.slow {
            LinkModel::SLOW
        } else {
            LinkModel::FAST
        });
    let mut progress = |p: &ReadProgress| {
        if !args.json {
            progress_bar(p);
        }
    };
    let config = SessionConfig {
        block: if args.short {
            BlockChoice::Short
        } else {
            BlockChoice::Auto
        },
        ..SessionConfig::default()
    };
    let started = std::time::Instant::now();
    let identity = read(&mut card, key, &trust, config, &mut progress);
    let cpu = started.elapsed();
    if !args.json {
        eprintln!();
    }
    report(&identity?, card.stats().into(), cpu, args.json)
}

/// Prints the identity and the verdicts (human or JSON); an error when passive
/// authentication failed, so the exit status tells a script whether to trust the data.
fn report(
    identity: &ChipIdentity,
    link: LinkSummary,
    cpu: std::time::Duration,
    json_output: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    if json_output {
        println!("{}", serde_json::to_string_pretty(&json(identity, &link))?);
    } else {
        print_human(identity, &link, cpu);
    }
    if let Some(why) = &identity.passive_authentication.not_possible {
        Err(format!("passive authentication not possible ({why}): the data is not proven").into())
    } else if !identity.passive_authentication.is_valid() {
        Err("passive authentication failed".into())
    } else if cloned(identity) {
        Err("chip or active authentication failed: the chip is not the original".into())
    } else {
        Ok(())
    }
}

/// A failed clone check: the data may be genuine, the chip is not the one it was written to.
fn cloned(id: &ChipIdentity) -> bool {
    id.chip_authentication.failed() || id.active_authentication.failed()
}

fn verdict_text(v: &Verdict) -> String {
    match v {
        Verdict::Passed => "passed".into(),
        Verdict::Failed { reason } => format!("FAILED: {reason}"),
        Verdict::NotSupported { reason } => format!("not supported: {reason}"),
        Verdict::NotPerformed { reason } => format!("not performed: {reason}"),
        Verdict::NotPossible { reason } => format!("NOT POSSIBLE: {reason}"),
    }
}

fn short_verdict(v: &Verdict) -> &'static str {
    match v {
        Verdict::Passed => "PASSED",
        Verdict::Failed { .. } => "FAILED",
        Verdict::NotSupported { .. } => "not supported",
        Verdict::NotPerformed { .. } => "not performed",
        Verdict::NotPossible { .. } => "NOT POSSIBLE",
    }
}

fn access_text(id: &ChipIdentity) -> String {
    match &id.access {
        AccessProtocol::Bac => "BAC".into(),
        AccessProtocol::Pace { curve, cipher } => format!("PACE ({curve:?}, {cipher:?})"),
    }
}

fn document_type_text(t: DocumentType) -> &'static str {
    match t {
        DocumentType::Cccd => "Chip ID card (CCCD)",
        DocumentType::IdCard => "Identity card",
        DocumentType::Passport => "Passport",
        DocumentType::Visa => "Visa",
        DocumentType::Other => "Travel document",
    }
}

fn print_human(id: &ChipIdentity, link: &LinkSummary, cpu: std::time::Duration) {
    let dg13 = id.dg13.clone().unwrap_or_default();
    let field = |label: &str, v: &Option<String>| {
        println!("  {label:<22} {}", v.as_deref().unwrap_or("—"));
    };
    println!(
        "{} (ICAO 9303 {:?}, document {})",
        document_type_text(id.mrz.document_type()),
        id.mrz.format,
        id.mrz.document_number
    );
    field("ID number", &dg13.id_number);
    field("Full name", &dg13.full_name);
    field("Date of birth", &dg13.date_of_birth);
    field("Sex", &dg13.sex);
    field("Nationality", &dg13.nationality);
    field("Ethnicity", &dg13.ethnicity);
    field("Place of origin", &dg13.place_of_origin);
    field("Place of residence", &dg13.place_of_residence);
    field("Date of issue", &dg13.date_of_issue);
    field("Father", &dg13.father_name);
    field("Mother", &dg13.mother_name);
    if let Some(face) = &id.face {
        println!(
            "  {:<22} {:?}, {} bytes",
            "Face image",
            face.format,
            face.image.len()
        );
    }
    println!("Checks");
    for (name, text) in verdict_lines(&id.passive_authentication) {
        println!("  {name:<22} {text}");
    }
    println!("  {:<22} {}", "access", access_text(id));
    if let Some(w) = &id.pace_downgrade {
        println!("  {:<22} WARNING: {w}", "");
    }
    println!(
        "  {:<22} {}",
        "chip authentication",
        verdict_text(&id.chip_authentication)
    );
    println!(
        "  {:<22} {}",
        "active authentication",
        verdict_text(&id.active_authentication)
    );
    let clone_checked = id.chip_authentication.passed() || id.active_authentication.passed();
    println!(
        "Verdict: {}",
        if !id.passive_authentication.is_valid() {
            "REJECT (passive authentication failed)"
        } else if cloned(id) {
            "REJECT (CLONED CHIP: genuine data on a chip without the card's private keys)"
        } else if clone_checked {
            "GENUINE (data signed by the issuer, on the original chip)"
        } else {
            "GENUINE DATA (passive authentication passed; the card offers no clone check)"
        }
    );
    let timing = match link.simulated_us {
        Some(us) => format!("simulated {:.0} ms; core CPU {cpu:.1?}", us as f64 / 1000.0),
        None => format!("wall time {cpu:.1?}"),
    };
    println!(
        "Link: {} APDUs, {} bytes sent, {} received, {} reconnects; {timing}",
        link.apdus, link.command_bytes, link.response_bytes, id.stats.reconnects,
    );
}

fn json(id: &ChipIdentity, link: &LinkSummary) -> serde_json::Value {
    let dg13 = id.dg13.clone().unwrap_or_default();
    serde_json::json!({
        "document_number": id.mrz.document_number,
        "document_type": format!("{:?}", id.mrz.document_type()),
        "mrz_format": format!("{:?}", id.mrz.format),
        "id_number": dg13.id_number,
        "full_name": dg13.full_name,
        "date_of_birth": dg13.date_of_birth,
        "sex": dg13.sex,
        "nationality": dg13.nationality,
        "place_of_origin": dg13.place_of_origin,
        "place_of_residence": dg13.place_of_residence,
        "face_bytes": id.face.as_ref().map(|f| f.image.len()),
        "passive_authentication": {
            "valid": id.passive_authentication.is_valid(),
            "not_possible": id.passive_authentication.not_possible.as_ref().map(|w| w.to_string()),
            "checks": verdict_lines(&id.passive_authentication)
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        },
        "access": access_text(id),
        "pace_downgrade": id.pace_downgrade,
        "chip_authentication": format!("{:?}", id.chip_authentication),
        "active_authentication": format!("{:?}", id.active_authentication),
        "apdus": link.apdus,
        "reconnects": id.stats.reconnects,
        "simulated_ms": link.simulated_us.map(|us| us / 1000),
    })
}

/// One line for the demo: reads the virtual card of `id_number` (if there is one) with the
/// test CSCA and summarises the identity and the verdicts.
pub fn read_for_demo(id_number: &str) -> Option<Result<String, Box<dyn std::error::Error>>> {
    let citizen = Citizen::by_id(id_number)?;
    Some((|| {
        let trust = test_csca_trust()?;
        let key = MrzKey::from_cccd(
            citizen.id_number,
            citizen.date_of_birth,
            citizen.date_of_expiry,
            &DocumentNumberRule::LastNineDigitsOfIdNumber,
        )?;
        let mut card = VirtualCard::for_citizen(citizen)?.with_link(LinkModel::FAST);
        let id = read(
            &mut card,
            AccessKey::Mrz(key),
            &trust,
            SessionConfig::default(),
            &mut |_| {},
        )?;
        let link = card.stats();
        let dg13 = id.dg13.clone().unwrap_or_default();
        Ok(format!(
            "{} (ID {}), face {} bytes; passive authentication {}; {}, chip authentication {}, active authentication {}; {} APDUs, simulated {} ms at 424 kbit/s",
            dg13.full_name.as_deref().unwrap_or("?"),
            dg13.id_number.as_deref().unwrap_or("?"),
            id.face.as_ref().map_or(0, |f| f.image.len()),
            if id.passive_authentication.is_valid() {
                "PASSED"
            } else {
                "FAILED"
            },
            access_text(&id),
            short_verdict(&id.chip_authentication),
            short_verdict(&id.active_authentication),
            link.apdus,
            link.simulated_us / 1000
        ))
    })())
}

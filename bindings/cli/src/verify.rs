//! `vneid verify`: the counter side on the command line.
//!
//! Takes the scanned text, a trust list (a file of signed bytes, or fetched from a backend)
//! verified against a pinned anchor key, and status lists (files, or fetched from the backend
//! for the list the credential names), and prints the verdict and the verified claims.
//!
//! The anchor defaults to the reference backend's deterministic test anchor: pinning it is
//! what makes a fetched trust list trustworthy, so it never comes from the same server.

use std::path::PathBuf;
use std::time::Duration;
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::claims::{ClaimValue, Registry, claim_def};
use vneid_wallet::credential::cose::PublicKey;
use vneid_wallet::credential::presentation::unverified_status_ref;
use vneid_wallet::credential::qr::QrMatrix;
use vneid_wallet::credential::trust::{FreshnessPolicy, StatusList, StatusLists, TrustList};
use vneid_wallet::credential::verify::{ReplayCache, Verdict, Verifier, VerifyPolicy};

type BoxError = Box<dyn std::error::Error>;

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// A photo or screenshot (PNG or JPEG) of the QR to decode.
    #[arg(required_unless_present = "text", conflicts_with = "text")]
    image: Option<PathBuf>,
    /// The scanned payload (`VN1:…`).
    #[arg(long)]
    text: Option<String>,
    /// Signed trust list (COSE_Sign1 bytes) from a file.
    #[arg(long, conflicts_with = "backend")]
    trust_list: Option<PathBuf>,
    /// Signed status list files (COSE_Sign1 bytes); repeat for several lists.
    #[arg(long)]
    status: Vec<PathBuf>,
    /// Fetch the trust list and the credential's status list from this backend.
    #[arg(long)]
    backend: Option<String>,
    /// Trust-list anchor public key, SEC1 hex (default: the reference backend's test anchor).
    #[arg(long)]
    anchor: Option<String>,
    /// Check time, Unix seconds (default: now).
    #[arg(long)]
    now: Option<u64>,
    /// Photo profile: write the checked face image (JPEG) to this file.
    #[arg(long)]
    photo_out: Option<PathBuf>,
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The anchor to pin.
pub fn anchor(hex_key: Option<&str>) -> Result<PublicKey, BoxError> {
    let bytes = match hex_key {
        Some(h) => hex_decode(h).ok_or("--anchor is not hex")?,
        None => vneid_backend::issuer::trust_anchor_public_key()
            .ok_or("the test anchor key is unavailable")?,
    };
    Ok(PublicKey::from_sec1(&bytes).map_err(|_| "--anchor is not a P-256 key")?)
}

/// The status list a presentation's credential names (unverified; see
/// [`unverified_status_ref`]).
pub fn status_list_of(text: &str) -> Option<u32> {
    unverified_status_ref(text).map(|s| s.list)
}

/// Checks a presentation as a counter does (lists fetched from the backend and verified,
/// a fresh replay cache), prints the verdict, and fails unless it is accepted. The demo steps
/// end with it.
pub async fn verify_at_counter(
    backend: &str,
    text: &str,
    anchor: &PublicKey,
    what: &str,
) -> Result<(), BoxError> {
    let (trust, status) = fetch_lists(backend, text, anchor).await?;
    let registry = Registry::builtin();
    let policy = VerifyPolicy::default();
    let verifier = Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    let verdict = verifier.verify_text(text, now_unix(), &mut ReplayCache::default());
    if !print_verdict(&verdict) {
        return Err(format!("{what} was not accepted").into());
    }
    Ok(())
}

/// Trust list and status lists fetched from `backend` for `text`.
pub async fn fetch_lists(
    backend: &str,
    text: &str,
    anchor: &PublicKey,
) -> Result<(TrustList, StatusLists), BoxError> {
    let api = ApiClient::new(backend, Duration::from_secs(10))?;
    let trust = TrustList::verify(
        &api.trust_list().await?,
        std::slice::from_ref(anchor),
        FreshnessPolicy::default(),
    )?;
    let mut status = StatusLists::new(600);
    if let Some(id) = status_list_of(text) {
        status.insert(StatusList::verify(&api.status_list(id).await?, &trust)?);
    }
    Ok((trust, status))
}

fn show(value: &ClaimValue) -> String {
    match value {
        ClaimValue::Text(s) | ClaimValue::Digits(s) => s.clone(),
        ClaimValue::Date(d) => d.to_string(),
        ClaimValue::DateRange(a, Some(b)) => format!("{a} – {b}"),
        ClaimValue::DateRange(a, None) => format!("{a} – (no expiry)"),
        ClaimValue::Sex(s) => format!("{s:?}"),
        ClaimValue::Bool(b) => if *b { "yes" } else { "no" }.into(),
        ClaimValue::Digest(d) => format!("sha256:{}", hex(d)),
        ClaimValue::Absent => "(not recorded)".into(),
    }
}

/// Prints a verdict as counter staff read it; returns true for green.
/// The credential type as counter staff need it: for identities, which account level stands
/// behind it (level 2: the chip ID card was verified; level 1: population database only).
pub fn credential_label(ty: u16) -> String {
    use vneid_wallet::credential::claims::{TYPES, identity_level};
    let name = TYPES
        .iter()
        .find(|t| t.id == ty)
        .map_or("unknown type", |t| t.name);
    match identity_level(ty) {
        Some(2) => format!("{name} (type {ty}) — LEVEL 2: chip ID card verified"),
        Some(level) => format!(
            "{name} (type {ty}) — level {level}: population database only, no chip card check"
        ),
        None => format!("{name} (type {ty})"),
    }
}

pub fn print_verdict(verdict: &Verdict) -> bool {
    match verdict {
        Verdict::Accept(v) => {
            println!("    verdict: ACCEPT (green)");
            println!("    issuer: {}", v.issuer_name);
            println!("    credential: {}", credential_label(v.credential_type));
            println!(
                "    presented at {} · checked at {} · credential expires {}",
                v.presented_at, v.checked_at, v.credential_expires
            );
            for (key, value) in &v.claims {
                let (name, label) = claim_def(*key).map_or(("?", "?"), |d| (d.name, d.label_vi));
                println!("      {label} ({name}): {}", show(value));
            }
            if let Some(photo) = &v.photo {
                println!(
                    "    photo (photo profile): {} bytes JPEG, matches the issuer-signed portrait digest: compare it with the person",
                    photo.len()
                );
            }
            for w in &v.warnings {
                println!("    note: {w:?}");
            }
            true
        }
        Verdict::Fixable(f) => {
            println!("    verdict: FIXABLE (amber): {f:?}");
            false
        }
        Verdict::Reject(r) => {
            println!("    verdict: REJECT (red): {r:?}");
            false
        }
    }
}

/// The printed card QR, clearly marked as unverified: form filling only.
fn print_card(card: &vneid_wallet::credential::card_qr::UnverifiedCardQr) {
    println!("    printed chip-card QR — NOT VERIFIED (unsigned; only the chip is verifiable)");
    println!("      ID number: {}", card.id_number);
    if let Some(old) = &card.old_id_number {
        println!("      old ID (CMND): {old}");
    }
    println!("      full name: {}", card.full_name);
    if let Some(d) = card.birth_date {
        println!("      date of birth: {d}");
    }
    if let Some(s) = card.sex {
        println!("      sex: {s:?}");
    }
    println!("      address: {}", card.address);
    if let Some(d) = card.issue_date {
        println!("      issued: {d}");
    }
}

/// The QR as text for a terminal: two module rows per line with half blocks, a quiet zone
/// of two modules, dark modules printed dark on a light background.
pub fn qr_to_terminal(qr: &QrMatrix) -> String {
    let quiet = 2usize;
    let side = qr.width + 2 * quiet;
    let dark = |x: usize, y: usize| -> bool {
        if x < quiet || y < quiet || x >= quiet + qr.width || y >= quiet + qr.width {
            return false;
        }
        qr.modules
            .get((y - quiet) * qr.width + (x - quiet))
            .copied()
            .unwrap_or(false)
    };
    let mut out = String::with_capacity(side * side / 2 * 4);
    for y in (0..side).step_by(2) {
        for x in 0..side {
            // Light background: a light module is a full block, a dark one a space.
            out.push(match (dark(x, y), dark(x, y + 1)) {
                (false, false) => '█',
                (true, false) => '▄',
                (false, true) => '▀',
                (true, true) => ' ',
            });
        }
        out.push('\n');
    }
    out
}

/// Largest image accepted (pixels per side): photos are untrusted input.
const MAX_IMAGE_SIDE: u32 = 8_192;

/// Every QR payload found in the image at `path`, as text, and the time spent decoding
/// (image file decoding excluded).
pub fn decode_image(path: &std::path::Path) -> Result<(Vec<String>, Duration), BoxError> {
    let mut reader = image::ImageReader::open(path)?.with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    let gray = reader.decode()?.to_luma8();
    Ok(decode_luma(&gray))
}

/// Finds and decodes QR codes in a grayscale frame with quircs.
pub fn decode_luma(gray: &image::GrayImage) -> (Vec<String>, Duration) {
    let started = std::time::Instant::now();
    let mut quirc = quircs::Quirc::default();
    let found: Vec<String> = quirc
        .identify(gray.width() as usize, gray.height() as usize, gray.as_raw())
        .filter_map(|code| code.ok()?.decode().ok())
        .filter_map(|data| String::from_utf8(data.payload).ok())
        .collect();
    (found, started.elapsed())
}

/// The QR as a camera-like 1280×720 grayscale frame: grey background, the code centred
/// with 6-pixel modules, slightly uneven contrast and deterministic sensor noise. Used by the
/// demo's `--export` and the tests, so photo decoding is exercised without a camera.
pub fn photo_frame(qr: &QrMatrix) -> image::GrayImage {
    let (w, h, px) = (1280u32, 720u32, 6u32);
    let side = (qr.width as u32 + 8) * px;
    let (x0, y0) = ((w.saturating_sub(side)) / 2, (h.saturating_sub(side)) / 2);
    let mut noise: u32 = 0x9E37_79B9;
    image::GrayImage::from_fn(w, h, |x, y| {
        noise ^= noise << 13;
        noise ^= noise >> 17;
        noise ^= noise << 5;
        let jitter = (noise % 31) as i32 - 15;
        let inside = x >= x0 && y >= y0 && x < x0 + side && y < y0 + side;
        let base: i32 = if !inside {
            150
        } else {
            let (mx, my) = ((x - x0) / px, (y - y0) / px);
            let dark = mx >= 4
                && my >= 4
                && qr
                    .modules
                    .get(((my - 4) * qr.width as u32 + (mx - 4)) as usize)
                    .copied()
                    .unwrap_or(false)
                && (mx - 4) < qr.width as u32;
            // Light falls off to the right, as under a counter lamp.
            if dark {
                40
            } else {
                225 - (x as i32 - x0 as i32) / 40
            }
        };
        image::Luma([(base + jitter).clamp(0, 255) as u8])
    })
}

pub async fn run(args: VerifyArgs) -> Result<(), BoxError> {
    let text = match (&args.text, &args.image) {
        (Some(t), _) => t.clone(),
        (None, Some(path)) => {
            let (found, took) = decode_image(path)?;
            println!(
                "    {} QR code(s) found in {} ({took:.1?})",
                found.len(),
                path.display()
            );
            // A presentation if there is one, else whatever was found (a printed card QR).
            let vn1 = found.iter().position(|t| t.starts_with("VN1")).unwrap_or(0);
            found
                .into_iter()
                .nth(vn1)
                .ok_or("no QR code found in the image (rescan)")?
        }
        (None, None) => return Err("give IMAGE or --text PAYLOAD".into()),
    };
    let args = VerifyArgs {
        text: Some(text),
        image: None,
        ..args
    };
    let text = args.text.as_deref().unwrap_or_default();
    // The printed QR on the chip ID card needs no trust list: it is unsigned.
    if !text.starts_with("VN1")
        && let Ok(card) = vneid_wallet::credential::card_qr::parse_card_qr(text)
    {
        print_card(&card);
        return Err("printed card QR: NOT cryptographically verified (read the chip)".into());
    }
    let anchor = anchor(args.anchor.as_deref())?;
    let now = args.now.unwrap_or_else(now_unix);
    let (trust, mut status) = match (&args.trust_list, &args.backend) {
        (Some(path), _) => {
            let trust =
                TrustList::verify(&std::fs::read(path)?, &[anchor], FreshnessPolicy::default())?;
            (trust, StatusLists::new(600))
        }
        (None, Some(url)) => fetch_lists(url, text, &anchor).await?,
        (None, None) => return Err("give --trust-list FILE or --backend URL".into()),
    };
    for path in &args.status {
        status.insert(StatusList::verify(&std::fs::read(path)?, &trust)?);
    }
    let registry = Registry::builtin();
    let policy = VerifyPolicy::default();
    let verifier = Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    let started = std::time::Instant::now();
    let verdict = verifier.verify_text(text, now, &mut ReplayCache::default());
    let took = started.elapsed();
    println!("vneid verify — {} characters", text.len());
    let green = print_verdict(&verdict);
    println!("    verified in {took:.1?}");
    if let (Verdict::Accept(v), Some(path)) = (&verdict, &args.photo_out)
        && let Some(photo) = &v.photo
    {
        std::fs::write(path, photo)?;
        println!("    photo written to {}", path.display());
    }
    if green {
        Ok(())
    } else {
        Err("the presentation was not accepted".into())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A presentation from a wallet activated against `backend`.
    async fn presentation(
        backend: &vneid_backend::RunningBackend,
        dir: &std::path::Path,
    ) -> String {
        use vneid_wallet::{ActivationInput, Passcode, SoftwareSecureArea, Wallet, WalletConfig};
        let sa = std::sync::Arc::new(SoftwareSecureArea::ephemeral().unwrap());
        let mut config = WalletConfig::new(dir.join("w"), backend.base_url());
        config.kdf_iterations = 1_000;
        let wallet = Wallet::open(config, sa).unwrap();
        let c = backend.sample_citizens(1).pop().unwrap();
        wallet
            .start_activation(ActivationInput {
                id_number: c.id_number.clone(),
                phone: c.phone.clone(),
                date_of_birth: c.date_of_birth.clone(),
                email: None,
            })
            .await
            .unwrap();
        let otp = backend.latest_otp(&c.phone).unwrap();
        wallet
            .verify_otp(zeroize::Zeroizing::new(otp))
            .await
            .unwrap();
        wallet.set_passcode(Passcode::new("860247")).await.unwrap();
        wallet.fetch_credentials().await.unwrap();
        let preset = vneid_wallet::credential::claims::PRESET_IDENTITY_CHECK;
        wallet.present(&preset, None).unwrap().text
    }

    fn args(text: &str) -> VerifyArgs {
        VerifyArgs {
            image: None,
            text: Some(text.into()),
            trust_list: None,
            status: vec![],
            backend: None,
            anchor: None,
            now: None,
            photo_out: None,
        }
    }

    #[tokio::test]
    async fn verify_accepts_with_lists_from_the_backend_or_from_files_and_refuses_a_wrong_anchor() {
        let backend = vneid_backend::spawn(vneid_backend::BackendConfig {
            seed_citizens: 3,
            ..Default::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let text = presentation(&backend, dir.path()).await;
        let url = backend.base_url();
        assert!(
            run(VerifyArgs {
                backend: Some(url.clone()),
                ..args(&text)
            })
            .await
            .is_ok()
        );

        let api = ApiClient::new(&url, Duration::from_secs(10)).unwrap();
        let trust_file = dir.path().join("trust.cose");
        let status_file = dir.path().join("status.cose");
        std::fs::write(&trust_file, api.trust_list().await.unwrap()).unwrap();
        let list = status_list_of(&text).unwrap();
        std::fs::write(&status_file, api.status_list(list).await.unwrap()).unwrap();
        let from_files = VerifyArgs {
            trust_list: Some(trust_file.clone()),
            status: vec![status_file],
            ..args(&text)
        };
        assert!(run(from_files).await.is_ok());
        // Without the status list the counter cannot tell revocation: amber, not green.
        let no_status = VerifyArgs {
            trust_list: Some(trust_file),
            ..args(&text)
        };
        assert!(run(no_status).await.is_err());
        // A trust list signed by anyone but the pinned anchor is refused outright.
        let stranger = vneid_wallet::credential::cose::SigningKey::generate().unwrap();
        let wrong_anchor = VerifyArgs {
            backend: Some(url),
            anchor: Some(hex(stranger.public_key().compressed())),
            ..args(&text)
        };
        assert!(run(wrong_anchor).await.is_err());
        backend.shutdown().await;
    }

    #[tokio::test]
    async fn a_presentation_is_read_from_a_1280x720_photo_and_verified() {
        let backend = vneid_backend::spawn(vneid_backend::BackendConfig {
            seed_citizens: 3,
            ..Default::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let text = presentation(&backend, dir.path()).await;
        let qr = vneid_wallet::credential::qr::render_matrix(&text).unwrap();
        let frame = photo_frame(&qr);
        let png = dir.path().join("counter.png");
        frame.save(&png).unwrap();
        let (found, took) = decode_image(&png).unwrap();
        assert_eq!(found, vec![text.clone()]);
        println!(
            "quircs decode of a 1280x720 frame (QR v{}): {took:.1?}",
            qr.version
        );
        let by_image = VerifyArgs {
            image: Some(png),
            text: None,
            backend: Some(backend.base_url()),
            ..args("")
        };
        assert!(run(by_image).await.is_ok());
        // A photo without a QR is "rescan", not a crash.
        let blank = dir.path().join("blank.png");
        image::GrayImage::from_pixel(64, 64, image::Luma([200]))
            .save(&blank)
            .unwrap();
        assert!(decode_image(&blank).unwrap().0.is_empty());
        backend.shutdown().await;
    }

    #[test]
    fn a_file_that_is_not_an_image_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\nnot really").unwrap();
        assert!(decode_image(&path).is_err());
    }

    #[tokio::test]
    async fn a_printed_card_qr_is_shown_as_unverified_and_never_accepted() {
        let card = "001090123456|123456789|Nguyễn Văn An|15031990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|01072021";
        assert!(vneid_wallet::credential::card_qr::parse_card_qr(card).is_ok());
        let err = run(args(card)).await.unwrap_err();
        assert!(err.to_string().contains("NOT cryptographically verified"));
    }

    #[test]
    fn hex_decoding_refuses_odd_lengths_and_non_hex() {
        assert_eq!(hex_decode("00ff"), Some(vec![0, 255]));
        assert_eq!(hex_decode("0"), None);
        assert_eq!(hex_decode("zz"), None);
        assert_eq!(hex_decode("é0"), None);
    }

    #[test]
    fn unreadable_text_names_no_status_list() {
        assert_eq!(status_list_of("VN1:not base45 at all"), None);
        assert_eq!(status_list_of(""), None);
    }

    #[test]
    fn terminal_qr_has_one_line_per_two_module_rows_plus_quiet_zone() {
        let qr = vneid_wallet::credential::qr::render_matrix("VN1:ABC").unwrap();
        let text = qr_to_terminal(&qr);
        assert_eq!(text.lines().count(), (qr.width + 4).div_ceil(2));
        assert!(text.lines().all(|l| l.chars().count() == qr.width + 4));
    }
}

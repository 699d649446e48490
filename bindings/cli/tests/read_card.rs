//! `vneid read-card --virtual` as a counter operator runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;

fn vneid(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vneid"))
        .args(args)
        .output()
        .expect("vneid runs")
}

#[test]
fn reading_a_virtual_card_prints_verified_identity_as_json() {
    let out = vneid(&["read-card", "--virtual", "079195004321", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id_number"], "079195004321");
    assert_eq!(v["full_name"], "Trần Thị Bích Ngọc");
    assert_eq!(v["passive_authentication"]["valid"], true);
    assert_eq!(v["passive_authentication"]["checks"]["DG2"], "hash matches");
    assert!(v["face_bytes"].as_u64().unwrap() > 1000);
    assert_eq!(v["chip_authentication"], "Passed");
    assert_eq!(v["active_authentication"], "Passed");
    assert!(v["access"].as_str().unwrap().starts_with("PACE"));
}

#[test]
fn a_cloned_card_is_rejected_and_the_can_opens_the_card() {
    let out = vneid(&[
        "read-card",
        "--virtual",
        "079195004321",
        "--clone",
        "--json",
    ]);
    assert!(!out.status.success(), "a clone must not exit 0");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passive_authentication"]["valid"], true);
    assert!(
        v["chip_authentication"]
            .as_str()
            .unwrap()
            .starts_with("Failed")
    );
    assert!(
        v["active_authentication"]
            .as_str()
            .unwrap()
            .starts_with("Failed")
    );
    let can = vneid_chip::Citizen::by_id("079195004321").unwrap().can();
    let out = vneid(&[
        "read-card",
        "--virtual",
        "079195004321",
        "--can",
        &can,
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["full_name"], "Trần Thị Bích Ngọc");
    let out = vneid(&["read-card", "--virtual", "079195004321", "--can", "12345"]);
    assert!(!out.status.success());
}

#[test]
fn a_lost_card_is_resumed_and_short_reads_take_more_apdus() {
    let extended = vneid(&["read-card", "--virtual", "001090123456", "--json"]);
    let short = vneid(&[
        "read-card",
        "--virtual",
        "001090123456",
        "--short",
        "--lose-tag-at",
        "5,40",
        "--json",
    ]);
    assert!(extended.status.success() && short.status.success());
    let e: serde_json::Value = serde_json::from_slice(&extended.stdout).unwrap();
    let s: serde_json::Value = serde_json::from_slice(&short.stdout).unwrap();
    assert_eq!(s["reconnects"], 2);
    assert!(s["apdus"].as_u64().unwrap() > 3 * e["apdus"].as_u64().unwrap());
    assert!(s["simulated_ms"].as_u64().unwrap() > e["simulated_ms"].as_u64().unwrap());
}

#[test]
fn wrong_dates_and_unknown_cards_fail_with_a_clear_message() {
    let out = vneid(&[
        "read-card",
        "--virtual",
        "001090123456",
        "--date-of-expiry",
        "991231",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("access key"));
    let out = vneid(&["read-card", "--virtual", "001090999999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no virtual card"));
}

#[test]
fn an_untrusted_csca_fails_the_chain_check() {
    let dir = tempfile::tempdir().unwrap();
    // A CSCA of another algorithm family: not the one that signed the virtual cards.
    let other = dir.path().join("other-csca.pem");
    std::fs::write(
        &other,
        vneid_pki::Pki::get(vneid_pki::Algorithm::EcdsaBrainpoolP256).csca_pem(),
    )
    .unwrap();
    let out = vneid(&[
        "read-card",
        "--virtual",
        "001090123456",
        "--csca",
        other.to_str().unwrap(),
        "--json",
    ]);
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passive_authentication"]["valid"], false);
    assert!(
        v["passive_authentication"]["checks"]["chain to CSCA"]
            .as_str()
            .unwrap()
            .starts_with("FAILED")
    );
}

/// Without the `pcsc` feature the binary links no libpcsclite; `--pcsc` says how to get it.
#[cfg(not(feature = "pcsc"))]
#[test]
fn pcsc_without_the_feature_says_how_to_enable_it() {
    let out = vneid(&[
        "read-card",
        "--pcsc",
        "--id-number",
        "001090123456",
        "--date-of-birth",
        "900315",
        "--date-of-expiry",
        "300315",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features pcsc"), "{err}");
    assert!(err.contains("libpcsclite-dev"), "{err}");
}

fn read_json(args: &[&str]) -> serde_json::Value {
    let out = vneid(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_passport_with_an_alphanumeric_number_reads_by_document_number_and_by_mrz_text() {
    let an = vneid_chip::Citizen::an();
    let passport = vneid_chip::Document::Passport {
        number: "C3005988A",
    };
    let flat = passport.mrz(an).unwrap();
    // Two lines as a camera MRZ scanner hands them over.
    let scanned = format!("{}\r\n{}\r\n", &flat[..44], &flat[44..]);
    for key in [
        vec!["--document-number", "C3005988A"],
        vec!["--mrz", scanned.as_str()],
    ] {
        let mut args = vec![
            "read-card",
            "--virtual",
            an.id_number,
            "--virtual-document",
            "passport",
            "--json",
        ];
        args.extend(key);
        let v = read_json(&args);
        assert_eq!(v["document_type"], "Passport");
        assert_eq!(v["mrz_format"], "Td3");
        assert_eq!(v["document_number"], "C3005988A");
        assert_eq!(v["passive_authentication"]["valid"], true);
        assert_eq!(v["chip_authentication"], "Passed");
    }
    // The CCCD's key (last 9 digits of the ID number) does not open the passport.
    let out = vneid(&[
        "read-card",
        "--virtual",
        an.id_number,
        "--virtual-document",
        "passport",
        "--id-number",
        an.id_number,
        "--json",
    ]);
    assert!(!out.status.success());
}

#[test]
fn a_td2_card_with_a_long_non_numeric_number_reads_by_document_number() {
    let an = vneid_chip::Citizen::an();
    let v = read_json(&[
        "read-card",
        "--virtual",
        an.id_number,
        "--virtual-document",
        "td2",
        "--document-number",
        "VR2024AB1234",
        "--json",
    ]);
    assert_eq!(v["document_type"], "IdCard");
    assert_eq!(v["mrz_format"], "Td2");
    assert_eq!(v["document_number"], "VR2024AB1234");
    assert_eq!(v["passive_authentication"]["valid"], true);
    // A mistyped MRZ is refused before the card is touched.
    let out = vneid(&[
        "read-card",
        "--virtual",
        an.id_number,
        "--mrz",
        "I<VNMNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<<\nVR2024AB1<VNM9003155M3003150234<<<<0",
    ]);
    assert!(!out.status.success());
}

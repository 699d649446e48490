//! The main job, `vneid demo`, run as a user runs it: every step must succeed and end with
//! the verdicts the README promises.

#![allow(clippy::expect_used)]

use std::process::Command;

#[test]
fn the_demo_runs_every_step_and_ends_with_a_verified_certificate() {
    let out = Command::new(env!("CARGO_BIN_EXE_vneid"))
        .arg("demo")
        .output()
        .expect("vneid runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "[19] ",
        "REJECT (red): Replayed",
        "chip authentication PASSED, active authentication PASSED",
        "LEVEL 2: chip ID card verified",
        "credential: judicial_record",
        "office: delivered",
        "demo finished",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // Four presentations are accepted: identity check, BHYT card, electronic ID, certificate.
    assert!(
        stdout.matches("verdict: ACCEPT (green)").count() >= 4,
        "{stdout}"
    );
}

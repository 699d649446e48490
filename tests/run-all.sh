#!/usr/bin/env bash
# Every test of the project, as CI runs it: formatting and lints, the Rust workspace tests
# (unit, backend over loopback, wallet end to end), then the Kotlin and Swift tests of the
# UniFFI bindings. Installs the Kotlin and Swift toolchains first when they are missing
# (cached outside the repo; see tests/foreign/README.md).
#
#   bash tests/run-all.sh            everything
#   SKIP_FOREIGN=1 bash tests/run-all.sh   Rust only
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

section() { printf '\n==> %s\n' "$*"; }

section "toolchain check"
cargo --version
# PC/SC: pcscd, libpcsclite-dev and the vpcd virtual reader driver for
# `vneid-cli --features pcsc` and its end-to-end test through a real pcscd.
section "system packages (pcscd, libpcsclite-dev, vsmartcard-vpcd)"
bash tests/setup-system.sh
if [ -z "${SKIP_FOREIGN:-}" ]; then
    section "foreign-language toolchains (kotlinc, swiftlang chroot)"
    bash tests/foreign/setup.sh
fi

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
# The test-only virtual chip export of the FFI crate (used by the Kotlin/Swift tests).
cargo clippy -p vneid-ffi --all-targets --features virtual-chip -- -D warnings
# `vneid read-card --pcsc`: links libpcsclite.
cargo clippy -p vneid-cli --all-targets --features pcsc -- -D warnings

section "cargo test --workspace"
cargo test --workspace 2>&1 | tee "$log/cargo.txt"
section "cargo test -p vneid-cli --features pcsc (through a real pcscd)"
cargo test -p vneid-cli --features pcsc --bins --test pcsc 2>&1 | tee -a "$log/cargo.txt"
passed=$(grep -Eo 'test result: [a-z]+\. [0-9]+ passed' "$log/cargo.txt" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed;' "$log/cargo.txt" | awk '{s+=$1} END {print s+0}')

if [ -z "${SKIP_FOREIGN:-}" ]; then
    for lang in kotlin swift; do
        section "$lang tests of the UniFFI bindings"
        bash "tests/foreign/run-$lang.sh" 2>&1 | tee "$log/$lang.txt"
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log/$lang.txt" | tail -n 1)
        passed=$((passed + $(echo "$line" | awk '{print $1}')))
        failed=$((failed + $(echo "$line" | awk '{print $3}')))
    done
    # Platform libraries: android/vneid on the JVM (with the Android SDK surface check
    # of its adapters), the ios/ package's Linux-buildable targets in the Swift chroot.
    for runner in android-jvm ios-linux; do
        section "$runner tests of the platform libraries"
        bash "tests/foreign/run-$runner.sh" 2>&1 | tee "$log/$runner.txt"
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log/$runner.txt" | tail -n 1)
        passed=$((passed + $(echo "$line" | awk '{print $1}')))
        failed=$((failed + $(echo "$line" | awk '{print $3}')))
    done
fi

echo
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

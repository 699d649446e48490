#!/usr/bin/env bash
# build-rust.sh: builds libvneid_ffi.so for the Android ABIs with cargo-ndk into
# vneid/src/main/jniLibs/<abi>/ and generates the Kotlin bindings into
# vneid/src/main/generated/kotlin. Run by Gradle's preBuild (see vneid/build.gradle.kts) or by hand.
#
# Needs: rustup targets aarch64-linux-android armv7-linux-androideabi x86_64-linux-android,
# `cargo install cargo-ndk` (4.x), and the Android NDK (r27+) in ANDROID_NDK_HOME.
# Environment: VNEID_PROFILE (default release-mobile: opt-level z, fat LTO, codegen-units 1,
# strip, panic=unwind as UniFFI needs), VNEID_ANDROID_API (minSdk, default 24),
# VNEID_ABIS (default "arm64-v8a armeabi-v7a x86_64").
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MODULE=$HERE/vneid
PROFILE=${VNEID_PROFILE:-release-mobile}
API=${VNEID_ANDROID_API:-24}
read -r -a ABIS <<<"${VNEID_ABIS:-arm64-v8a armeabi-v7a x86_64}"

die() { echo "build-rust.sh: $*" >&2; exit 1; }
command -v cargo-ndk >/dev/null || die "cargo-ndk missing: cargo install cargo-ndk"
[ -d "${ANDROID_NDK_HOME:-}" ] || die "ANDROID_NDK_HOME is not set to an NDK (r27 or newer)"

declare -A TRIPLE=([arm64-v8a]=aarch64-linux-android [armeabi-v7a]=armv7-linux-androideabi
                   [x86_64]=x86_64-linux-android [x86]=i686-linux-android)
targs=()
for abi in "${ABIS[@]}"; do
    [ -n "${TRIPLE[$abi]:-}" ] || die "unknown ABI $abi"
    rustup target list --installed | grep -qx "${TRIPLE[$abi]}" \
        || die "rust target ${TRIPLE[$abi]} missing: rustup target add ${TRIPLE[$abi]}"
    targs+=(-t "$abi")
done

# 16 KB pages: Android 15+ devices may use them; Play requires 16 KB-aligned libraries (NDK r28
# does this by default, older NDKs need the flag).
export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384"
cd "$ROOT"
rm -rf "$MODULE/src/main/jniLibs"
cargo ndk "${targs[@]}" -P "$API" -o "$MODULE/src/main/jniLibs" build -p vneid-ffi --profile "$PROFILE"

# Bindings in library mode read UniFFI's metadata symbols, which the stripped release libraries
# no longer have: generate them from an unstripped host build of the same source and features.
cargo build -q -p vneid-ffi -p uniffi-bindgen
rm -rf "$MODULE/src/main/generated/kotlin"
cargo run -q -p uniffi-bindgen -- generate --no-format --language kotlin \
    --library "$ROOT/target/debug/libvneid_ffi.so" --out-dir "$MODULE/src/main/generated/kotlin"

echo "libvneid_ffi.so ($PROFILE):"
for abi in "${ABIS[@]}"; do
    f=$MODULE/src/main/jniLibs/$abi/libvneid_ffi.so
    printf '  %-12s %10d bytes (%d gzipped)\n' "$abi" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
done

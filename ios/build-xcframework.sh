#!/usr/bin/env bash
# build-xcframework.sh: builds libvneid_ffi.a for iOS devices (aarch64-apple-ios) and the
# simulator (aarch64-apple-ios-sim + x86_64-apple-ios, merged with lipo), wraps them with the C
# header and module map into VneidCoreFFI.xcframework, and writes the generated Swift bindings
# to Sources/VneidCore/VneidCore.swift. macOS with Xcode only.
#
# Needs: rustup targets aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios, Xcode 15+.
# Environment: VNEID_PROFILE (default release-mobile: opt-level z, fat LTO, codegen-units 1,
# strip, panic=unwind as UniFFI needs), IPHONEOS_DEPLOYMENT_TARGET (default 15.0).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PROFILE=${VNEID_PROFILE:-release-mobile}
export IPHONEOS_DEPLOYMENT_TARGET=${IPHONEOS_DEPLOYMENT_TARGET:-15.0}
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
OUT=$HERE/build

die() { echo "build-xcframework.sh: $*" >&2; exit 1; }
[ "$(uname -s)" = Darwin ] || die "needs macOS with Xcode (xcodebuild, lipo)"
command -v xcodebuild >/dev/null || die "xcodebuild missing: install Xcode"
for t in "${TARGETS[@]}"; do
    rustup target list --installed | grep -qx "$t" || die "rust target $t missing: rustup target add $t"
done

cd "$ROOT"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')
for t in "${TARGETS[@]}"; do
    cargo build -p vneid-ffi --profile "$PROFILE" --target "$t"
done

rm -rf "$OUT" && mkdir -p "$OUT/sim" "$OUT/headers" "$OUT/bindings"
lipo -create "$TARGET_DIR/aarch64-apple-ios-sim/$PROFILE/libvneid_ffi.a" \
     "$TARGET_DIR/x86_64-apple-ios/$PROFILE/libvneid_ffi.a" -output "$OUT/sim/libvneid_ffi.a"

# Library mode reads UniFFI's metadata symbols: use an unstripped host build of the same source.
cargo build -q -p vneid-ffi -p uniffi-bindgen
cargo run -q -p uniffi-bindgen -- generate --no-format --language swift \
    --library "$TARGET_DIR/debug/libvneid_ffi.dylib" --out-dir "$OUT/bindings"
cp "$OUT/bindings/vneid_ffiFFI.h" "$OUT/headers/"
cp "$OUT/bindings/vneid_ffiFFI.modulemap" "$OUT/headers/module.modulemap"
cp "$OUT/bindings/VneidCore.swift" "$HERE/Sources/VneidCore/VneidCore.swift"

rm -rf "$HERE/VneidCoreFFI.xcframework"
xcodebuild -create-xcframework \
    -library "$TARGET_DIR/aarch64-apple-ios/$PROFILE/libvneid_ffi.a" -headers "$OUT/headers" \
    -library "$OUT/sim/libvneid_ffi.a" -headers "$OUT/headers" \
    -output "$HERE/VneidCoreFFI.xcframework"

echo "libvneid_ffi.a ($PROFILE; the app's linker drops what it does not use):"
for f in "$TARGET_DIR/aarch64-apple-ios/$PROFILE/libvneid_ffi.a" "$OUT/sim/libvneid_ffi.a"; do
    printf '  %-70s %10d bytes\n' "$f" "$(stat -f %z "$f")"
done

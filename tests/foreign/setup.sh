#!/usr/bin/env bash
# setup.sh [kotlin|swift|all]: installs the toolchains for the foreign-language binding tests.
# Idempotent: what is complete (stamp file) is skipped; a half-done install is redone.
# Cache: ${VNEID_TOOLCHAINS:-$HOME/.cache/vneid-toolchains} (outside the repo).
set -euo pipefail
LOG_TAG=setup
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

what=${1:-all}
case $what in kotlin | swift | all) ;; *) die "usage: $0 [kotlin|swift|all]" ;; esac
mkdir -p "$VNEID_TOOLCHAINS"

# --- Kotlin: kotlinc (npm), JNA (Debian), kotlinx-coroutines-core-jvm -------------------------------
setup_kotlin() {
    local t0
    t0=$(date +%s%N)
    command -v java >/dev/null || apt_install openjdk-17-jre-headless
    command -v npm >/dev/null || apt_install npm
    apt_install libjna-java
    [ -f /usr/share/java/jna.jar ] || die "libjna-java installed but /usr/share/java/jna.jar is missing"

    if [ -f "$KOTLIN_STAMP" ]; then
        log "kotlin: kotlinc $KOTLIN_COMPILER_VERSION already installed ($KOTLIN_HOME_DIR)"
    else
        log "kotlin: npm install kotlin-compiler@$KOTLIN_COMPILER_VERSION into $KOTLIN_HOME_DIR"
        rm -rf "$KOTLIN_HOME_DIR"
        mkdir -p "$KOTLIN_HOME_DIR"
        npm install --prefix "$KOTLIN_HOME_DIR" --no-audit --no-fund --no-save --loglevel=error \
            "kotlin-compiler@$KOTLIN_COMPILER_VERSION" >&2 \
            || die "npm install kotlin-compiler@$KOTLIN_COMPILER_VERSION failed"
        local f
        for f in "$KOTLINC" "$KOTLIN_STDLIB_JAR" "$KOTLIN_COROUTINES_JAR"; do
            [ -e "$f" ] || die "kotlin-compiler@$KOTLIN_COMPILER_VERSION does not contain $f"
        done
        "$KOTLINC" -version 2>&1 | grep -q 'kotlinc-jvm' \
            || die "kotlinc from npm does not run: $("$KOTLINC" -version 2>&1 | tail -3)"
        date -u +%FT%TZ >"$KOTLIN_STAMP"
    fi
    log "kotlin: ready in $(elapsed "$t0"): kotlinc $(cat "$KOTLIN_DIST/build.txt"), $JNA_JAR, $KOTLIN_COROUTINES_JAR"
}

chroot_apt_install() {
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    in_chroot sh -c "apt-get update -q >/dev/null &&
        apt-get install -y -q --no-install-recommends $SWIFT_CHROOT_PACKAGES >/dev/null &&
        apt-get clean" \
        || die "apt-get install $SWIFT_CHROOT_PACKAGES in the $SWIFT_SUITE chroot failed"
}

# --- Swift: Debian trixie chroot with swiftlang (6.0.x) and libssl-dev -----------------------------
setup_swift() {
    local t0 t1
    t0=$(date +%s%N)
    need_root "the Swift setup"
    apt_install debootstrap debian-archive-keyring
    [ -e "/usr/share/debootstrap/scripts/$SWIFT_SUITE" ] \
        || die "this debootstrap has no script for $SWIFT_SUITE (upgrade debootstrap)"
    exec {lock_fd}>"$SWIFT_LOCK"
    flock "$lock_fd"

    if [ -f "$SWIFT_STAMP" ] && [ -x "$SWIFT_ROOT/usr/libexec/swift/bin/swiftc" ]; then
        if [ "$(cat "$SWIFT_STAMP")" = "$SWIFT_CHROOT_PACKAGES" ]; then
            log "swift: chroot already installed ($SWIFT_ROOT)"
        else
            log "swift: package list changed; apt-get install $SWIFT_CHROOT_PACKAGES in the chroot"
            rm -f "$SWIFT_STAMP"
            chroot_apt_install
            printf '%s\n' "$SWIFT_CHROOT_PACKAGES" >"$SWIFT_STAMP"
        fi
    else
        if [ -e "$SWIFT_ROOT" ]; then
            log "swift: removing incomplete chroot $SWIFT_ROOT"
            unmount_all_under "$SWIFT_ROOT" || die "cannot unmount everything under $SWIFT_ROOT"
            rm -rf --one-file-system "$SWIFT_ROOT"
        fi
        rm -f "$SWIFT_STAMP"
        log "swift: debootstrap --variant=minbase $SWIFT_SUITE $SWIFT_ROOT $SWIFT_MIRROR"
        t1=$(date +%s%N)
        debootstrap --variant=minbase "$SWIFT_SUITE" "$SWIFT_ROOT" "$SWIFT_MIRROR" \
            >"$VNEID_TOOLCHAINS/debootstrap.log" 2>&1 \
            || { tail -20 "$VNEID_TOOLCHAINS/debootstrap.log" >&2; die "debootstrap failed (log: $VNEID_TOOLCHAINS/debootstrap.log)"; }
        log "swift: debootstrap done in $(elapsed "$t1")"
        t1=$(date +%s%N)
        log "swift: apt-get install $SWIFT_CHROOT_PACKAGES inside the chroot"
        chroot_apt_install
        log "swift: packages installed in $(elapsed "$t1")"
        in_chroot swiftc --version >/dev/null 2>&1 || die "swiftc does not run inside the chroot"
        printf '%s\n' "$SWIFT_CHROOT_PACKAGES" >"$SWIFT_STAMP"
    fi
    flock -u "$lock_fd"
    log "swift: ready in $(elapsed "$t0"): $(in_chroot swiftc --version 2>/dev/null | head -1)"
}

t_all=$(date +%s%N)
case $what in
    kotlin) setup_kotlin ;;
    swift) setup_swift ;;
    all) setup_kotlin; setup_swift ;;
esac
log "done ($what) in $(elapsed "$t_all"); cache: $VNEID_TOOLCHAINS"

# Shared helpers for tests/foreign/*.sh. Sourced, not executed.
# shellcheck shell=bash disable=SC2034

FOREIGN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$FOREIGN_DIR/../.." && pwd)
VNEID_TOOLCHAINS=${VNEID_TOOLCHAINS:-$HOME/.cache/vneid-toolchains}
case $VNEID_TOOLCHAINS in /*) ;; *) VNEID_TOOLCHAINS=$PWD/$VNEID_TOOLCHAINS ;; esac

# Pinned toolchain versions. Changing one invalidates its stamp, so the next setup reinstalls it.
# npm package kotlin-compiler: the full kotlinc distribution (JVM target). Its lib/ also ships
# kotlinx-coroutines-core-jvm.jar, which the generated async code needs (Debian's 1.0.1 is too old).
KOTLIN_COMPILER_VERSION=2.4.20
SWIFT_SUITE=trixie                      # Debian suite whose `swiftlang` package we use (6.0.x)
SWIFT_MIRROR=${VNEID_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Installed inside the Swift chroot. libssl-dev: COpenSSL system module for the test SecureArea.
SWIFT_CHROOT_PACKAGES="swiftlang libc6-dev libssl-dev pkg-config"

KOTLIN_HOME_DIR=$VNEID_TOOLCHAINS/kotlin-$KOTLIN_COMPILER_VERSION
KOTLIN_STAMP=$KOTLIN_HOME_DIR/.complete
KOTLIN_DIST=$KOTLIN_HOME_DIR/node_modules/kotlin-compiler
KOTLINC=$KOTLIN_DIST/bin/kotlinc
KOTLIN_STDLIB_JAR=$KOTLIN_DIST/lib/kotlin-stdlib.jar
KOTLIN_COROUTINES_JAR=$KOTLIN_DIST/lib/kotlinx-coroutines-core-jvm.jar
JNA_JAR=/usr/share/java/jna.jar
SWIFT_ROOT=$VNEID_TOOLCHAINS/swift-$SWIFT_SUITE
SWIFT_STAMP=$VNEID_TOOLCHAINS/swift-$SWIFT_SUITE.complete
SWIFT_LOCK=$VNEID_TOOLCHAINS/swift-$SWIFT_SUITE.lock

log() { printf '[%s] %s\n' "${LOG_TAG:-foreign}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-foreign}" "$*" >&2; exit 1; }

need_root() {
    [ "$(id -u)" = 0 ] || die "$1 needs root (apt-get / debootstrap / chroot); run as root or via sudo"
}

# apt_install PKG...: installs the Debian packages that are not installed yet.
apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    need_root "installing ${missing[*]}"
    log "apt-get install ${missing[*]}"
    local out
    out=$(mktemp)
    if [ -z "${_APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >"$out" 2>&1 \
            || { cat "$out" >&2; rm -f "$out"; die "apt-get update failed"; }
        _APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$out" 2>&1 \
        || { tail -30 "$out" >&2; rm -f "$out"; die "apt-get install ${missing[*]} failed"; }
    rm -f "$out"
}

# Cargo's target dir (honours CARGO_TARGET_DIR, relative paths are relative to the repo).
cargo_target_dir() {
    local t=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
    case $t in /*) ;; *) t=$REPO_ROOT/$t ;; esac
    printf '%s\n' "$t"
}

# build_ffi_and_bindings LANGUAGE OUTDIR: builds libvneid_ffi.so, the bindgen and vneid-backend (debug);
# generates the UniFFI bindings for LANGUAGE in library mode into OUTDIR.
# Sets FFI_LIB_DIR and BACKEND_BIN.
build_ffi_and_bindings() {
    local lang=$1 out=$2 target
    target=$(cargo_target_dir)
    local pkgs=(-p vneid-ffi -p uniffi-bindgen)
    # VNEID_BACKEND_BIN: use that backend binary instead of building fixtures/backend.
    [ -n "${VNEID_BACKEND_BIN:-}" ] || pkgs+=(-p vneid-backend)
    # The tests read the virtual chip card of fixtures/chip through their own NfcTransport.
    pkgs+=(--features vneid-ffi/virtual-chip)
    log "cargo build ${pkgs[*]}"
    (cd "$REPO_ROOT" && cargo build -q "${pkgs[@]}") || die "cargo build ${pkgs[*]} failed"
    FFI_LIB_DIR=$target/debug
    BACKEND_BIN=${VNEID_BACKEND_BIN:-$target/debug/vneid-backend}
    [ -f "$FFI_LIB_DIR/libvneid_ffi.so" ] || die "missing $FFI_LIB_DIR/libvneid_ffi.so"
    rm -rf "$out" && mkdir -p "$out"
    log "uniffi-bindgen generate --language $lang"
    (cd "$REPO_ROOT" && cargo run -q -p uniffi-bindgen -- generate --no-format \
        --library "$FFI_LIB_DIR/libvneid_ffi.so" --language "$lang" --out-dir "$out") \
        || die "uniffi-bindgen failed"
}

# start_backend: starts the reference backend on a random loopback port.
# Exports VNEID_BACKEND_URL and VNEID_DEV_TOKEN; stop it with stop_backend (call from a trap).
BACKEND_PID=
BACKEND_TMP=
start_backend() {
    [ -x "$BACKEND_BIN" ] || die "backend binary $BACKEND_BIN not found (is fixtures/backend built?)"
    BACKEND_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vneid-foreign.XXXXXX")
    VNEID_DEV_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    "$BACKEND_BIN" --db "$BACKEND_TMP/backend.sqlite" --listen 127.0.0.1:0 \
        --dev-token "$VNEID_DEV_TOKEN" >"$BACKEND_TMP/backend.out" 2>"$BACKEND_TMP/backend.err" &
    BACKEND_PID=$!
    # Its first stdout line is "listening on http://ADDR".
    local line='' _i
    for _i in $(seq 300); do
        IFS= read -r line <"$BACKEND_TMP/backend.out" || true
        case $line in "listening on http://"*[!\ ]) break ;; esac
        kill -0 "$BACKEND_PID" 2>/dev/null || break
        sleep 0.1
    done
    case $line in
        "listening on http://"*) VNEID_BACKEND_URL=${line#listening on } ;;
        *)
            sed 's/^/  backend: /' "$BACKEND_TMP/backend.err" >&2 || true
            die "backend did not print 'listening on http://ADDR' within 30 s (got: '$line')" ;;
    esac
    export VNEID_BACKEND_URL VNEID_DEV_TOKEN
    log "backend pid $BACKEND_PID listening on $VNEID_BACKEND_URL"
}

stop_backend() {
    if [ -n "$BACKEND_PID" ]; then
        kill "$BACKEND_PID" 2>/dev/null || true
        wait "$BACKEND_PID" 2>/dev/null || true
        BACKEND_PID=
    fi
    if [ -n "$BACKEND_TMP" ]; then
        rm -rf "$BACKEND_TMP"
        BACKEND_TMP=
    fi
}

# mounts_under DIR: prints mount points at or below DIR, deepest first.
mounts_under() {
    awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# unmount_all_under DIR: unmounts whatever is mounted below DIR (lazy as a last resort).
unmount_all_under() {
    local m
    for m in $(mounts_under "$1"); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    [ -z "$(mounts_under "$1")" ]
}

# in_chroot [VAR=VALUE...] CMD...: runs CMD inside the Swift chroot with /proc, /dev and /sys
# mounted, in a private mount namespace when possible (the mounts then vanish with the process even
# on SIGKILL); lib/chroot-exec.sh also unmounts them on exit. The environment inside is minimal:
# PATH with /usr/libexec/swift/bin first, the given VAR=VALUEs, and the host's VNEID_*, RUST_LOG
# and RUST_BACKTRACE.
in_chroot() {
    local envs=(PATH=/usr/libexec/swift/bin:/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin HOME=/root
                LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive)
    local v
    for v in $(compgen -e | grep -E '^(VNEID_[A-Z0-9_]+|RUST_LOG|RUST_BACKTRACE)$'); do
        envs+=("$v=${!v}")
    done
    while [ $# -gt 0 ] && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do envs+=("$1"); shift; done
    if [ -z "${_IN_MOUNT_NS:-}" ] && unshare --mount --propagation private true 2>/dev/null; then
        _IN_MOUNT_NS=1 unshare --mount --propagation private -- \
            bash "$FOREIGN_DIR/lib/chroot-exec.sh" "$SWIFT_ROOT" "${envs[@]}" -- "$@"
    else
        bash "$FOREIGN_DIR/lib/chroot-exec.sh" "$SWIFT_ROOT" "${envs[@]}" -- "$@"
    fi
}

# elapsed START_EPOCH_NS: elapsed seconds with one decimal.
elapsed() { awk -v s="$1" -v e="$(date +%s%N)" 'BEGIN { printf "%.1f s", (e - s) / 1e9 }'; }

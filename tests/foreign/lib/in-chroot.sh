#!/usr/bin/env bash
# in-chroot.sh [VAR=VALUE...] CMD...: runs CMD in the Swift chroot (see in_chroot in common.sh).
# Handy by hand too: bash tests/foreign/lib/in-chroot.sh swiftc --version
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -x "$SWIFT_ROOT/usr/bin/env" ] || die "no Swift chroot at $SWIFT_ROOT: run tests/foreign/setup.sh swift"
in_chroot "$@"

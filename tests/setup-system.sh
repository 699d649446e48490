#!/usr/bin/env bash
# setup-system.sh: installs the Debian packages the Rust tests need beyond a Rust toolchain.
#   pcscd, libpcsclite-dev   the PC/SC daemon and the library `vneid-cli --features pcsc` links
#   vsmartcard-vpcd          pcscd's virtual reader driver: the PC/SC end-to-end test serves the
#                            virtual chip card to it over TCP (bindings/cli/tests/pcsc.rs)
# Idempotent: installed packages are skipped; apt-get update runs at most once.
set -euo pipefail
LOG_TAG=setup-system
# shellcheck source=foreign/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/foreign/lib/common.sh"

# procps: `kill -TERM` lets the test's pcscd remove its socket on the way out.
apt_install pcscd libpcsclite-dev vsmartcard-vpcd pkg-config procps
log "pcscd, libpcsclite-dev, vsmartcard-vpcd ready"

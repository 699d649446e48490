#!/usr/bin/env bash
# chroot-exec.sh ROOT [VAR=VALUE...] -- CMD...
# Mounts /proc, /dev and /sys into ROOT, runs CMD in `chroot ROOT` with exactly the given
# environment, and unmounts again on any exit (normally called in a private mount namespace,
# see in_chroot in common.sh, where the mounts could not leak anyway).
set -euo pipefail
root=$1; shift
envs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
[ -x "$root/usr/bin/env" ] || { echo "chroot-exec: $root is not a Debian root" >&2; exit 1; }

mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
    done
}
trap cleanup EXIT
child=
trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; [ -n "$child" ] || exit 130' INT TERM HUP

mnt() { # mnt TARGET mount-args...
    local t=$1; shift
    if ! mountpoint -q "$t"; then
        mount "$@" "$t"
        mounted+=("$t")
    fi
}
mnt "$root/proc" -t proc proc
mnt "$root/dev" --rbind /dev
mnt "$root/sys" --rbind /sys
# Make the rbinds private so unmounting them never propagates back to the host's /dev and /sys.
mount --make-rprivate "$root/dev" 2>/dev/null || true
mount --make-rprivate "$root/sys" 2>/dev/null || true
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# Not exec: the unmount trap must run after the command. In the background so that a signal is
# forwarded at once instead of after the command ends.
chroot "$root" /usr/bin/env -i "${envs[@]}" "$@" &
child=$!
while :; do
    rc=0
    wait "$child" || rc=$?
    kill -0 "$child" 2>/dev/null || break
done
exit "$rc"

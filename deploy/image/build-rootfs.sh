#!/usr/bin/env bash
# Builds the root file system of the egress-audit image: the release binary
# (Swift standard library linked in statically), the shared libraries it still
# loads (libpcap and what libpcap needs, libc), a passwd/group naming the
# unprivileged user 65534, and cap_net_raw+ep on the binary. Nothing else: no
# shell, no package manager. Optionally the week's Azure Service Tags file,
# gzip-compressed, for the init container (deploy/kubernetes/*.yaml).
#
#   deploy/image/build-rootfs.sh [--output DIR] [--binary PATH] [--service-tags ServiceTags_Public_YYYYMMDD.json]
#
# Default output: .build/image/rootfs. Without --binary it runs
#   swift build -c release --product egress-audit --static-swift-stdlib
# Needs: root (setcap, and files owned by root), ldd, setcap (libcap2-bin), gzip.
# Then deploy/image/Containerfile turns the folder into images (see deploy/image/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=.build/image/rootfs
binary=""
tags=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --service-tags) tags="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-rootfs.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
for tool in ldd setcap getcap gzip; do
  command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin:/sbin"
  command -v "$tool" >/dev/null || { echo "build-rootfs.sh: $tool is not installed (apt: libc-bin, libcap2-bin, gzip)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "build-rootfs.sh: run as root (setcap, root-owned files)" >&2; exit 1; }

if [ -z "$binary" ]; then
  swift build -c release --product egress-audit --static-swift-stdlib
  binary="$(swift build -c release --show-bin-path)/egress-audit"
fi
[ -x "$binary" ] || { echo "build-rootfs.sh: $binary is not an executable" >&2; exit 1; }

rm -rf "$out"
# proc, sys, dev: mount points the container runtime fills (the Swift runtime reads its
# arguments from /proc/self/cmdline; there is no /proc without a runtime or a test mounting it).
mkdir -p "$out"/{usr/local/bin,etc,tmp,data,proc,sys,dev,usr/share/egress-audit,var/lib/egress-audit,var/lib/egress-audit-tags}
chmod 1777 "$out/tmp"
install -m 0755 "$binary" "$out/usr/local/bin/egress-audit"
strip --strip-unneeded "$out/usr/local/bin/egress-audit" 2>/dev/null || true

# Every shared object the binary loads, and the dynamic loader, at the paths ldd names.
ldd "$out/usr/local/bin/egress-audit" | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}' | sort -u | while read -r lib; do
  cp --parents -L "$lib" "$out/"
done
if ldd "$out/usr/local/bin/egress-audit" | grep -q "not found"; then
  echo "build-rootfs.sh: a library is missing:" >&2
  ldd "$out/usr/local/bin/egress-audit" | grep "not found" >&2
  exit 1
fi

cat > "$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat > "$out/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
chown 65534:65534 "$out/var/lib/egress-audit" "$out/var/lib/egress-audit-tags"

if [ -n "$tags" ]; then
  # Named without its date (the manifests name one path); the date moves into the
  # modification time, which `egress-audit service-tags` ages the file by.
  target="$out/usr/share/egress-audit/ServiceTags_Public.json.gz"
  gzip -9 -n -c "$tags" > "$target"
  stamp=$(basename "$tags" | sed -n 's/.*_\([0-9]\{8\}\)\..*/\1/p')
  if [ -n "$stamp" ]; then touch -d "${stamp:0:4}-${stamp:4:2}-${stamp:6:2} 00:00:00 UTC" "$target"; else touch -r "$tags" "$target"; fi
  chmod 0644 "$target"
fi

# The one capability, on the binary itself: a non-root container gets the pod's
# added capabilities only through the file it executes (no ambient set).
setcap cap_net_raw+ep "$out/usr/local/bin/egress-audit"
getcap "$out/usr/local/bin/egress-audit"
du -sh "$out" | sed 's/^/build-rootfs.sh: /'

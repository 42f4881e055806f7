#!/usr/bin/env bash
# abuse.sh: egress-audit on captures built to exhaust each flow-engine table (abuse-captures.py):
# each must finish, keep its peak RSS within what the caps allow, and say in its summary what the
# caps turned away (`capsReached`). Prints one line per capture: packets, peak RSS, exit status,
# and the caps reached.
#
#   Benchmarks/Scripts/abuse.sh [OUTDIR]      # default /tmp/egress-abuse; EGRESS_AUDIT: the binary
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EGRESS_AUDIT=${EGRESS_AUDIT:-$REPO/.build/release/egress-audit}
OUT=${1:-/tmp/egress-abuse}
[[ -x $EGRESS_AUDIT ]] || { echo "abuse: no $EGRESS_AUDIT: swift build -c release --product egress-audit --static-swift-stdlib" >&2; exit 1; }
[[ -f $OUT/huge-blocks.pcapng ]] || python3 "$REPO/Benchmarks/Scripts/abuse-captures.py" "$OUT"
printf '%-26s %10s %10s %6s  %s\n' capture packets "peak RSS" status "caps reached / error"
for f in fragments.pcap quic-initials.pcap dns-names.pcap split-clienthellos.pcap huge-blocks.pcapng; do
    status=0
    /usr/bin/time -f '%M' -o "$OUT/$f.rss" "$EGRESS_AUDIT" analyze "$OUT/$f" --json --output "$OUT/$f.json" 2>"$OUT/$f.err" || status=$?
    python3 - "$OUT/$f" "$(tail -1 "$OUT/$f.rss")" "$status" <<'EOF'
import json, sys
path, rss_kb, status = sys.argv[1], int(sys.argv[2]), sys.argv[3]
name = path.rsplit("/", 1)[-1]
try:
    doc = json.load(open(path + ".json"))
    s = doc["summary"]
    caps = s.get("capsReached", {})
    extra = [f"fragments dropped {s['fragmentsDropped']} (evicted {s['fragmentDatagramsEvicted']}, held {s['fragmentsHeld']})"] if s["firstFragments"] else []
    said = ", ".join(extra + [f"{k} {v}" for k, v in caps.items() if v]) or "none"
    print(f"{name:<26} {s['packets']:>10,} {rss_kb / 1024:>8.0f} MB {status:>6}  {said}")
except (OSError, ValueError, KeyError):
    print(f"{name:<26} {'-':>10} {rss_kb / 1024:>8.0f} MB {status:>6}  {open(path + '.err').read().strip()}")
EOF
done

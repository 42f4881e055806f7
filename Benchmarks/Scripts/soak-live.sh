#!/usr/bin/env bash
# soak-live.sh: does a long `egress-audit live --profile …` stay flat in memory?
#
# Replays the per-flow-heavy capture (egress-capgen per-flow) in a loop over a veth pair between
# two private network namespaces (no traffic leaves them) at a steady rate, with tcpreplay's
# --unique-ip so every loop brings new addresses and so new flows, into `live` with a profile,
# and samples live's resident memory every SAMPLE seconds. Prints the samples and the growth
# after warm-up (WARMUP seconds, default 60 % of the run): the streaming audit keeps aggregates,
# not flows, so memory should stay within a few per cent once the bounded tables have filled (the
# flow table's 1 M records take ~110 s at this rate: TCP flows wait out their 300 s idle time).
#
#   sudo Benchmarks/Scripts/soak-live.sh            # DURATION=300 PPS=40000 SAMPLE=10 WARMUP=180
#
# Needs root, ip (iproute2), tcpreplay, the release build and egress-capgen (CAPGEN).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DURATION=${DURATION:-300} PPS=${PPS:-40000} SAMPLE=${SAMPLE:-10}
WARMUP=${WARMUP:-$((DURATION * 6 / 10))}
CAPTURE=${CAPTURE:-/tmp/egress-per-flow-200000.pcap}
CAPGEN=${CAPGEN:-$REPO/.build/release/egress-capgen}
BIN=${EGRESS_AUDIT:-$REPO/.build/release/egress-audit}
die() { echo "soak-live: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root"
for tool in ip tcpreplay; do command -v "$tool" >/dev/null || die "needs $tool"; done
[[ -x $BIN ]] || die "$BIN missing: swift build -c release --product egress-audit --static-swift-stdlib"
[[ -f $CAPTURE ]] || "$CAPGEN" per-flow --packets 200000 -o "$CAPTURE" >/dev/null

TAG=$$ RX_NS=ea-srx-$$ TX_NS=ea-stx-$$ RX_IF=esrx$$ TX_IF=estx$$
WORK=$(mktemp -d /tmp/egress-audit-soak.XXXXXX)
LIVE_PID= REPLAY_PID=
cleanup() {
    [[ -n $REPLAY_PID ]] && kill "$REPLAY_PID" 2>/dev/null || true
    [[ -n $LIVE_PID ]] && kill -TERM "$LIVE_PID" 2>/dev/null || true
    sleep 1
    ip netns del "$RX_NS" 2>/dev/null || true; ip netns del "$TX_NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
ip netns add "$RX_NS"; ip netns add "$TX_NS"
ip link add "$TX_IF" type veth peer name "$RX_IF"
ip link set "$TX_IF" netns "$TX_NS"; ip link set "$RX_IF" netns "$RX_NS"
for pair in "$TX_NS $TX_IF" "$RX_NS $RX_IF"; do set -- $pair
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; ip -n "$1" link set "$2" up; done

ip netns exec "$RX_NS" "$BIN" live -i "$RX_IF" --capture-all --buffer-mib 64 --profile apim-self-hosted-gateway \
    --param apim-name=contoso --node 10.0.0.0/8 --json --output "$WORK/report.json" >"$WORK/live.out" 2>"$WORK/live.err" &
LIVE_PID=$!
sleep 2
ip netns exec "$TX_NS" tcpreplay -q --intf1="$TX_IF" --pps="$PPS" --loop=0 --unique-ip "$CAPTURE" >"$WORK/replay.out" 2>&1 &
REPLAY_PID=$!
echo "seconds rss_kib"
samples=()
for ((t = SAMPLE; t <= DURATION; t += SAMPLE)); do
    sleep "$SAMPLE"
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$LIVE_PID/status")
    samples+=("$rss"); echo "$t $rss"
done
kill "$REPLAY_PID"; REPLAY_PID=
kill -TERM "$LIVE_PID"; wait "$LIVE_PID" || true; LIVE_PID=
python3 - "$WORK/report.json" "$((WARMUP / SAMPLE))" "${samples[@]}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); w = int(sys.argv[2]); s = [int(x) for x in sys.argv[3:]]
w = min(max(w - 1, 0), len(s) - 1)
warm = s[w]
print(f"flows {r['capture']['flows']:,}  packets {r['capture']['packets']:,}  destinations "
      f"{sum(len(r[k]) for k in ('allowed', 'undocumented', 'wrongPort', 'resolvers'))}  overflow {[o['cap'] for o in r['overflow']]}")
print(f"rss after warm-up {warm} KiB, at the end {s[-1]} KiB, peak after warm-up {max(s[w:])} KiB: "
      f"growth {100 * (max(s[w:]) - warm) / warm:.1f} %")
PY

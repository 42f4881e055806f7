#!/usr/bin/env bash
# replay-veth.sh: how fast can `egress-audit live` keep up with a real interface?
#
# Replays a 1,000,000-packet synthetic capture of gateway egress (the Benchmarks
# package's bulk capture) at top speed into one end of a veth pair and captures on
# the other end with `egress-audit live`, each end in its own private network
# namespace (no traffic leaves them). Prints what tcpreplay sent and how fast,
# what live captured, the kernel's and the interface's drop counters from the
# report, and live's CPU time.
#
# Needs root, ip (iproute2), tcpreplay, python3 or jq, swift (unless SKIP_BUILD=1).
#
#   sudo Benchmarks/Scripts/replay-veth.sh
#   sudo EXTRA_LIVE_ARGS="--capture-all" Benchmarks/Scripts/replay-veth.sh
#
# Environment:
#   CAPTURE          pcap to replay (default /tmp/egress-audit-bench-bulk-1000000.pcap,
#                    generated with egress-capgen when absent: same bytes as the benchmarks')
#   PACKETS          packets in a generated capture (default 1000000)
#   EXTRA_LIVE_ARGS  more `live` arguments, split on spaces (default none), e.g. a --profile
#   BUFFER_MIB       live's --buffer-mib (default 256)
#   LOOPS            tcpreplay --loop (default 1)
#   SKIP_BUILD=1     use the existing .build/release/egress-audit
#   KEEP=1           keep the work directory (report, logs) and print its path
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACKETS=${PACKETS:-1000000}
CAPTURE=${CAPTURE:-/tmp/egress-audit-bench-bulk-${PACKETS}.pcap}
EXTRA_LIVE_ARGS=${EXTRA_LIVE_ARGS:-}
BUFFER_MIB=${BUFFER_MIB:-256}
LOOPS=${LOOPS:-1}

die() { echo "replay-veth: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, veth)"
for tool in ip tcpreplay; do command -v "$tool" >/dev/null || die "needs $tool"; done
command -v python3 >/dev/null || command -v jq >/dev/null || die "needs python3 or jq to read the report"

cd "$REPO"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    echo "== building release (swift build -c release --product egress-audit --static-swift-stdlib)"
    swift build -c release --product egress-audit --static-swift-stdlib >/dev/null
fi
BIN="$REPO/.build/release/egress-audit"
[[ -x $BIN ]] || die "$BIN missing (build it, or unset SKIP_BUILD)"
if [[ ! -f $CAPTURE ]]; then
    echo "== generating $CAPTURE ($PACKETS packets, bulk scenario, seed 1)"
    swift run -c release --static-swift-stdlib egress-capgen bulk --packets "$PACKETS" --seed 1 --output "$CAPTURE.partial"
    mv "$CAPTURE.partial" "$CAPTURE"
fi

TAG=$$
RX_NS=ea-rx-$TAG TX_NS=ea-tx-$TAG RX_IF=earx$TAG TX_IF=eatx$TAG
WORK=$(mktemp -d /tmp/egress-audit-replay.XXXXXX)
LIVE_PID=
cleanup() {
    if [[ -n $LIVE_PID ]] && kill -0 "$LIVE_PID" 2>/dev/null; then kill -TERM "$LIVE_PID" 2>/dev/null || true; sleep 1; kill -KILL "$LIVE_PID" 2>/dev/null || true; fi
    ip netns del "$RX_NS" 2>/dev/null || true
    ip netns del "$TX_NS" 2>/dev/null || true
    ip link del "$TX_IF" 2>/dev/null || true
    if [[ ${KEEP:-0} == 1 ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

echo "== veth $TX_IF ($TX_NS) → $RX_IF ($RX_NS)"
ip netns add "$RX_NS"
ip netns add "$TX_NS"
ip link add "$TX_IF" type veth peer name "$RX_IF"
ip link set "$TX_IF" netns "$TX_NS"
ip link set "$RX_IF" netns "$RX_NS"
# No addresses: tcpreplay writes whole Ethernet frames; nothing else speaks on the link.
for pair in "$TX_NS $TX_IF" "$RX_NS $RX_IF"; do
    set -- $pair
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$1" link set "$2" up
done

# live in a subshell that waits for it and then prints its CPU time (bash `times`:
# the children's user and system time). `ip netns exec` execs, so $! is live itself.
(
    ip netns exec "$RX_NS" "$BIN" live -i "$RX_IF" --json --output "$WORK/report.json" --buffer-mib "$BUFFER_MIB" $EXTRA_LIVE_ARGS \
        2>"$WORK/live.err" &
    echo $! >"$WORK/live.pid"
    wait $! || echo "live exited with status $?" >>"$WORK/live.err"
    times >"$WORK/times"
) &
SUBSHELL=$!
for _ in $(seq 100); do [[ -s $WORK/live.pid ]] && break; sleep 0.1; done
LIVE_PID=$(cat "$WORK/live.pid")
for _ in $(seq 300); do grep -q "capturing on" "$WORK/live.err" 2>/dev/null && break; kill -0 "$LIVE_PID" 2>/dev/null || break; sleep 0.1; done
grep -q "capturing on" "$WORK/live.err" || { cat "$WORK/live.err" >&2; die "live did not start"; }
sed 's/^/live: /' "$WORK/live.err"

echo "== tcpreplay --topspeed --loop $LOOPS -i $TX_IF $CAPTURE"
ip netns exec "$TX_NS" tcpreplay --topspeed --loop "$LOOPS" -i "$TX_IF" "$CAPTURE" 2>&1 | tee "$WORK/tcpreplay.txt" | sed 's/^/tcpreplay: /'

# Let live drain the ring, then stop it: SIGTERM writes the report.
sleep 2
kill -TERM "$LIVE_PID"
wait "$SUBSHELL" || true
LIVE_PID=
sed -n '2,$p' "$WORK/live.err" | sed 's/^/live: /'
[[ -s $WORK/report.json ]] || die "no report written"

sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$WORK/tcpreplay.txt" | head -1)
rated=$(sed -n 's/.*Rated: \(.*\)/\1/p' "$WORK/tcpreplay.txt" | head -1)
failed=$(sed -n 's/.*Failed packets: *\([0-9]*\).*/\1/p' "$WORK/tcpreplay.txt" | head -1)
if command -v python3 >/dev/null; then
    read -r captured kdrops idrops < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = (d.get("files") or [{}])[0]
print(f.get("packets", d.get("capture", {}).get("packets")), f.get("kernelDrops"), f.get("interfaceDrops"))' "$WORK/report.json")
else
    read -r captured kdrops idrops < <(jq -r '[(.files[0].packets // .capture.packets), .files[0].kernelDrops, .files[0].interfaceDrops] | map(tostring) | join(" ")' "$WORK/report.json")
fi
# `times` prints the shell's own times, then its children's: "0m1.234s 0m0.567s".
read -r cpu_user cpu_sys < <(sed -n 2p "$WORK/times")

echo
echo "== results ($(nproc) cores, $(uname -r))"
printf '%-26s %s\n' "packets sent (tcpreplay)" "${sent:-?} (failed: ${failed:-?})"
printf '%-26s %s\n' "tcpreplay rate" "${rated:-?}"
printf '%-26s %s\n' "packets captured (live)" "$captured"
printf '%-26s %s\n' "kernel drops" "$kdrops"
printf '%-26s %s\n' "interface drops" "$idrops"
printf '%-26s %s\n' "live CPU time" "user $cpu_user, system $cpu_sys"

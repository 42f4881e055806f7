#!/usr/bin/env bash
# instructions.sh: instruction counts (callgrind, whole process, both threads) per packet and per
# flow, stage by stage, on one capture: the stable signal on a noisy machine, where timings swing.
#
#   Benchmarks/Scripts/instructions.sh [CAPTURE]     # default: a 100,000-packet per-flow-heavy capture
#
# Stages, each a whole run of its own (callgrind with --separate-threads):
#   bare       a C libpcap pcap_next_ex loop over the file (the baseline every ratio divides by)
#   startup    `egress-audit analyze --json` and the audit on a 1-packet file: fixed costs (argument
#              parsing, loading the profile, report file), subtracted from the rows below
#   analyze    `analyze FILE --json --output …` (read, decode on the second thread, flows, names,
#              the JSON summary); its rows also give each thread's share
#   audit      `analyze FILE --profile apim-self-hosted-gateway --param apim-name=contoso --json --output …`
# and prints instructions per packet for analyze and the audit, and the audit's extra instructions
# per flow (classification, aggregation and the report), start-up taken off.
#
# Needs valgrind, gcc, libpcap-dev, python3. valgrind cannot read this toolchain's DWARF, so the
# binary is measured as a copy stripped of debug info (`strip -g`). Environment: EGRESS_AUDIT (the
# binary, default .build/release/egress-audit), CAPGEN (egress-capgen, default .build/release/egress-capgen).
set -euo pipefail

SCRIPT=instructions
source "$(dirname "${BASH_SOURCE[0]}")/callgrind-setup.sh"
need valgrind callgrind_annotate gcc python3 strip
[[ -f /usr/include/pcap.h || -f /usr/include/pcap/pcap.h ]] || die "needs libpcap-dev (pcap.h) for the bare loop"
setup_capture "${1:-}"
"${CAPGEN:-true}" per-flow --packets 1 -o "$WORK/one.pcap" >/dev/null 2>&1 || die "cannot make the 1-packet start-up capture with $CAPGEN"

cat >"$WORK/bare.c" <<'EOF'
#include <pcap/pcap.h>
#include <stdio.h>
int main(int argc, char **argv) {
    char error[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], error);
    if (!p) { fprintf(stderr, "%s\n", error); return 1; }
    struct pcap_pkthdr *h; const u_char *d; long n = 0;
    while (pcap_next_ex(p, &h, &d) == 1) n++;
    printf("%ld\n", n);
    return 0;
}
EOF
gcc -O2 -o "$WORK/bare" "$WORK/bare.c" -lpcap

# count NAME COMMAND…: prints NAME and the instructions callgrind collected (all threads), and
# each thread's own: NAME.main (the main thread: start-up, tracking, the report) and NAME.decode
# (the decode-ahead thread, told by its producer loop), from callgrind's per-thread files.
count() {
    local name=$1
    shift
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$WORK/$name.out" "$@" >"$WORK/$name.stdout" 2>"$WORK/$name.err" \
        || die "$name failed: $(tail -n 3 "$WORK/$name.err")"
    local n part decode=0
    n=$(grep -oE 'Collected : [0-9]+' "$WORK/$name.err" | awk '{print $3}')
    echo "$name $n" >>"$WORK/counts"
    echo "$name.main $(awk '/^totals:/ {print $2}' "$WORK/$name.out-01")" >>"$WORK/counts"
    for part in "$WORK/$name".out-*; do
        grep -q 'DecodeAheadRingC7produce' "$part" && decode=$(awk '/^totals:/ {print $2}' "$part")
    done
    echo "$name.decode $decode" >>"$WORK/counts"
    echo "instructions: $name: $n" >&2
}
PROFILE=(--profile apim-self-hosted-gateway --param apim-name=contoso --json)
: >"$WORK/counts"
count bare "$WORK/bare" "$CAPTURE"
count startup-analyze "$WORK/egress-audit" analyze "$WORK/one.pcap" --json --output "$WORK/one-analyze.json"
count startup-audit "$WORK/egress-audit" analyze "$WORK/one.pcap" "${PROFILE[@]}" --output "$WORK/one.json"
count analyze "$WORK/egress-audit" analyze "$CAPTURE" --json --output "$WORK/analyze.json"
count audit "$WORK/egress-audit" analyze "$CAPTURE" "${PROFILE[@]}" --output "$WORK/audit.json"

# The portable SHA-256 rounds' share of `analyze` (QUIC Initial key derivation): valgrind does not
# emulate the SHA extensions, so callgrind counts these rounds where a CPU that has them does not.
sha=0
for part in "$WORK"/analyze.out-*; do
    n=$(callgrind_annotate --inclusive=yes --threshold=100 "$part" 2>/dev/null \
        | grep 'SHA256StateV8compress' | head -n 1 | awk '{gsub(",", "", $1); print $1}' || true)
    sha=$((sha + ${n:-0}))
done
echo "portable-sha256 $sha" >>"$WORK/counts"

python3 - "$WORK/counts" "$WORK/analyze.json" "$CAPTURE" <<'EOF'
import json, sys
counts = dict(line.split() for line in open(sys.argv[1]))
counts = {k: int(v) for k, v in counts.items()}
summary = json.load(open(sys.argv[2]))["summary"]
packets, flows = summary["packets"], summary["flows"]
analyze = counts["analyze"] - counts["startup-analyze"]
audit = counts["audit"] - counts["startup-audit"]
print(f"capture: {sys.argv[3]}: {packets:,} packets, {flows:,} flows")
print(f"{'stage':<44}{'instructions':>16}{'per packet':>12}{'per flow':>10}{'× bare':>8}")
def row(name, n, per_flow=True):
    print(f"{name:<44}{n:>16,}{n / packets:>12,.0f}{(n / flows if per_flow else float('nan')):>10,.0f}{n / counts['bare']:>8.2f}")
row("bare libpcap loop (whole process)", counts["bare"])
row("analyze start-up (1-packet file)", counts["startup-analyze"], False)
row("audit start-up (profile load, 1-packet file)", counts["startup-audit"], False)
row("analyze, start-up taken off", analyze)
row("audit, start-up taken off", audit)
row("  of which the audit (classify, fold, report)", audit - analyze)
row("  of which SHA-256 rounds (portable: valgrind)", counts["portable-sha256"])
# The two threads' shares move from run to run (the decode thread takes on decoding and previewing
# only while the tracking thread is behind, and valgrind runs one thread at a time): their sum is the signal.
row("  on the tracking (main) thread", counts["analyze.main"] - counts["startup-analyze.main"])
row("  on the decode-ahead thread", counts["analyze.decode"])
row("analyze, whole process", counts["analyze"])
row("audit, whole process", counts["audit"])
EOF

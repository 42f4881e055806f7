#!/usr/bin/env bash
# stream-audit.sh: what `egress-audit analyze` costs, whole process, on the two benchmark captures
# the issues ask for, beside a bare libpcap pcap_next_ex loop over the same file:
#
#   per-flow  1,000,000 packets of self-hosted-gateway egress, ~8 packets per connection, each after
#             its own DNS lookup, ~8,000 names (egress-capgen per-flow)
#   flood     10,000,000 unanswered SYNs from 16,000 nodes in 10.1.0.0/16 to distinct public
#             addresses, six named sessions at start, middle and end, gzip-compressed (egress-capgen flood)
#
# For each run it prints wall seconds, CPU seconds (user + system), peak RSS, the report's size and
# the ratios to the bare loop; for the flood audit it checks with python3 that every undocumented
# planted name is in the report's undocumented[].destination and no documented one is.
#
#   Benchmarks/Scripts/stream-audit.sh [FOLDER]      # captures go to FOLDER (default /tmp), kept for next time
#
# Needs gcc and libpcap-dev (the bare loop), python3, gzip; /usr/bin/time is installed with apt-get
# when missing. Environment:
#   PACKETS=1000000 SYNS=10000000   capture sizes
#   EGRESS_AUDIT   the audit binary (default .build/release/egress-audit, built when missing)
#   CAPGEN         egress-capgen (default .build/release/egress-capgen, built when missing or too old)
#   AUDIT_TIMEOUT  seconds allowed per audit run (default 300)
#   AUDIT_VMEM_KB  ulimit -v for each audit run, so a runaway audit cannot take the machine (default 12 GiB)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FOLDER=${1:-/tmp}
PACKETS=${PACKETS:-1000000}
SYNS=${SYNS:-10000000}
AUDIT_TIMEOUT=${AUDIT_TIMEOUT:-300}
AUDIT_VMEM_KB=${AUDIT_VMEM_KB:-12582912}
EGRESS_AUDIT=${EGRESS_AUDIT:-$REPO/.build/release/egress-audit}
CAPGEN=${CAPGEN:-$REPO/.build/release/egress-capgen}

die() { echo "stream-audit: $*" >&2; exit 1; }
for tool in gcc python3 gzip; do command -v "$tool" >/dev/null || die "needs $tool"; done
[[ -f /usr/include/pcap.h || -f /usr/include/pcap/pcap.h ]] || die "needs libpcap-dev (pcap.h) for the bare loop"
if [[ ! -x /usr/bin/time ]]; then
    echo "stream-audit: installing time (GNU time, for -v)" >&2
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; } || die "cannot install time"
fi
mkdir -p "$FOLDER"

cd "$REPO"
if [[ ! -x $EGRESS_AUDIT ]]; then
    echo "stream-audit: building egress-audit (release)" >&2
    swift build -c release --product egress-audit --static-swift-stdlib >&2
fi
if [[ ! -x $CAPGEN ]] || ! "$CAPGEN" --list | grep -q '^flood'; then
    echo "stream-audit: building egress-capgen (release)" >&2
    swift build -c release --product egress-capgen --static-swift-stdlib >&2
fi

WORK=$(mktemp -d "$FOLDER/stream-audit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A copy, so that a rebuild during the run cannot swap the binary under it.
cp "$EGRESS_AUDIT" "$WORK/egress-audit"
AUDIT="$WORK/egress-audit"

# The bare loop every figure is divided by: libpcap reading and counting, nothing else.
cat >"$WORK/bare-loop.c" <<'EOF'
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv) {
    char error[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argc > 1 ? argv[1] : "-", error);
    if (!p) { fprintf(stderr, "bare-loop: %s\n", error); return 1; }
    struct pcap_pkthdr *header;
    const u_char *data;
    long packets = 0, bytes = 0;
    int r;
    while ((r = pcap_next_ex(p, &header, &data)) == 1) { packets++; bytes += header->caplen; }
    if (r == PCAP_ERROR) { fprintf(stderr, "bare-loop: %s\n", pcap_geterr(p)); return 1; }
    printf("%ld packets, %ld bytes\n", packets, bytes);
    pcap_close(p);
    return 0;
}
EOF
gcc -O2 -o "$WORK/bare-loop" "$WORK/bare-loop.c" -lpcap

PER_FLOW="$FOLDER/egress-per-flow-$PACKETS.pcap"
FLOOD="$FOLDER/egress-flood-$SYNS.pcap.gz"
if [[ ! -s $PER_FLOW || ! -s ${PER_FLOW%.pcap}.plants.json ]]; then
    echo "stream-audit: generating $PER_FLOW" >&2
    "$CAPGEN" per-flow --packets "$PACKETS" -o "$PER_FLOW.part" --plants "${PER_FLOW%.pcap}.plants.json"
    mv "$PER_FLOW.part" "$PER_FLOW"
fi
if [[ ! -s $FLOOD || ! -s ${FLOOD%.pcap.gz}.plants.json ]]; then
    echo "stream-audit: generating $FLOOD" >&2
    "$CAPGEN" flood --syns "$SYNS" -o - --plants "${FLOOD%.pcap.gz}.plants.json" | gzip -1 >"$FLOOD.part"
    mv "$FLOOD.part" "$FLOOD"
fi

# run NAME REPORT COMMAND…: runs under /usr/bin/time -v, appends a line to $WORK/results.
run() {
    local name=$1 report=$2
    shift 2
    echo "stream-audit: $name" >&2
    local status=0
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt" || status=$?
    python3 - "$WORK/time.txt" "$name" "$status" "$report" >>"$WORK/results" <<'EOF'
import os, re, sys
text = open(sys.argv[1]).read()
def field(label):
    m = re.search(re.escape(label) + r":\s*(.+)", text)
    return m.group(1).strip() if m else ""
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
seconds = 0.0
for part in wall.split(":"):
    seconds = seconds * 60 + float(part or 0)
cpu = float(field("User time (seconds)") or 0) + float(field("System time (seconds)") or 0)
rss = int(field("Maximum resident set size (kbytes)") or 0)
report = sys.argv[4]
size = os.path.getsize(report) if report != "-" and os.path.exists(report) else -1
print("\t".join([sys.argv[2], sys.argv[3], f"{seconds:.2f}", f"{cpu:.2f}", str(rss), str(size)]))
EOF
    if [[ $status -ne 0 ]]; then
        echo "stream-audit: $name exited $status (124: timeout after ${AUDIT_TIMEOUT}s); last lines of its stderr:" >&2
        grep -m 3 -iE 'fatal|error|killed|cannot' "$WORK/stderr.txt" >&2 || tail -n 3 "$WORK/stderr.txt" >&2
    fi
}

# audit NAME REPORT ARGS…: the audit, capped in time and address space.
audit() {
    local name=$1 report=$2
    shift 2
    rm -f "$report"
    run "$name" "$report" timeout "$AUDIT_TIMEOUT" bash -c 'ulimit -v "$1"; shift; exec "$@"' _ "$AUDIT_VMEM_KB" "$AUDIT" "$@"
}

REPORTS="$FOLDER/stream-audit-reports"
mkdir -p "$REPORTS"
: >"$WORK/results"
run "per-flow: bare libpcap loop" - "$WORK/bare-loop" "$PER_FLOW"
audit "per-flow: analyze (no profile)" "$REPORTS/per-flow-analyze.json" \
    analyze "$PER_FLOW" --json --output "$REPORTS/per-flow-analyze.json"
audit "per-flow: analyze --profile apim-self-hosted-gateway" "$REPORTS/per-flow-audit.json" \
    analyze "$PER_FLOW" --profile apim-self-hosted-gateway --param apim-name=contoso --json --output "$REPORTS/per-flow-audit.json"
run "flood: bare libpcap loop (gzip -dc |)" - bash -c 'gzip -dc "$1" | "$2" -' _ "$FLOOD" "$WORK/bare-loop"
audit "flood: analyze (no profile)" "$REPORTS/flood-analyze.json" \
    analyze "$FLOOD" --json --output "$REPORTS/flood-analyze.json"
audit "flood: analyze --profile cassandra-mi --node 10.1.0.0/16" "$REPORTS/flood-audit.json" \
    analyze "$FLOOD" --profile cassandra-mi --param region=westus --node 10.1.0.0/16 --json --output "$REPORTS/flood-audit.json"

python3 - "$WORK/results" "$PER_FLOW" "$FLOOD" "$REPORTS" <<'EOF'
import json, os, sys
results, per_flow, flood, reports = sys.argv[1:5]
rows = [line.rstrip("\n").split("\t") for line in open(results) if line.strip()]
bare = {}
for name, status, wall, cpu, rss, size in rows:
    if "bare libpcap loop" in name:
        bare[name.split(":")[0]] = (float(wall), float(cpu))
print(f"\n{'run':<58} {'exit':>4} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>11} {'report kB':>9} {'wall×':>6} {'CPU×':>6}")
for name, status, wall, cpu, rss, size in rows:
    base = bare.get(name.split(":")[0])
    wall, cpu = float(wall), float(cpu)
    ratio = lambda a, b: f"{a / b:.2f}" if b > 0 else "-"
    report = f"{int(size) / 1e3:.0f}" if int(size) >= 0 else "-"
    print(f"{name:<58} {status:>4} {wall:>8.2f} {cpu:>8.2f} {int(rss) / 1024:>11.1f} {report:>9} "
          f"{ratio(wall, base[0]) if base else '-':>6} {ratio(cpu, base[1]) if base else '-':>6}")

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        return None

def flows(report):
    # Audit reports carry capture.flows; the analyze report (no profile) summary.flows.
    for key in ("capture", "summary"):
        part = report.get(key)
        if isinstance(part, dict) and "flows" in part:
            return part["flows"]
    return None

print()
for capture, plants_path in ((per_flow, per_flow[:-len(".pcap")] + ".plants.json"), (flood, flood[:-len(".pcap.gz")] + ".plants.json")):
    plants = load(plants_path)
    print(f"{os.path.basename(capture)}: {plants['packetCount']:,} packets, {plants['flowCount']:,} flows planted")
for name in ("per-flow-analyze", "per-flow-audit", "flood-analyze", "flood-audit"):
    report = load(os.path.join(reports, name + ".json"))
    print(f"  {name}: " + ("no report" if report is None else f"{flows(report)} flows in the report"))

plants = load(flood[:-len(".pcap.gz")] + ".plants.json")
report = load(os.path.join(reports, "flood-audit.json"))
sessions = plants["flood"]["sessions"]
if report is None:
    print("\nflood audit: no report to check (see the exit status above)")
    sys.exit(0)
listed = {entry.get("destination") for entry in report.get("undocumented", []) if isinstance(entry, dict)}
missing = [s["name"] for s in sessions if not s["documented"] and s["name"] not in listed]
wrong = [s["name"] for s in sessions if s["documented"] and s["name"] in listed]
print(f"\nflood audit: {len(report.get('undocumented', []))} undocumented destinations listed")
print(f"  planted undocumented names missing from undocumented[]: {missing or 'none'}")
print(f"  planted documented names listed as undocumented: {wrong or 'none'}")
print("  check: " + ("PASS" if not missing and not wrong else "FAIL"))
sys.exit(0 if not missing and not wrong else 1)
EOF

#!/usr/bin/env bash
# paired-rounds.sh: two command lines timed side by side, round after round, the order alternating,
# and the ratio of their wall times taken per round: on a VM whose speed swings from one minute to
# the next, the one comparison of times that holds (both runs of a round see the same minute).
#
#   Benchmarks/Scripts/paired-rounds.sh ROUNDS -- COMMAND A… -- COMMAND B…
#
# e.g. the flood's audit over `analyze` (issues 11 and 12 ask ≤ 1.3×):
#   Benchmarks/Scripts/paired-rounds.sh 8 \
#       -- .build/release/egress-audit analyze flood.pcap.gz --json --output /tmp/a.json \
#       -- .build/release/egress-audit analyze flood.pcap.gz --profile cassandra-mi --param region=westus \
#          --node 10.1.0.0/16 --json --output /tmp/b.json
# or two builds on the same command (A the old binary, B the new one).
#
# Prints each round (milliseconds, and B over A), then the median and quartiles of each and of the
# per-round ratios. A command that fails stops the script (its status, its last lines). Needs python3.
set -euo pipefail

die() { echo "paired-rounds: $*" >&2; exit 1; }
[[ $# -ge 5 && $1 =~ ^[1-9][0-9]*$ && $2 == -- ]] || die "usage: paired-rounds.sh ROUNDS -- COMMAND A… -- COMMAND B…"
rounds=$1
shift 2
a=()
while [[ $# -gt 0 && $1 != -- ]]; do a+=("$1"); shift; done
[[ $# -gt 1 && ${#a[@]} -gt 0 ]] || die "usage: paired-rounds.sh ROUNDS -- COMMAND A… -- COMMAND B…"
shift
b=("$@")
command -v python3 >/dev/null || die "needs python3"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# timed NAME COMMAND…: prints the command's wall time in microseconds.
timed() {
    local name=$1
    shift
    local start end status=0
    start=$(date +%s%N)
    "$@" >/dev/null 2>"$log" || status=$?
    end=$(date +%s%N)
    [[ $status -eq 0 ]] || die "command $name exited $status: $(tail -n 3 "$log")"
    echo $(((end - start) / 1000))
}

results=""
for round in $(seq "$rounds"); do
    if ((round % 2)); then
        ta=$(timed A "${a[@]}")
        tb=$(timed B "${b[@]}")
    else
        tb=$(timed B "${b[@]}")
        ta=$(timed A "${a[@]}")
    fi
    python3 -c "print(f'round $round: A {$ta / 1000:.1f} ms, B {$tb / 1000:.1f} ms, B/A {$tb / max($ta, 1):.3f}')"
    results+="$ta $tb"$'\n'
done
python3 - <<EOF
import statistics
rows = [tuple(map(int, line.split())) for line in """$results""".strip().splitlines()]
def stats(values):
    if len(values) < 2:
        return f"{values[0]:.3f}"
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return f"median {median:.3f} (quartiles {q1:.3f}–{q3:.3f})"
print("A, seconds:", stats([a / 1e6 for a, _ in rows]))
print("B, seconds:", stats([b / 1e6 for _, b in rows]))
print("B/A per round:", stats([b / max(a, 1) for a, b in rows]))
EOF

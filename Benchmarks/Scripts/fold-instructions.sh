#!/usr/bin/env bash
# fold-instructions.sh: the audit's classification and aggregation, in instructions per flow
# (callgrind, one thread apart from the others): what issue 12 bounds at 1,500 a flow.
#
#   Benchmarks/Scripts/fold-instructions.sh [CAPTURE [AUDIT ARGUMENTS…]]
#       default: a 100,000-packet per-flow-heavy capture,
#                --profile apim-self-hosted-gateway --param apim-name=contoso
#   e.g. Benchmarks/Scripts/fold-instructions.sh flood-200000.pcap \
#            --profile cassandra-mi --param region=westus --node 10.1.0.0/16
#
# Counted: every instruction of the audit's own thread (`AuditThread`: each ended flow classified and
# folded, or held back while nodes are chosen), plus, on the other threads, `AuditAccumulator.add`
# (flows folded on the tracking thread: a capture whose flows all end at its end) and
# `AuditAccumulator.finish` (the held-back flows folded once nodes are chosen). Not counted: reading,
# decoding, tracking, naming, and the report (a fixed cost per destination, not per flow;
# `instructions.sh` gives it). Divided by the flows the report counts.
#
# Needs valgrind (callgrind, callgrind_annotate), python3, strip. Environment: EGRESS_AUDIT (the
# binary, default .build/release/egress-audit), CAPGEN (default .build/release/egress-capgen).
set -euo pipefail

SCRIPT=fold-instructions
source "$(dirname "${BASH_SOURCE[0]}")/callgrind-setup.sh"
need valgrind callgrind_annotate python3 strip
setup_capture "${1:-}"
[[ $# -gt 0 ]] && shift
ARGS=("$@")
[[ ${#ARGS[@]} -gt 0 ]] || ARGS=(--profile apim-self-hosted-gateway --param apim-name=contoso)

valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$WORK/out" \
    "$WORK/egress-audit" analyze "$CAPTURE" "${ARGS[@]}" --json --output "$WORK/report.json" >"$WORK/stdout" 2>"$WORK/err" \
    || die "the audit failed: $(tail -n 3 "$WORK/err")"

total=0
for f in "$WORK"/out-*; do
    # --threshold=100: every function listed. By default the listing stops at 99 % of a thread's
    # cost, so `add` on the main thread (~1 % of it) was counted in some runs and not in others.
    annotated=$(callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null || true)
    if grep -q 'AuditThreadC3run' <<<"$annotated"; then
        n=$(grep 'PROGRAM TOTALS' <<<"$annotated" | awk '{gsub(",", "", $1); print $1}')
        echo "audit thread ($(basename "$f")): $n" >&2
        total=$((total + n))
    else
        for symbol in AccumulatorV3add_5names AccumulatorV6finish5names; do
            n=$(grep "$symbol" <<<"$annotated" | head -n 1 | awk '{gsub(",", "", $1); print $1}' || true)
            if [[ -n $n ]]; then
                echo "$symbol ($(basename "$f")): $n" >&2
                total=$((total + n))
            fi
        done
    fi
done

python3 - "$WORK/report.json" "$total" "$CAPTURE" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
flows = report["capture"]["flows"]
total = int(sys.argv[2])
print(f"capture: {sys.argv[3]}: {report['capture']['packets']:,} packets, {flows:,} flows")
print(f"classification and aggregation: {total:,} instructions, {total / flows:,.0f} a flow")
EOF

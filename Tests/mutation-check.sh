#!/usr/bin/env bash
# The suite's teeth (issue 19): five behaviours broken on purpose, one at a
# time, each of which at least one test must catch. Not run by CI (it builds
# the package six times); run it by hand after changing the tests it names:
#
#   Tests/mutation-check.sh            # MUTATION_WORKDIR=/tmp/egress-audit-mutation by default
#
# It never touches this checkout: the sources are copied to $MUTATION_WORKDIR/repo
# (with ../shared linked beside them, read-only, for the tests that read it),
# each breakage is applied there with sed, checked to have changed the file,
# built, tested with the filters that should catch it, and undone. The first
# run is the unbroken copy: every filter must pass there, so a failure below
# is the breakage's doing. Exit 0 only when every breakage was caught.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTATION_WORKDIR:-/tmp/egress-audit-mutation}
copy=$work/repo
build=$work/build          # kept between runs: later builds are incremental
pristine=$work/pristine

mkdir -p "$work"
rm -rf "$copy" "$pristine"
mkdir -p "$copy"
# tar keeps modification times, so an unchanged file is not rebuilt next run.
tar -C "$repo" --exclude='./.build' --exclude='./.build-*' --exclude='./.build_*' --exclude='./.git' \
    --exclude='./Benchmarks/.build' --exclude='./.swiftpm' -cf - . | tar -C "$copy" -xf -
cp -a "$copy/Sources" "$pristine"
if [ -d "$repo/../shared" ] && [ ! -e "$work/shared" ]; then ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"; fi

# name | file (under Sources/) | sed program | test filter (swift test --filter, a regex over Module.Suite/test)
names=(
  "swap initiator and responder"
  "drop the last DNS answer"
  "widen a wildcard by one label"
  "ignore ICMP administratively prohibited"
  "count a retransmitted SYN as a new flow"
)
files=(
  FlowEngine/FlowTracker.swift
  PacketWire/DNSRecord.swift
  EgressPolicy/FQDNMatcher.swift
  FlowEngine/FlowTracker.swift
  FlowEngine/FlowTracker.swift
)
programs=(
  # The new flow's initiator: the sender when it initiates... now the other end.
  's/initiatorIsLow: senderInitiates == senderIsLow/initiatorIsLow: senderInitiates != senderIsLow/'
  # The record iterator reads one answer fewer than ANCOUNT says.
  's/answers = message\.header\.answerCount$/answers = max(0, message.header.answerCount - 1)/'
  # A leftmost `*` (one or more labels) also matches the apex: `*.a.com` takes `a.com`.
  's/for k in 0 \.\.< Int(node\.terminalCount) { body(ruleIDs\[Int(node\.terminalStart) + k\]) }/&; for k in 0 ..< Int(node.deeperCount) { body(ruleIDs[Int(node.deeperStart) + k]) }/'
  # ICMP 3/13 (and ICMPv6 1/1, 1/5, 1/6) no longer count as a delivery failure.
  's/case \.unreachableNetwork, \.unreachableHost, \.unreachableProtocol, \.unreachablePort, \.adminProhibited, \.unreachableOther:/case .unreachableNetwork, .unreachableHost, .unreachableProtocol, .unreachablePort, .unreachableOther:/'
  # Any SYN on a known tuple starts a new flow, not only one after RST or FIN.
  's/if let existing = found, Self\.isOpeningSYN(packet), table\.connectionEnded(existing) {/if let existing = found, Self.isOpeningSYN(packet) {/'
)
filters=(
  'FlowEngineTests|EgressAuditTests'
  'PacketWireTests|FlowEngineTests|EgressAuditTests'
  'EgressPolicyTests|EgressAuditTests'
  'FlowEngineTests|EgressAuditTests'
  'FlowEngineTests|EgressAuditTests'
)

build_copy() {
  (cd "$copy" && swift build --build-tests --scratch-path "$build") >"$work/build-$1.log" 2>&1
}

# Runs the filter; prints "Suite/test" for each failed test (one per line), from the xUnit file.
failed_tests() { # $1 label, $2 filter
  rm -rf "$work/xunit-$1"
  mkdir -p "$work/xunit-$1"
  (cd "$copy" && swift test --skip-build --scratch-path "$build" --filter "$2" --xunit-output "$work/xunit-$1/out.xml") \
    >"$work/test-$1.log" 2>&1 || true
  python3 - "$work/xunit-$1" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
failed, total = [], 0
for path in glob.glob(sys.argv[1] + "/*.xml"):
    for case in ET.parse(path).iter("testcase"):
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f'{case.get("classname")}/{case.get("name")}')
print(f"#total {total}")
for name in sorted(set(failed)):
    print(name)
PY
}

report=$work/report.txt
: >"$report"
say() { echo "$@" | tee -a "$report"; }

say "mutation check of $repo ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
say "baseline: the unbroken copy"
build_copy baseline || { say "  the unbroken copy does not build: see $work/build-baseline.log"; exit 2; }
all_filters=$(IFS='|'; echo "${filters[*]}")
baseline=$(failed_tests baseline "$all_filters")
say "  $(sed -n 's/^#total //p' <<<"$baseline") tests run, $(grep -vc '^#' <<<"$baseline" || true) failed"
already_failing=$(grep -v '^#' <<<"$baseline" || true)
if [ -n "$already_failing" ]; then
  say "  failing before any breakage (left out of what the breakages are credited with):"
  sed 's/^/    /' <<<"$already_failing" | tee -a "$report"
fi

uncaught=0
for i in "${!names[@]}"; do
  n=$((i + 1))
  file=$copy/Sources/${files[$i]}
  say ""
  say "$n. ${names[$i]} (${files[$i]}; tests: ${filters[$i]})"
  sed -i "${programs[$i]}" "$file"
  if cmp -s "$file" "$pristine/${files[$i]}"; then
    say "  NOT APPLIED: the sed program no longer matches ${files[$i]}; update this script"
    uncaught=$((uncaught + 1))
    continue
  fi
  { diff -u "$pristine/${files[$i]}" "$file" || true; } | sed -n 's/^\([-+][^-+].*\)/    \1/p' | tee -a "$report"
  if ! build_copy "m$n"; then
    say "  the broken copy does not build (see $work/build-m$n.log): no test ran"
    uncaught=$((uncaught + 1))
  else
    result=$(failed_tests "m$n" "${filters[$i]}")
    caught=$(grep -v '^#' <<<"$result" | grep -vxF -f <(printf '%s\n' "$already_failing") || true)
    if [ -z "$caught" ]; then
      say "  NOT CAUGHT: all $(sed -n 's/^#total //p' <<<"$result") tests passed"
      uncaught=$((uncaught + 1))
    else
      say "  caught by $(wc -l <<<"$caught" | tr -d ' ') of $(sed -n 's/^#total //p' <<<"$result") tests:"
      sed 's/^/    /' <<<"$caught" | tee -a "$report"
    fi
  fi
  cp "$pristine/${files[$i]}" "$file"
done

say ""
say "$((${#names[@]} - uncaught)) of ${#names[@]} breakages caught (report: $report)"
[ "$uncaught" -eq 0 ]

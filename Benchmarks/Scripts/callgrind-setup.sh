# callgrind-setup.sh: sourced by the instruction-counting scripts (instructions.sh,
# fold-instructions.sh) for what they share: the binaries, a work folder, the capture
# (a 100,000-packet per-flow-heavy one when none is given) and the binary copied
# without debug info (valgrind cannot read this toolchain's DWARF).
#
#   SCRIPT=name; source callgrind-setup.sh; need TOOL…; setup_capture "$1"
# leaves: REPO, EGRESS_AUDIT, CAPGEN, WORK (removed on exit), CAPTURE, and $WORK/egress-audit.
# Environment: EGRESS_AUDIT (default .build/release/egress-audit), CAPGEN (default .build/release/egress-capgen).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EGRESS_AUDIT=${EGRESS_AUDIT:-$REPO/.build/release/egress-audit}
CAPGEN=${CAPGEN:-$REPO/.build/release/egress-capgen}
die() { echo "$SCRIPT: $*" >&2; exit 1; }
need() { for tool in "$@"; do command -v "$tool" >/dev/null || die "needs $tool"; done; }

# setup_capture [CAPTURE]: the work folder, the capture, and the stripped copy of the binary.
setup_capture() {
    [[ -x $EGRESS_AUDIT ]] || die "no $EGRESS_AUDIT: swift build -c release --product egress-audit --static-swift-stdlib"
    WORK=$(mktemp -d "/tmp/$SCRIPT.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    CAPTURE=${1:-}
    if [[ -z $CAPTURE ]]; then
        [[ -x $CAPGEN ]] || die "no $CAPGEN: swift build -c release --product egress-capgen (or give a CAPTURE)"
        CAPTURE=$WORK/per-flow-100000.pcap
        "$CAPGEN" per-flow --packets 100000 -o "$CAPTURE" >/dev/null
    fi
    [[ -r $CAPTURE ]] || die "cannot read $CAPTURE"
    cp "$EGRESS_AUDIT" "$WORK/egress-audit"
    strip -g "$WORK/egress-audit"
}

# Shared helpers for the test scripts: each case prints one PASS:/FAIL: line.
# Sourced; expects to run from the top of the tree.
MOAT=${MOAT:-build/moat}
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; FAILED=1; }
FAILED=0
# check NAME CONDITION-COMMAND... : PASS if the command succeeds.
check() {
	name=$1; shift
	if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}

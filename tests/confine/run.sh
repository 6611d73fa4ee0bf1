#!/bin/sh
# Confinement tests: escape attempts that must fail.
#
# Builds tests/confine/probe.c with the monitor's own confine.c, policy.c
# and manifest.c, and runs it: each scenario forks a child that enters a
# user+network namespace, calls moat_confine_self and then tries things
# (probe.c prints one PASS/FAIL line per case).  Adds its own checks:
#   confine.build               the probe compiles with -Werror
#   confine.allowlist_matches_pal  the seccomp allowlist is exactly the PAL's
#                               closed list (pal/linux/host_calls.h) plus
#                               execve (starting the PAL) and restart_syscall
#   confine.allowlist_size      prints the count (target: 40 or fewer)
#   confine.policy_cmd          `moat policy` prints the allowlist, the count,
#                               the Landlock rules and the limits
#
# Usage: tests/confine/run.sh [BUILD_DIR]     (default: build)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
BUILD=${1:-${BUILD:-build}}
PROBE=$BUILD/tests/confine-probe
SCRATCH=$BUILD/tests/confine-scratch
MOAT=$BUILD/moat
mkdir -p "$BUILD/tests" "$SCRATCH" || exit 2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/moat-confine.XXXXXX") || exit 2
trap 'rm -rf "$TMP" "$SCRATCH"' EXIT INT TERM

if ${CC:-gcc} -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude -Imonitor \
	-o "$PROBE" tests/confine/probe.c monitor/confine.c monitor/policy.c \
	monitor/manifest.c -lseccomp -lconfig 2> "$TMP/cc.log"; then
	pass confine.build
else
	fail confine.build "$(head -c 400 "$TMP/cc.log")"
	exit 1
fi

# The allowlist against the PAL's closed list.
"$PROBE" --policy > "$TMP/policy" 2>&1 || fail confine.policy_print "$(head -3 "$TMP/policy")"
awk '{print $1}' "$TMP/policy" | sort > "$TMP/allowed"
sed -n 's/\/\*.*\*\///; s/X(\([a-z0-9_]*\))/\n\1\n/gp' pal/linux/host_calls.h |
	grep -x '[a-z0-9_]*' | grep -v '^$' > "$TMP/pal.raw"
{ cat "$TMP/pal.raw"; echo execve; echo restart_syscall; } | sort -u > "$TMP/want"
if [ -s "$TMP/pal.raw" ] && cmp -s "$TMP/allowed" "$TMP/want"; then
	pass confine.allowlist_matches_pal
else
	fail confine.allowlist_matches_pal \
		"$(diff "$TMP/want" "$TMP/allowed" | grep '^[<>]' | tr '\n' ' ') (< PAL only, > allowlist only)"
fi
n=$(wc -l < "$TMP/allowed")
npal=$(sort -u "$TMP/pal.raw" | wc -l)
echo "allowlist: $n host calls ($npal from the PAL, plus execve and restart_syscall; target <= 40)"
pass "confine.allowlist_size ($n host calls)"

# `moat policy` (when the monitor is built).
if [ -x "$MOAT" ]; then
	if "$MOAT" policy > "$TMP/cmd" 2>&1 &&
		grep -q "^$n allowed host calls\$" "$TMP/cmd" &&
		grep -q '^clone .*CLONE_THREAD' "$TMP/cmd" &&
		grep -q '/\.moat/pal .*execute' "$TMP/cmd" &&
		grep -q 'RLIMIT_NOFILE' "$TMP/cmd"; then
		pass confine.policy_cmd
	else
		fail confine.policy_cmd "$(head -c 300 "$TMP/cmd")"
	fi
fi

# The escape attempts.
"$PROBE" "$SCRATCH" > "$TMP/probe" 2>&1
rc=$?
cat "$TMP/probe"
grep -q '^FAIL: ' "$TMP/probe" && FAILED=1
if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$TMP/probe"; then
	fail confine.probe "exited $rc without a FAIL line"
fi
grep -q '^PASS: confine.default.self$' "$TMP/probe" ||
	fail confine.probe "the default scenario never confined itself"
exit $FAILED

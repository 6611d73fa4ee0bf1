#!/bin/sh
# PAL conformance runner.
#
# Runs the conformance image in a picoprocess, echoes its PASS/FAIL lines,
# and adds its own checks as "PASS: run.<check>" / "FAIL: run.<check>: why":
#   run.summary      the image printed "conformance: N passed, M failed",
#                    N and M match its PASS/FAIL lines, and its exit status
#                    is 0 exactly when M is 0
#   run.downcalls    each downcall named in include/moat/dk.h (45 + additions)
#                    prefixes at least one PASS line ("PASS: DkX." or "PASS: DkX")
#   run.providers    each of the 13 stream providers has a PASS line
#                    "PASS: provider.<scheme>:..."
#   run.exit_status  `moat run ... -- child-exit 42` exits with status 42
#   run.abort_event  SIGTERM to the launcher sets an event registered with
#                    DkAbortEventRegister (mode abort-wait)
# Exits non-zero if anything failed.
#
# Usage: tests/pal/run.sh [BUILD_DIR]     (default: build)
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-${BUILD:-build}}
MOAT=$BUILD/moat
IMAGE=$BUILD/tests/pal_conformance.so
TMP=$(mktemp -d "${TMPDIR:-/tmp}/moat-pal-run.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

fails=0
pass() { echo "PASS: run.$1"; }
fail() { echo "FAIL: run.$1: $2"; fails=$((fails + 1)); }

if [ ! -x "$MOAT" ] || [ ! -f "$IMAGE" ]; then
	fail build "$MOAT or $IMAGE missing (run make first)"
	exit 1
fi

# ---- the suite itself (stdin carries the probe line for provider.stdin:) ----
printf 'moat-stdin-probe\n' | timeout 60 "$MOAT" run --libos "$IMAGE" >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out"
# stderr is diagnostics only; keep it out of the PASS/FAIL stream
sed 's/^\(PASS\|FAIL\):/[stderr] \1:/' "$TMP/err" >&2

summary=$(grep -E '^conformance: [0-9]+ passed, [0-9]+ failed$' "$TMP/out" | tail -n 1)
npass=$(grep -c '^PASS: ' "$TMP/out")
nfail=$(grep -c '^FAIL: ' "$TMP/out")
if [ -z "$summary" ]; then
	if [ $rc -eq 124 ]; then
		fail summary "timed out after 60 s (no summary line; last case above)"
	else
		fail summary "no summary line (exit status $rc; the picoprocess died?)"
	fi
else
	sp=$(echo "$summary" | sed -E 's/^conformance: ([0-9]+) passed.*/\1/')
	sf=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed$/\1/')
	if [ "$sp" != "$npass" ] || [ "$sf" != "$nfail" ]; then
		fail summary "summary says $sp/$sf but $npass PASS and $nfail FAIL lines were printed"
	elif [ "$sf" -eq 0 ] && [ $rc -ne 0 ]; then
		fail summary "no failures but exit status $rc"
	elif [ "$sf" -ne 0 ] && [ $rc -ne 1 ]; then
		fail summary "$sf failures but exit status $rc (want 1)"
	else
		pass summary
	fi
fi

# ---- coverage: every downcall and every provider ----------------------------
calls=$(grep -o '(\*Dk[A-Za-z]*)' include/moat/dk.h | tr -d '(*)')
ncalls=$(echo "$calls" | grep -c .)
missing=""
for c in $calls; do
	grep -Eq "^PASS: $c(\.|\$)" "$TMP/out" || missing="$missing $c"
done
# The seed's 45 plus the additions documented in docs/ABI.md.
want=$((45 + $(sed -n 's/^#define DK_DOWNCALL_EXTRA_COUNT \([0-9]*\).*/\1/p' include/moat/dk.h)))
if [ "$ncalls" -ne "$want" ]; then
	fail downcalls "found $ncalls downcalls in include/moat/dk.h, want $want"
elif [ -n "$missing" ]; then
	fail downcalls "no PASS line for:$missing"
else
	pass downcalls
fi

missing=""
for s in file null stdin stdout stderr pipe.server pipe.client tcp.server tcp.client tcp dns \
	http.server http.application; do
	grep -Fq "PASS: provider.$s:" "$TMP/out" || missing="$missing $s:"
done
if [ -n "$missing" ]; then
	fail providers "no PASS line for:$missing"
else
	pass providers
fi

# ---- the launcher passes the exit status through --------------------------------
timeout 20 "$MOAT" run --libos "$IMAGE" -- child-exit 42 </dev/null >"$TMP/exit.out" 2>&1
rc=$?
if [ $rc -eq 42 ]; then
	pass exit_status
else
	fail exit_status "child-exit 42 as the top process exited $rc: $(head -c 300 "$TMP/exit.out" | tr '\n' ' ')"
fi

# ---- abort event: SIGTERM to the launcher --------------------------------------
"$MOAT" run --libos "$IMAGE" -- abort-wait </dev/null >"$TMP/abort.out" 2>"$TMP/abort.err" &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^READY$' "$TMP/abort.out" 2>/dev/null; do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
if ! grep -q '^READY$' "$TMP/abort.out"; then
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	fail abort_event "abort-wait never printed READY: $(head -c 300 "$TMP/abort.out" "$TMP/abort.err" | tr '\n' ' ')"
else
	kill -TERM $pid
	i=0
	while [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do
		# a zombie still answers kill -0; wait below reaps it
		grep -q 'abort event set\|abort-wait:' "$TMP/abort.out" && break
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 $pid 2>/dev/null && ! grep -q 'abort event set\|abort-wait:' "$TMP/abort.out"; then
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		fail abort_event "still running 10 s after SIGTERM"
	else
		wait $pid
		rc=$?
		if grep -q '^abort event set$' "$TMP/abort.out" && [ $rc -eq 0 ]; then
			pass abort_event
		else
			fail abort_event "exit status $rc, output: $(tr '\n' ' ' <"$TMP/abort.out") $(head -c 200 "$TMP/abort.err" | tr '\n' ' ')"
		fi
	fi
fi

echo "run.sh: $nfail case(s) and $fails runner check(s) failed"
[ $fails -eq 0 ] && [ "$nfail" -eq 0 ]

#!/bin/sh
# Application tests: small C programs (tests/apps/*.c), each built twice
# with the host gcc -- static, and dynamic (PIE, the host's ld.so and libc)
# -- into build/tests/apps/{static,dynamic}/, each run natively and in moat
# from a fresh scratch directory under build/tests/apps/ (moat's default
# manifest grants the current directory read-write), and the two runs
# compared: the exit status and stdout must be identical.  One line per case:
#     PASS: apps.NAME.VARIANT
#     FAIL: apps.NAME.VARIANT: why (exit statuses, diff excerpt, moat's stderr)
#     XFAIL: apps.NAME.VARIANT: reason      (listed in tests/apps/EXPECTED_FAIL)
# A case listed in EXPECTED_FAIL that passes is a FAIL ("unexpectedly
# passed"): remove it from the list.  XFAIL lines count neither way.
#
# Each program prints a deterministic transcript and exits 0 when its own
# checks held.  Two comment lines in a program's source change what is
# expected of it:
#     // expect-exit: N        the native (and so moat's) exit status is N
#     // moat-stderr: PATTERN  moat's stderr must match PATTERN (grep -E)
# A native run that does not exit as expected is a FAIL too: the program,
# not moat, is broken on this host.
#
# Usage: tests/apps/run.sh [NAME...]            (default: every program)
#        tests/apps/run.sh --update-expected    rerun all, rewrite EXPECTED_FAIL
# Environment: BUILD (default build), MOAT (default $BUILD/moat), CC, JOBS (2),
# TIMEOUT (seconds per run, default 10; every program takes under 2 s natively).
set -u
cd "$(dirname "$0")/../.." || exit 2
TOP=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
MOAT=${MOAT:-$BUILD/moat}
case $MOAT in /*) ;; *) MOAT=$TOP/$MOAT ;; esac
SRC=$TOP/tests/apps
OUT=$BUILD/tests/apps
CC=${CC:-gcc}
JOBS=${JOBS:-2}
TIMEOUT=${TIMEOUT:-10}
export BUILD MOAT CC TIMEOUT

# build_one NAME: both variants, when missing or older than the sources.
build_one() {
	name=$1
	for v in static dynamic; do
		bin=$OUT/$v/$name
		rm -f "$OUT/build-fail/$name.$v"
		if [ -x "$bin" ] && [ "$bin" -nt "$SRC/$name.c" ] && [ "$bin" -nt "$SRC/check.h" ]; then
			continue
		fi
		if [ $v = static ]; then flags="-O1 -g -static -pthread"; else flags="-O1 -g -pthread"; fi
		# shellcheck disable=SC2086
		log=$OUT/build-fail/$name.$v.log.$$
		if ! $CC $flags -o "$bin.tmp.$$" "$SRC/$name.c" >"$log" 2>&1; then
			mv "$log" "$OUT/build-fail/$name.$v"
			rm -f "$bin.tmp.$$"
			continue
		fi
		rm -f "$log"
		mv "$bin.tmp.$$" "$bin"
	done
}

# oneline: squeeze a text into one short line.
oneline() {
	tr '\n\t' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-${1:-300}
}

# run_case NAME VARIANT: writes the verdict to $WORK/results/NAME.VARIANT.
run_case() {
	name=$1 v=$2
	res=$WORK/results/$name.$v
	dir=$WORK/run/$name.$v
	if [ -f "$OUT/build-fail/$name.$v" ]; then
		echo "FAIL: does not build: $(oneline 200 < "$OUT/build-fail/$name.$v")" > "$res"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir/native" "$dir/moat"
	# The sandbox's user is not the caller (host root becomes "nobody").
	chmod 777 "$dir/native" "$dir/moat"
	cp "$OUT/$v/$name" "$dir/native/$name"
	cp "$OUT/$v/$name" "$dir/moat/$name"
	expect=$(sed -n 's|^// expect-exit: *\([0-9][0-9]*\).*|\1|p' "$SRC/$name.c" | head -n1)
	expect=${expect:-0}
	pattern=$(sed -n 's|^// moat-stderr: *||p' "$SRC/$name.c" | head -n1)
	(cd "$dir/native" && ulimit -f 131072 && exec timeout -k 5 "$TIMEOUT" "$dir/native/$name") \
		</dev/null >"$dir/native.out" 2>"$dir/native.err"
	nrc=$?
	if [ ! -x "$MOAT" ]; then
		echo "FAIL: no moat at $MOAT" > "$res"
		return
	fi
	(cd "$dir/moat" && ulimit -f 131072 && exec timeout -k 5 "$TIMEOUT" "$MOAT" run -- "$dir/moat/$name") \
		</dev/null >"$dir/moat.out" 2>"$dir/moat.err"
	mrc=$?
	why=""
	if [ "$nrc" != "$expect" ]; then
		why="native run exited $nrc, expected $expect: $(grep '^FAIL' "$dir/native.out" | oneline 200)"
	elif [ "$mrc" = 124 ] || [ "$mrc" = 137 ]; then
		why="timed out in moat after ${TIMEOUT}s"
	elif [ "$mrc" != "$nrc" ]; then
		why="exit $mrc in moat, $nrc natively"
	fi
	if [ -z "$why" ] && ! cmp -s "$dir/native.out" "$dir/moat.out"; then
		why="stdout differs"
	fi
	if [ -z "$why" ] && [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$dir/moat.err"; then
		why="no line matching '$pattern' on moat's stderr"
	fi
	if [ -z "$why" ]; then
		echo PASS > "$res"
		rm -rf "$dir"
		return
	fi
	if ! cmp -s "$dir/native.out" "$dir/moat.out"; then
		d=$(diff "$dir/native.out" "$dir/moat.out" | grep '^[<>]' | head -n 4 | oneline 240)
		why="$why; diff (< native, > moat): $d"
	fi
	e=$(grep -v '^$' "$dir/moat.err" | tail -n 2 | oneline 200)
	[ -n "$e" ] && why="$why; moat stderr: $e"
	echo "FAIL: $why" > "$res"
	# A short cause for EXPECTED_FAIL: the first failed check, else moat's
	# last word, else the verdict.
	cause=$(grep -m1 '^FAIL: ' "$dir/moat.out" | sed 's|^FAIL: [^ ]*/||')
	[ -z "$cause" ] && cause=$(grep 'moat' "$dir/moat.err" | tail -n 1)
	echo "${cause:-$why}" | oneline 150 > "$res.cause"
}

case ${1:-} in
--build) build_one "$2"; exit 0 ;;
--case) run_case "$2" "$3"; exit 0 ;;
esac

update=0
if [ "${1:-}" = --update-expected ]; then
	update=1
	shift
fi
if [ $# -gt 0 ] && [ $update = 0 ]; then
	names="$*"
else
	names=$(cd "$SRC" && ls *.c | sed 's/\.c$//')
fi
mkdir -p "$OUT/static" "$OUT/dynamic" "$OUT/build-fail"
# Each run has its own work directory, so that two runs at once (make test
# while a developer runs one program) do not share results; the last one
# stays in $OUT/last for a look at the transcripts of failing cases.
WORK=$(mktemp -d "$OUT/work.XXXXXX") || exit 2
export WORK
mkdir -p "$WORK/results" "$WORK/run"
for n in $names; do
	[ -f "$SRC/$n.c" ] || { echo "FAIL: apps.$n: no tests/apps/$n.c"; exit 1; }
done

# Build, then run, JOBS at a time.
printf '%s\n' $names | xargs -P "$JOBS" -n 1 sh "$0" --build
for n in $names; do printf '%s static\n%s dynamic\n' "$n" "$n"; done |
	xargs -P "$JOBS" -n 2 sh "$0" --case

# Verdicts, with the expected failures.
EXPECTED=$SRC/EXPECTED_FAIL
reason_for() {
	[ -f "$EXPECTED" ] || return 1
	awk -v c="$1" '$1 == c { sub(/^[^#]*#[ \t]*/, ""); print; found = 1; exit } END { exit !found }' "$EXPECTED"
}
status=0
for n in $names; do
	for v in static dynamic; do
		c=$n.$v
		r=$(cat "$WORK/results/$c" 2>/dev/null || echo "FAIL: no result (the case script died)")
		if reason=$(reason_for "$c"); then
			if [ "$r" = PASS ]; then
				echo "FAIL: apps.$c: unexpectedly passed, remove it from tests/apps/EXPECTED_FAIL"
				status=1
			else
				echo "XFAIL: apps.$c: ${reason:-expected to fail}"
			fi
		elif [ "$r" = PASS ]; then
			echo "PASS: apps.$c"
		else
			echo "FAIL: apps.$c: ${r#FAIL: }"
			status=1
		fi
	done
done

if [ $update = 1 ]; then
	{
		echo "# Application tests expected to fail for now, one NAME.VARIANT per line with"
		echo "# the reason after '#'.  Written by tests/apps/run.sh --update-expected from"
		echo "# the failures of the last run; remove a line when its case passes."
		for n in $names; do
			for v in static dynamic; do
				r=$(cat "$WORK/results/$n.$v" 2>/dev/null || echo "FAIL: no result")
				[ "$r" = PASS ] && continue
				c=$(cat "$WORK/results/$n.$v.cause" 2>/dev/null || echo "${r#FAIL: }")
				echo "$n.$v  # $(echo "$c" | cut -c1-160)"
			done
		done
	} > "$EXPECTED.new"
	mv "$EXPECTED.new" "$EXPECTED"
	echo "# wrote $(grep -vc '^#' "$EXPECTED") entries to tests/apps/EXPECTED_FAIL" >&2
fi
rm -rf "$OUT/last.old"
[ -d "$OUT/last" ] && mv "$OUT/last" "$OUT/last.old" 2>/dev/null
mv "$WORK" "$OUT/last" 2>/dev/null && rm -rf "$OUT/last.old"
exit $status

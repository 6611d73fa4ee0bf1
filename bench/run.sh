#!/bin/sh
# moat benchmarks, side by side with native Linux.  Run by `make bench`,
# which first builds moat and the images $(BUILD)/bench/*.so.
#
#   bench/run.sh            everything (about three minutes)
#   BUILD=dir bench/run.sh  use moat and the images built in dir
#   BENCH_PROC=0 bench/run.sh   without section 5 (process creation, bench/proc.sh)
#
# Builds the native drivers into $BUILD/bench/, runs each micro benchmark
# three times and takes the median, times launches with hyperfine, and
# prints a markdown table (also written to $BUILD/bench/results.md).
# Ratios are moat / native: above 1 means moat is slower.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CC=${CC:-gcc}
B=$BUILD/bench
BABS=$(cd "$B" 2>/dev/null && pwd || echo "$PWD/$B")
MOAT=$BUILD/moat
PAL=$BUILD/pal
CPU=${BENCH_CPU:-0} # the vCPU the "same vCPU" rows are pinned to

die() { echo "bench: $*" >&2; exit 1; }
for f in "$MOAT" "$PAL" "$B/nop.so" "$B/abicall.so" "$B/pingpong.so"; do
	[ -x "$f" ] || [ -f "$f" ] || die "$f is missing (run 'make bench')"
done
command -v hyperfine >/dev/null || die "hyperfine is missing (tools/install-deps bench)"

echo "bench: building the native drivers into $B/"
$CC -O2 -static -o "$B/true" bench/native/true.c
$CC -O2 -static -nostdlib -o "$B/true-nostdlib" bench/native/true_nostdlib.c
$CC -O2 -o "$B/clock" bench/native/clock.c
$CC -O2 -pthread -o "$B/futex_pingpong" bench/native/futex_pingpong.c
$CC -O2 -pthread -o "$B/eventfd_pingpong" bench/native/eventfd_pingpong.c

# median3 CMD...: runs CMD three times; each prints "NAME NUMBER"; prints
# the median NUMBER.  range3 CMD...: the same, but prints "MEDIAN MIN MAX".
range3() {
	out=""
	for i in 1 2 3; do
		v=$("$@" | awk 'NF == 2 { print $2 }') || die "failed: $*"
		[ -n "$v" ] || die "no result from: $*"
		out="$out$v
"
	done
	printf '%s' "$out" | sort -g | awk '{ v[NR] = $1 } END { print v[2], v[1], v[3] }'
}
median3() { r=$(range3 "$@") && echo "${r%% *}"; }

ratio() { awk -v m="$1" -v n="$2" 'BEGIN { printf "%.2f", m / n }'; }
ns() { awk -v v="$1" 'BEGIN { printf (v < 100 ? "%.1f ns" : "%.0f ns"), v }'; }
us() { awk -v v="$1" 'BEGIN { v /= 1000; printf (v < 100 ? "%.1f µs" : "%.0f µs"), v }'; }
# usr MEDIAN MIN MAX: "M µs (MIN–MAX)"
usr() { awk -v m="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f µs (%.1f–%.1f)", m / 1000, a / 1000, b / 1000 }'; }

ROWS=""
row() { # what native moat ratio
	ROWS="$ROWS| $1 | $2 | $3 | $4 |
"
	printf 'bench: %-58s %22s %22s %6s\n' "$1" "$2" "$3" "$4"
}

# ---- 1. launch -------------------------------------------------------------
echo "bench: launch (hyperfine, 300 runs each)"
hyperfine -N --warmup 20 --runs 300 --style basic \
	--export-json "$B/launch.json" --export-csv "$B/launch.csv" \
	-n moat-run "$MOAT run --libos $B/nop.so" \
	-n pal "$PAL $B/nop.so" \
	-n true-static "$B/true" \
	-n true-nostdlib "$B/true-nostdlib" \
	-n bwrap "bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --ro-bind $BABS $BABS --tmpfs /tmp $BABS/true" >&2
# CSV: command,mean,stddev,median,user,system,min,max (seconds)
median_of() { awk -F, -v c="$1" '$1 == c { printf "%.0f", $4 * 1e9 }' "$B/launch.csv"; }
L_MOAT=$(median_of moat-run)
L_PAL=$(median_of pal)
L_TRUE=$(median_of true-static)
L_TINY=$(median_of true-nostdlib)
L_BWRAP=$(median_of bwrap)
row "launch: \`moat run\` nop.so vs static glibc \`true\`" "$(us "$L_TRUE")" "$(us "$L_MOAT")" "$(ratio "$L_MOAT" "$L_TRUE")"
row "launch: \`pal\` nop.so (no launcher) vs static glibc \`true\`" "$(us "$L_TRUE")" "$(us "$L_PAL")" "$(ratio "$L_PAL" "$L_TRUE")"
row "launch: \`pal\` nop.so vs 9 KB nostdlib \`true\`" "$(us "$L_TINY")" "$(us "$L_PAL")" "$(ratio "$L_PAL" "$L_TINY")"
row "confinement cost: \`moat run\` (sandboxed) vs \`pal\` alone (unconfined)" "$(us "$L_PAL")" "$(us "$L_MOAT")" "$(ratio "$L_MOAT" "$L_PAL")"
row "peer: \`moat run\` nop.so vs bwrap (all namespaces) static \`true\`" "$(us "$L_BWRAP")" "$(us "$L_MOAT")" "$(ratio "$L_MOAT" "$L_BWRAP")"

# ---- 2. single calls ---------------------------------------------------------
echo "bench: single calls (median of 3 runs each)"
N_CLOCK=$(median3 "$B/clock" clock 10000000)
M_CLOCK=$(median3 "$MOAT" run --libos "$B/abicall.so" -- time 10000000)
row "DkSystemTimeQuery(MONOTONIC) vs clock_gettime (10M calls)" "$(ns "$N_CLOCK")" "$(ns "$M_CLOCK")" "$(ratio "$M_CLOCK" "$N_CLOCK")"
N_PID=$(median3 "$B/clock" getpid 2000000)
row "reference: raw getpid system call (2M calls)" "$(ns "$N_PID")" "—" "—"
N_WRITE=$(median3 "$B/clock" write 2000000)
M_NULL=$(median3 "$MOAT" run --libos "$B/abicall.so" -- null 10000000)
row "DkStreamWrite 1 B to null: vs write(2) 1 B to /dev/null" "$(ns "$N_WRITE")" "$(ns "$M_NULL")" "$(ratio "$M_NULL" "$N_WRITE")"
N_YIELD=$(median3 "$B/clock" yield 1000000)
M_YIELD=$(median3 "$MOAT" run --libos "$B/abicall.so" -- yield 1000000)
row "DkThreadYieldExecution vs sched_yield (1M calls)" "$(ns "$N_YIELD")" "$(ns "$M_YIELD")" "$(ratio "$M_YIELD" "$N_YIELD")"

# ---- 3. wake-ups between two threads -----------------------------------------
echo "bench: thread ping-pong, 100k round trips (median of 3 runs each)"
R=100000
set -- $(range3 taskset -c "$CPU" "$B/futex_pingpong" $R); N_PP1=$1 N_PP1R=$(usr "$@")
set -- $(range3 taskset -c "$CPU" "$B/eventfd_pingpong" $R); E_PP1=$1 E_PP1R=$(usr "$@")
set -- $(range3 taskset -c "$CPU" "$MOAT" run --libos "$B/pingpong.so" -- $R); M_PP1=$1 M_PP1R=$(usr "$@")
row "ping-pong round trip, same vCPU: DkObjectsWaitAny+DkEventSet vs futex" "$N_PP1R" "$M_PP1R" "$(ratio "$M_PP1" "$N_PP1")"
row "… same vCPU, vs native eventfd+ppoll (the PAL's mechanism)" "$E_PP1R" "$M_PP1R" "$(ratio "$M_PP1" "$E_PP1")"
set -- $(range3 "$B/futex_pingpong" $R); N_PP2=$1 N_PP2R=$(usr "$@")
set -- $(range3 "$B/eventfd_pingpong" $R); E_PP2=$1 E_PP2R=$(usr "$@")
set -- $(range3 "$MOAT" run --libos "$B/pingpong.so" -- $R); M_PP2=$1 M_PP2R=$(usr "$@")
row "ping-pong round trip, unpinned (2 vCPUs): vs futex" "$N_PP2R" "$M_PP2R" "$(ratio "$M_PP2" "$N_PP2")"
row "… unpinned, vs native eventfd+ppoll" "$E_PP2R" "$M_PP2R" "$(ratio "$M_PP2" "$E_PP2")"

# ---- 4. Linux programs -------------------------------------------------------
# Unmodified static glibc programs (bench/apps/) run natively, under `moat run`
# (every system call trapped: the slow path) and under gVisor's `runsc do`
# when it works here.  They run in $B/apps, which moat mounts read-write;
# each side writes its own data files there (as root, moat's sandbox user is
# "nobody", hence mode 1777).  Counts: BENCH_N (1-byte calls), BENCH_NFS
# (open+close, stat), BENCH_RUNSC_N (every loop under runsc, ~20-150 µs a call).
N4=${BENCH_N:-1000000}
NFS=${BENCH_NFS:-200000}
NRS=${BENCH_RUNSC_N:-20000}
A=$B/apps
mkdir -p "$A"
chmod 1777 "$A"
echo "bench: building the Linux-program drivers into $A/"
for app in getpid getppid read1 openclose stat seqio; do
	$CC -O2 -Wall -static -o "$A/$app" "bench/apps/$app.c"
done
cp "$B/true" "$A/true"
MOATA=$(cd "$BUILD" && pwd)/moat
TOP=$PWD
PY=/usr/bin/python3 # not a pyenv or venv shim found first on PATH
RUNSC=""
if [ "${BENCH_RUNSC:-1}" = 0 ]; then
	RUNSC_WHY="skipped (BENCH_RUNSC=0)"
elif ! command -v runsc >/dev/null; then
	RUNSC_WHY="not installed (Debian package runsc)"
elif ! (cd "$A" && runsc --network=none do -force-overlay=false ./true </dev/null >/dev/null 2>&1); then
	RUNSC_WHY="\`runsc do ./true\` fails here"
else
	# -force-overlay=false: the current directory is the host's, as in moat,
	# not a tmpfs overlay.  stdin from /dev/null and stdout into a pipe: with
	# a terminal or a shared file as stdout, runsc loses or overwrites output.
	RUNSC="runsc --network=none do -force-overlay=false"
	RUNSC_WHY=""
fi
[ -n "$RUNSC" ] && echo "bench: runsc: $(runsc --version 2>/dev/null | head -1)" || echo "bench: runsc: $RUNSC_WHY"

ROWS4=""
row4() { # what native moat ratio runsc runsc-ratio
	ROWS4="$ROWS4| $1 | $2 | $3 | $4 | $5 | $6 |
"
	printf 'bench: %-50s %12s %12s %6s %12s %6s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
# tm NS: a start-up time, in µs below 10 ms, else in ms
tm() { awk -v v="$1" 'BEGIN { v /= 1000; if (v < 10000) printf "%.0f µs", v; else printf "%.1f ms", v / 1000 }'; }
# gbs NS_PER_MIB: "T ms (R GiB/s)" for 256 MiB
gbs() { awk -v v="$1" 'BEGIN { printf "%.0f ms (%.2f GiB/s)", v * 256 / 1e6, 1e9 / (v * 1024) }'; }
# rs FMT NATIVE_VALUE CMD...: the runsc cells as "CELL|RATIO" ("—|—" without runsc)
rs() {
	fmt=$1 nv=$2; shift 2
	if [ -z "$RUNSC" ]; then echo "—|—"; return; fi
	v=$(median3 $RUNSC "$@" </dev/null) || die "runsc failed: $*"
	echo "$($fmt "$v")|$(ratio "$v" "$nv")"
}
cd "$A"
echo "bench: Linux programs: start-up (hyperfine)"
# hf NAME RUNS CMD: the hyperfine median of CMD in ns
hf() {
	name=$1 runs=$2; shift 2
	hyperfine -N --warmup 3 --runs "$runs" --style none \
		--export-csv "$BABS/start-$name.csv" "$*" >/dev/null 2>&1 </dev/null ||
		die "hyperfine failed: $*"
	awk -F, 'NR == 2 { printf "%.0f", $4 * 1e9 }' "$BABS/start-$name.csv"
}
for prog in static dynamic python; do
	case $prog in
	static) cmd="./true" label="start-up: static \`true\`" rn=100 rr=10 ;;
	dynamic) cmd="/usr/bin/true" label="start-up: dynamic \`/usr/bin/true\`" rn=100 rr=10 ;;
	python) cmd="$PY -c pass" label="start-up: \`python3 -c pass\`" rn=30 rr=5 ;;
	esac
	nv=$(hf "native-$prog" "$rn" $cmd)
	mv=$(hf "moat-$prog" "$rn" "$MOATA" run -- $cmd)
	if [ -n "$RUNSC" ]; then
		rv=$(hf "runsc-$prog" "$rr" $RUNSC $cmd)
		rc="$(tm "$rv")|$(ratio "$rv" "$nv")"
	else
		rc="—|—"
	fi
	row4 "$label" "$(tm "$nv")" "$(tm "$mv")" "$(ratio "$mv" "$nv")" "${rc%%|*}" "${rc##*|}"
done

echo "bench: Linux programs: system call loops (median of 3 runs each)"
: >stat.dat
# loop LABEL N RFILE APP [ARG]: runs ./APP [ARG] N natively and in moat, and
# with BENCH_RUNSC_N under runsc; with RFILE, ARG is a per-side data file
# named native-RFILE, moat-RFILE or runsc-RFILE
loop() {
	label=$1 n=$2 rfile=$3; shift 3 # rfile: a per-side file name prefix, or ""
	if [ -n "$rfile" ]; then
		nv=$(median3 ./"$1" "native-$rfile" "$n")
		mv=$(median3 "$MOATA" run -- ./"$1" "moat-$rfile" "$n")
		rc=$(rs ns "$nv" ./"$1" "runsc-$rfile" "$NRS")
	else
		nv=$(median3 ./"$@" "$n")
		mv=$(median3 "$MOATA" run -- ./"$@" "$n")
		rc=$(rs ns "$nv" ./"$@" "$NRS")
	fi
	row4 "$label" "$(ns "$nv")" "$(ns "$mv")" "$(ratio "$mv" "$nv")" "${rc%%|*}" "${rc##*|}"
}
k() { awk -v n="$1" 'BEGIN { if (n >= 1e6 && n % 1e6 == 0) printf "%dM", n / 1e6; else if (n >= 1000 && n % 1000 == 0) printf "%dk", n / 1000; else printf "%d", n }'; }
RL=""
[ -z "$RUNSC" ] || RL=" (runsc: $(k "$NRS"))"
loop "getpid (syscall(SYS_getpid)), $(k "$N4") calls$RL" "$N4" "" getpid
loop "getppid (glibc's wrapper: moat's fast path), $(k "$N4") calls$RL" "$N4" "" getppid
loop "read 1 B from /dev/zero, $(k "$N4") calls$RL" "$N4" "" read1 /dev/zero
loop "read 1 B from a file, $(k "$N4") calls$RL" "$N4" read1.dat read1
loop "open+close of a file, $(k "$NFS") pairs$RL" "$NFS" "" openclose stat.dat
loop "stat of a file, $(k "$NFS") calls$RL" "$NFS" "" stat stat.dat
nv=$(median3 ./seqio write native-seqio.dat)
mv=$(median3 "$MOATA" run -- ./seqio write moat-seqio.dat)
rc=$(rs gbs "$nv" ./seqio write runsc-seqio.dat)
row4 "sequential write of 256 MiB, 1 MiB writes, no fsync" "$(gbs "$nv")" "$(gbs "$mv")" "$(ratio "$mv" "$nv")" "${rc%%|*}" "${rc##*|}"
nv=$(median3 ./seqio read native-seqio.dat)
mv=$(median3 "$MOATA" run -- ./seqio read moat-seqio.dat)
rc=$(rs gbs "$nv" ./seqio read runsc-seqio.dat)
row4 "sequential read of 256 MiB (page cache), 1 MiB reads" "$(gbs "$nv")" "$(gbs "$mv")" "$(ratio "$mv" "$nv")" "${rc%%|*}" "${rc##*|}"
rm -f ./*.dat
cd "$TOP"

# ---- 5. process creation -----------------------------------------------------
# bench/proc.sh (it also runs alone): fork+exit+wait, fork+execve and
# posix_spawn of a static `true`, fork after touching 0/256/1024 MiB, a /bin/sh
# loop of external commands; native, moat, runsc, bwrap.  A side that fails is
# recorded as "n/a: REASON", never as a time.  It writes $B/results-proc.md and
# its part of bench/RESULTS.md (BENCH_RECORD=0: not RESULTS.md).
# BENCH_PROC=0 leaves the section out.
if [ "${BENCH_PROC:-1}" = 0 ]; then
	echo "bench: process creation skipped (BENCH_PROC=0)"
	: >"$B/results-proc.md"
else
	BUILD=$BUILD CC=$CC bench/proc.sh || {
		echo "bench: bench/proc.sh failed; the table follows without section 5" >&2
		echo "Process creation: bench/proc.sh failed (see the console)." >"$B/results-proc.md"
	}
fi

# ---- the table -----------------------------------------------------------------
{
	echo "moat benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
	     "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r)"
	echo
	echo "| what | native | moat | ratio |"
	echo "|---|---|---|---|"
	printf '%s' "$ROWS"
	echo
	echo "Ratio = moat / native (lower is better).  Launch: hyperfine medians of 300 runs;"
	echo "the launcher's own share is $(us $((L_MOAT - L_PAL))) (\`moat run\` minus \`pal\`)."
	echo "Other rows: median of 3 runs; ping-pong rows give (min–max) of the 3.  Unpinned"
	echo "ping-pong depends on where the scheduler puts the two threads (same vCPU: a few µs;"
	echo "different vCPUs: tens of µs), so its runs scatter and its ratios are not stable."
	echo
	echo "Linux programs (bench/apps/, static glibc; dynamic \`true\` and python3 from /usr/bin):"
	echo
	echo "| what | native | moat | ratio | runsc | runsc ratio |"
	echo "|---|---|---|---|---|---|"
	printf '%s' "$ROWS4"
	echo
	echo "Start-up: hyperfine medians (native and moat: 100 runs, python 30; runsc: 10, python 5)."
	echo "Loops: median of 3 runs of the program's own timing, per operation; seqio: the whole"
	echo "256 MiB, open and close included.  runsc: ${RUNSC:-$RUNSC_WHY}."
	if [ -s "$B/results-proc.md" ]; then
		echo
		cat "$B/results-proc.md"
	fi
} > "$B/results.md"
echo
cat "$B/results.md"

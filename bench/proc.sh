#!/bin/sh
# Process creation (issue 5): fork, fork+exec, posix_spawn, fork of a process
# that has touched 0 / 256 MiB / 1 GiB, and a /bin/sh loop of external
# commands; natively, under `moat run`, under gVisor's `runsc do` and under
# bwrap.  Section 5 of bench/run.sh (`make bench`); runs alone too:
#
#   bench/proc.sh               after `make all` (BUILD=dir: another build)
#   BENCH_RECORD=0 bench/proc.sh   the same, without touching bench/RESULTS.md
#
# A side that fails (an exit status other than 0, a signal, a time-out, no
# number) is recorded as "n/a: REASON" with its first lines of stderr under
# the table, never as a time, and the run goes on.  The table goes to
# $BUILD/bench/results-proc.md and, unless BENCH_RECORD=0, replaces the part
# of bench/RESULTS.md between the "bench/proc.sh" markers (appended under a
# new heading the first time).  Ratios are SIDE / native.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CC=${CC:-gcc}
B=$BUILD/bench
A=$B/apps
MOAT=$BUILD/moat
NP=${BENCH_PROC_N:-1000}          # fork, fork+exec, posix_spawn iterations
NP_RUNSC=${BENCH_PROC_RUNSC_N:-100} # the same under runsc (2-5 ms each there)
NSH=${BENCH_SH_N:-1000}           # external commands run by the shell loop
NSH_RUNSC=${BENCH_SH_RUNSC_N:-200}
NPAR=${BENCH_PROC_PAR_N:-20}      # rounds of two posix_spawns side by side
N256=${BENCH_PROC_N256:-50}       # forks of the process that touched 256 MiB
N1G=${BENCH_PROC_N1G:-20}         # ... and 1 GiB
TMO=${BENCH_PROC_TIMEOUT:-30}     # seconds per run before it counts as failed
SLOW=${BENCH_PROC_SLOW:-10}       # a run longer than this: no further rounds
ROUNDS=${BENCH_PROC_ROUNDS:-5}     # rounds per measurement (the median is kept)
START=$(date +%s)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg) # the machine's load when the section starts

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$MOAT" ] || die "$MOAT is missing (run 'make all' or 'make bench')"
mkdir -p "$A"
chmod 1777 "$A" # as root, moat's sandbox user is "nobody"
echo "bench: building the process drivers into $A/"
$CC -O2 -Wall -static -o "$A/proc" bench/apps/proc.c
$CC -O2 -static -nostdlib -o "$A/true-nostdlib" bench/native/true_nostdlib.c
$CC -O2 -Wall -o "$B/walltime" bench/native/walltime.c
cp bench/apps/shloop.sh "$A/shloop.sh"
chmod 755 "$A/shloop.sh"
BABS=$(cd "$B" && pwd)
AABS=$BABS/apps
MOATA=$(cd "$BUILD" && pwd)/moat
WT=$BABS/walltime
LOG=$BABS/proc.log
ERR=$BABS/proc.stderr
: >"$LOG"
TOP=$PWD
cd "$A"

# The peers.  runsc as in section 4 of run.sh; bwrap as in section 1, with
# the drivers' directory bound read-write and /bin etc. as links into /usr.
RUNSC=""
if [ "${BENCH_RUNSC:-1}" = 0 ]; then
	RUNSC_WHY="skipped (BENCH_RUNSC=0)"
elif ! command -v runsc >/dev/null; then
	RUNSC_WHY="not installed (Debian package runsc)"
elif ! runsc --network=none do -force-overlay=false ./true-nostdlib </dev/null >/dev/null 2>&1; then
	RUNSC_WHY="\`runsc do\` fails here"
else
	RUNSC="runsc --network=none do -force-overlay=false"
	RUNSC_WHY=""
fi
BW="bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --symlink usr/bin /bin
 --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev --tmpfs /tmp
 --bind $AABS $AABS --chdir $AABS"
if ! command -v bwrap >/dev/null; then
	BW="" BW_WHY="not installed (Debian package bubblewrap)"
elif ! $BW ./true-nostdlib </dev/null >/dev/null 2>&1; then
	BW="" BW_WHY="\`bwrap\` fails here"
fi
SIDES="native moat"
[ -z "$RUNSC" ] || SIDES="$SIDES runsc"
[ -z "$BW" ] || SIDES="$SIDES bwrap"
echo "bench: process creation: $SIDES (runsc: ${RUNSC:+$(runsc --version 2>/dev/null | head -1)}${RUNSC_WHY})"

# prefix SIDE: PRE = the command prefix that runs a program on SIDE
prefix() {
	case $1 in
	native) PRE="" ;;
	moat) PRE="$MOATA run --" ;;
	runsc) PRE="$RUNSC" ;;
	bwrap) PRE="$BW" ;;
	esac
}

NOTES=""
# why STATUS: the words for a failed run's exit status
why() {
	case $1 in
	124) echo "timed out after $TMO s" ;;
	*) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exits $1"; fi ;;
	esac
}
# run1 SIDE WHAT CMD...: runs CMD once (stdin /dev/null, stdout a pipe as
# runsc needs) under `timeout`; CMD prints "NAME NUMBER".  Sets V to the
# NUMBER and SLOWRUN to 1 if the run took SLOW seconds or more; or, when
# it fails, V to "fail:REASON", adding "SIDE|REASON|STDERR|WHAT" to NOTES
# (STDERR: its first two lines, without "|" and backquotes).  Never exits
# the script.
run1() {
	side=$1 what=$2
	shift 2
	t0=$(date +%s)
	out=$(rc=0; timeout -k 5 "$TMO" "$@" </dev/null 2>"$ERR" || rc=$?; echo "exit-status $rc")
	t1=$(date +%s)
	{ echo "== $side: $*"; printf '%s\n' "$out"; cat "$ERR"; } >>"$LOG"
	rc=$(printf '%s\n' "$out" | awk '$1 == "exit-status" { r = $2 } END { print r }')
	V=$(printf '%s\n' "$out" | awk 'NF == 2 && $1 != "exit-status" { v = $2 } END { print v }')
	SLOWRUN=0
	[ $((t1 - t0)) -lt "$SLOW" ] || SLOWRUN=1
	reason=""
	if [ "$rc" != 0 ]; then
		reason=$(why "$rc")
	elif [ -z "$V" ]; then
		reason="no result"
	fi
	if [ -n "$reason" ]; then
		V="fail:$reason"
		msg=$(grep -v '^ *$' "$ERR" | head -2 | tr '`|' "'/" | awk '{ printf "%s%s", (NR > 1 ? " / " : ""), $0 }') || msg="(stderr unreadable)"
		NOTES="$NOTES$side|$reason|$msg|$what
"
		echo "bench:   $side failed ($reason): ${msg:-no stderr}" >&2
	fi
}

# median LIST: the median of newline-separated numbers
median() { printf '%s' "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# rounds3 KEY WHAT FN: ROUNDS rounds, each running FN SIDE once for every
# side in turn (so native and moat run close together in time, and a
# machine whose speed drifts treats them alike).  FN sets V like run1.  A
# side that fails is out of the later rounds, with its failure as result;
# a side whose run took SLOW seconds or more runs no more rounds.  Sets
# V_side to the median and RN_side to the runs made (0 after a failure).
rounds3() {
	for s in $SIDES; do eval "VALS_$s='' RN_$s=0 STOP_$s=''"; done
	for round in $(seq "$ROUNDS"); do
		for s in $SIDES; do
			eval "stop=\$STOP_$s"
			[ -z "$stop" ] || continue
			"$3" "$s"
			case $V in
			fail:*) eval "STOP_$s=\$V RN_$s=0"; continue ;;
			esac
			eval "VALS_$s=\"\$VALS_$s\$V
\" RN_$s=\$((RN_$s + 1))"
			[ "$SLOWRUN" = 0 ] || eval "STOP_$s=slow"
		done
	done
	for s in $SIDES; do
		eval "stop=\$STOP_$s vals=\$VALS_$s"
		case $stop in
		fail:*) eval "V_$s=\$stop" ;;
		*) eval "V_$s=\$(median \"\$vals\")" ;;
		esac
		eval "$1_$s=\$V_$s"
	done
}

# t NS: a time per operation, in ns, µs or ms
t() { awk -v v="$1" 'BEGIN { a = v < 0 ? -v : v; if (a < 1000) printf "%.0f ns", v; else if (a < 1e5) printf "%.1f µs", v / 1e3; else if (a < 1e7) printf "%.0f µs", v / 1e3; else printf "%.1f ms", v / 1e6 }'; }
# cell R RN: the cell of a result
cell() {
	case $1 in
	fail:*) echo "n/a: ${1#fail:}" ;;
	*) if [ "$2" -lt "$ROUNDS" ]; then echo "$(t "$1") ($2 run$([ "$2" = 1 ] || echo s))"; else t "$1"; fi ;;
	esac
}
# rat R RNATIVE: R / native, or "—" when either failed
rat() {
	case "$1$2" in
	*fail:*) echo "—" ;;
	*) awk -v m="$1" -v n="$2" 'BEGIN { printf "%.2f", m / n }' ;;
	esac
}

ROWS5=""
# row5 LABEL: a table row from V_side and RN_side of every side
row5() {
	line="| $1 | $(cell "$V_native" "$RN_native")"
	for s in moat runsc bwrap; do
		case " $SIDES " in
		*" $s "*) eval "v=\$V_$s rn=\$RN_$s"; line="$line | $(cell "$v" "$rn") | $(rat "$v" "$V_native")" ;;
		*) line="$line | — | —" ;;
		esac
	done
	ROWS5="$ROWS5$line |
"
	echo "bench: $line |"
}
# count SIDE N NRUNSC: N, or NRUNSC under runsc
count() { if [ "$1" = runsc ]; then echo "$3"; else echo "$2"; fi; }
k() { awk -v n="$1" 'BEGIN { if (n >= 1000 && n % 1000 == 0) printf "%dk", n / 1000; else printf "%d", n }'; }

# loop5 KEY LABEL N NRUNSC ARG...: runs ./proc ARG... on every side, with
# the argument "@N" replaced by the count; keeps the results as KEY_side
proc_once() {
	prefix "$1"
	c=$(count "$1" "$L5_N" "$L5_NR")
	args=""
	for a in $L5_ARGS; do [ "$a" = @N ] && a=$c; args="$args $a"; done
	run1 "$1" "$L5_LABEL" $PRE ./proc $args
}
loop5() {
	key=$1 L5_LABEL=$2 L5_N=$3 L5_NR=$4
	shift 4
	L5_ARGS="$*"
	rounds3 "$key" "$L5_LABEL" proc_once
	rl=""
	[ -z "$RUNSC" ] || [ "$L5_N" = "$L5_NR" ] || rl=" (runsc: $(k "$L5_NR"))"
	row5 "$L5_LABEL, $(k "$L5_N") iterations$rl"
}

echo "bench: process creation (median of $ROUNDS rounds, the sides in turn in each; a failing side is recorded as n/a)"
loop5 F0 "fork+exit+wait" "$NP" "$NP_RUNSC" fork @N 0
loop5 EX "fork+execve of the 9 KB static nostdlib \`true\`+wait" "$NP" "$NP_RUNSC" exec ./true-nostdlib @N
loop5 SP "posix_spawn of the same \`true\`+wait" "$NP" "$NP_RUNSC" spawn ./true-nostdlib @N
loop5 SPP "2 posix_spawns side by side of \`proc spin 20\` (20 ms of work each)+wait, per round" "$NPAR" "$NPAR" spawnpar 2 @N ./proc spin 20
loop5 F256 "fork+exit+wait after touching 256 MiB" "$N256" "$N256" fork @N 256
loop5 F1G "fork+exit+wait after touching 1 GiB" "$N1G" "$N1G" fork @N 1024
# the growth: the 1 GiB row minus the 0 MiB row
for s in $SIDES; do
	eval "a=\$F1G_$s b=\$F0_$s"
	case $a in
	fail:*) v=$a ;;
	*) case $b in fail:*) v=$b ;; *) v=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", a - b }') ;; esac ;;
	esac
	eval "V_$s=\$v RN_$s=$ROUNDS"
done
row5 "… growth from 0 to 1 GiB touched (the 1 GiB row minus the 0 MiB row)"

# The shell loop: `sh shloop.sh N` and `sh shloop.sh 0`, both timed from
# outside with walltime (so the sandbox's start-up is in both and cancels);
# one round runs both, on each side in turn.
sh_once() {
	prefix "$1"
	c=$(count "$1" "$NSH" "$NSH_RUNSC")
	run1 "$1" "sh loop of $c commands" "$WT" $PRE /bin/sh ./shloop.sh "$c"
	case $V in fail:*) return ;; esac
	a=$V slow=$SLOWRUN
	run1 "$1" "sh loop of 0 commands" "$WT" $PRE /bin/sh ./shloop.sh 0
	case $V in fail:*) return ;; esac
	V=$(awk -v a="$a" -v b="$V" -v n="$c" 'BEGIN { printf "%.0f", (a - b) / n }')
	SLOWRUN=$slow
}
rounds3 SH "sh loop" sh_once
rl=""
[ -z "$RUNSC" ] || [ "$NSH" = "$NSH_RUNSC" ] || rl=" (runsc: $(k "$NSH_RUNSC"))"
row5 "/bin/sh loop running $(k "$NSH") external \`/bin/true\`$rl, per command"
cd "$TOP"

TOOK=$(($(date +%s) - START))
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# (the results file itself, which an earlier run may have rewritten, does not count)
[ -z "$(git status --porcelain --untracked-files=no -- . ':!bench/RESULTS.md' 2>/dev/null)" ] ||
	COMMIT="$COMMIT plus uncommitted changes"
{
	echo "Process creation, $(date -u '+%Y-%m-%d %H:%M UTC'), moat at $COMMIT; $(nproc) CPUs," \
	     "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r);" \
	     "load average $LOAD at the start; this section took $TOOK s."
	echo
	echo "| what | native | moat | ratio | runsc | runsc ratio | bwrap | bwrap ratio |"
	echo "|---|---|---|---|---|---|---|---|"
	printf '%s' "$ROWS5"
	echo
	echo "Ratio = side / native.  Static glibc drivers (bench/apps/proc.c, shloop.sh); per iteration,"
	echo "median of $ROUNDS rounds, each running every side once in turn (fewer when a run took ${SLOW} s"
	echo "or more, as marked); a loop also stops"
	echo "after 3 s of iterations.  The fork rows touch the memory (malloc + memset) before the"
	echo "timing; moat's default limits (8 GiB of address space, 256 processes) allow it.  The shell"
	echo "row is (time of \`sh shloop.sh N\` - time of \`sh shloop.sh 0\`) / N, both timed from outside."
	echo "runsc: ${RUNSC:-$RUNSC_WHY}.  bwrap: ${BW:+--unshare-all, the drivers' directory bound}${BW_WHY:-}."
	if [ -n "$NOTES" ]; then
		echo
		echo "Failures (\"n/a\"; first lines of stderr; all output in $B/proc.log):"
		echo
		# one line per side, reason and message, naming its rows
		printf '%s' "$NOTES" | awk -F'|' '
			{ k = $1 FS $2 FS $3; if (!(k in w)) { o[++n] = k; w[k] = $4 } else w[k] = w[k] "; " $4 }
			END { for (i = 1; i <= n; i++) { split(o[i], p, "|")
				printf "- %s, %s: %s%s\n", p[1], w[o[i]], p[2], (p[3] != "" ? ": `" p[3] "`" : "") } }'
	fi
} >"$B/results-proc.md"

if [ "${BENCH_RECORD:-1}" != 0 ]; then
	BEGIN="<!-- bench/proc.sh: begin; the harness replaces everything up to the end marker -->"
	END="<!-- bench/proc.sh: end -->"
	R=bench/RESULTS.md
	if grep -qF "$BEGIN" "$R" && grep -qF "$END" "$R"; then
		awk -v b="$BEGIN" -v e="$END" -v f="$B/results-proc.md" '
			$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0 }
			!skip' "$R" >"$R.new"
	else
		{
			cat "$R"
			echo
			echo "## Process creation (issue 5)"
			echo
			echo "Written by bench/proc.sh (section 5 of \`make bench\`) at every run; what each row"
			echo "measures is in README.md."
			echo
			echo "$BEGIN"
			cat "$B/results-proc.md"
			echo "$END"
		} >"$R.new"
	fi
	mv "$R.new" "$R"
	echo "bench: process creation table written to $B/results-proc.md and $R"
else
	echo "bench: process creation table written to $B/results-proc.md"
fi

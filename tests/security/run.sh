#!/bin/sh
# Escape tests: each attempt runs in its own picoprocess and must be denied,
# and the host is checked afterwards.
#
# tests/security/escape.c is a hostile library OS image; `ATTEMPT` as its
# first argument picks what it tries (it lists them with `list`).  For each
# attempt this script runs
#     cd SCRATCH && timeout 20 moat run [-m MANIFEST] --libos escape.so -- ATTEMPT KEY=VALUE...
# from a fresh scratch directory (the default manifest grants the current
# directory read-write, /usr and /etc read-only) and prints
#     PASS: security.<attempt>   or   FAIL: security.<attempt>: why
# An attempt passes when ALL of these hold:
#   - the image printed "DENIED <attempt>: ..." and exited 0 (bombs: stopped
#     at the manifest's limit; cpu_bomb: killed by SIGXCPU/SIGKILL within
#     10 s; int80: may instead be killed by SIGSYS; channel_garbage and
#     kill_pgrp: may instead be killed by SIGKILL/SIGTERM);
#   - nothing changed on the host: the canary directory outside every grant
#     (listing, and the secret file's atime, mtime and ctime: the atime is
#     set older than the mtime, so a read would move it), /etc/passwd and
#     /etc/shadow, the PAL and the image, the host name, and no file named
#     moat-pwned* in /, /tmp, /var/tmp, /usr, /etc or $HOME;
#   - the host listener (TCP and UDP on one port over IPv4 and IPv6, an
#     abstract and a path unix socket) saw no connection or datagram;
#   - the host victim (a sleep) and a second sandbox (another moat running
#     the image in mode sleep) are alive, not stopped and not traced;
#   - moat exited on its own (no timeout, no sanitizer report, no core) and
#     left no picoprocess behind;
#   - bombs: `sh -c true` on the host took under 2 s while the bomb ran.
# Before any attempt, the image's "confined" mode must report seccomp,
# no_new_privs and a pid namespace; otherwise nothing hostile is run on
# this host.
#
# Usage: tests/security/run.sh [BUILD_DIR] [ATTEMPT...]   (default: build, all)
set -u
cd "$(dirname "$0")/../.." || exit 2
TOP=$(pwd)
BUILD=${1:-${BUILD:-build}}
[ $# -gt 0 ] && shift
ONLY="$*"
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "FAIL: security.build: no $1"; exit 1; }
MOAT=${MOAT:-$BUILD/moat}
case $MOAT in /*) ;; *) MOAT=$TOP/$MOAT ;; esac
PAL=$BUILD/pal
IMAGE=$BUILD/tests/escape.so
SEC=$TOP/tests/security
CC=${CC:-gcc}

npass=0
nfail=0
pass() { echo "PASS: security.$1"; npass=$((npass + 1)); }
fail() { echo "FAIL: security.$1: $2"; nfail=$((nfail + 1)); }

# ---- the image ----------------------------------------------------------------
mkdir -p "$BUILD/tests"
if [ ! -f "$IMAGE" ] || [ "$SEC/escape.c" -nt "$IMAGE" ] || [ "$TOP/include/moat/dk.h" -nt "$IMAGE" ]; then
	if ! $CC -std=gnu11 -Wall -Wextra -Werror -O2 -shared -nostdlib -fPIC -ffreestanding \
		-fno-stack-protector -fvisibility=hidden -fno-tree-loop-distribute-patterns -fno-plt \
		-Iinclude -Wl,-z,defs -Wl,-Bsymbolic -Wl,-z,noexecstack -Wl,-z,now \
		-o "$IMAGE" "$SEC/escape.c" lib/rt/*.c -lgcc; then
		fail build "cannot build $IMAGE"
		exit 1
	fi
fi
if [ ! -x "$MOAT" ] || [ ! -x "$PAL" ]; then
	fail build "$MOAT or $PAL missing (run make first)"
	exit 1
fi

# ---- host fixtures --------------------------------------------------------------
RUN=$(mktemp -d /var/tmp/moat-sec-run.XXXXXX) || exit 2
SECRET=$(mktemp -d /var/tmp/moat-secret.XXXXXX) || exit 2
LISTENER=
VICTIM=
VICTIM2=
cleanup() {
	for p in $LISTENER $VICTIM $VICTIM2; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$RUN" "$SECRET"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

echo "moat-secret-$$-$(date +%s%N)" >"$SECRET/secret"
chmod 600 "$SECRET/secret"
touch -a -d '2001-01-01 00:00:00' "$SECRET/secret" # a read would move the atime (relatime)

: >"$RUN/listener.log"
python3 "$SEC/listener.py" "$RUN/listener.log" "$SECRET" "$RUN/port" 2>"$RUN/listener.err" &
LISTENER=$!
i=0
while [ ! -s "$RUN/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$RUN/port" 2>/dev/null)
if [ -z "$PORT" ]; then
	fail setup "the host listener did not start: $(head -c 300 "$RUN/listener.err")"
	exit 1
fi
HOSTIP=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | head -n 1)
[ -n "$HOSTIP" ] || HOSTIP=127.0.0.1

sleep 1000 </dev/null >/dev/null 2>&1 &
VICTIM=$!
mkdir -p "$RUN/victim2"
(cd "$RUN/victim2" && exec "$MOAT" run --libos "$IMAGE" -- sleep "victim2-$$") \
	</dev/null >"$RUN/victim2.out" 2>&1 &
VICTIM2=$!
sleep 0.3

COMMON="secret=$SECRET port=$PORT victim=$VICTIM victim2=$VICTIM2 hostip=$HOSTIP"

# Everything on the host an escape could change, with no read of the secret.
host_state() {
	ls -lA --time-style=full-iso "$SECRET" 2>&1
	stat -c "%n %a %Y %Z" "$SECRET" 2>&1
	stat -c '%n %a %u %g %s %X %Y %Z' "$SECRET/secret" 2>&1
	stat -c '%n %a %u %g %s %Y %Z' /etc/passwd /etc/shadow /etc/hostname "$PAL" "$IMAGE" 2>&1
	md5sum /etc/passwd /etc/shadow "$PAL" "$IMAGE" 2>&1
	hostname
	ls -d /moat-pwned* /tmp/moat-pwned* /var/tmp/moat-pwned* /usr/moat-pwned* \
		/etc/moat-pwned* "$HOME"/moat-pwned* 2>/dev/null
}

proc_ok() { # PID NAME: alive, not stopped, not traced
	if ! kill -0 "$1" 2>/dev/null; then
		echo "$2 (pid $1) is gone"
		return 1
	fi
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	tr=$(awk '/^TracerPid:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	case $st in
	T | t | Z | X)
		echo "$2 (pid $1) is in state $st"
		return 1
		;;
	esac
	if [ -n "$tr" ] && [ "$tr" != 0 ]; then
		echo "$2 (pid $1) is traced by $tr"
		return 1
	fi
	return 0
}

BASE_STATE=$(host_state)

# ---- safety first: is this moat confining at all? ----------------------------------
mkdir -p "$RUN/probe"
(cd "$RUN/probe" && timeout 20 "$MOAT" run --libos "$IMAGE" -- confined $COMMON) \
	</dev/null >"$RUN/confined.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q '^CONFINED ' "$RUN/confined.out"; then
	fail confinement "moat does not confine (status $rc): $(head -c 400 "$RUN/confined.out" | tr '\n' ' '); no attempt was run"
	echo "security: $npass passed, $nfail failed"
	exit 1
fi
pass confinement

# ---- the attempts ------------------------------------------------------------------
if ! (cd "$RUN/probe" && timeout 20 "$MOAT" run --libos "$IMAGE" -- list) </dev/null \
	>"$RUN/list" 2>&1; then
	fail list "the image cannot list its attempts: $(head -c 300 "$RUN/list" | tr '\n' ' ')"
	exit 1
fi
ATTEMPTS=$(grep -E '^[a-z0-9_]+$' "$RUN/list")
n=$(echo "$ATTEMPTS" | grep -c .)
if [ "$n" -lt 40 ]; then
	fail count "only $n attempts (want at least 40)"
fi

# The manifest for an attempt (bombs), or nothing.
manifest_for() {
	case $1 in
	fork_bomb | thread_bomb | memory_bomb | fd_bomb | cpu_bomb) echo "$SEC/$1.conf" ;;
	*) echo "" ;;
	esac
}
limit_for() {
	case $1 in
	fork_bomb) echo 8 ;;
	thread_bomb) echo 64 ;;
	memory_bomb) echo 256 ;;
	fd_bomb) echo 64 ;;
	*) echo "" ;;
	esac
}

attempt() {
	name=$1
	scratch=$(mktemp -d "$RUN/scratch.XXXXXX")
	man=$(manifest_for "$name")
	lim=$(limit_for "$name")
	set -- run
	[ -n "$man" ] && set -- "$@" -m "$man"
	set -- "$@" --libos "$IMAGE" -- "$name" $COMMON
	[ -n "$lim" ] && set -- "$@" "limit=$lim"
	out=$RUN/$name.out
	err=$RUN/$name.err
	: >"$RUN/listener.log"
	t0=$(date +%s%N)
	slow=""
	case $name in
	kill_pgrp)
		# moat and a host process share one process group; kill(0) from the
		# picoprocess must not reach it.
		rm -f "$RUN/pgvictim"
		setsid sh -c 'sleep 1000 </dev/null >/dev/null 2>&1 & echo $! >"$1"; cd "$2" || exit 2; shift 2; exec timeout --foreground -k 5 20 "$@"' \
			sh "$RUN/pgvictim" "$scratch" "$MOAT" "$@" </dev/null >"$out" 2>"$err"
		rc=$?
		;;
	tiocsti)
		# a terminal on stdin, so TIOCSTI has something to inject into
		if command -v script >/dev/null 2>&1; then
			cmd="cd '$scratch' && timeout -k 5 20 '$MOAT'"
			for a in "$@"; do cmd="$cmd '$a'"; done
			script -qefc "$cmd" /dev/null </dev/null >"$out.raw" 2>"$err"
			rc=$?
			tr -d '\r' <"$out.raw" >"$out"
		else
			(cd "$scratch" && timeout -k 5 20 "$MOAT" "$@") </dev/null >"$out" 2>"$err"
			rc=$?
		fi
		;;
	*_bomb)
		(cd "$scratch" && exec timeout -k 5 20 "$MOAT" "$@") </dev/null >"$out" 2>"$err" &
		bpid=$!
		sleep 1
		s0=$(date +%s%N)
		timeout 10 sh -c true
		s1=$(date +%s%N)
		ms=$(((s1 - s0) / 1000000))
		[ $ms -ge 2000 ] && slow="the host took $ms ms to run 'sh -c true' during the bomb"
		wait $bpid
		rc=$?
		;;
	*)
		(cd "$scratch" && exec timeout -k 5 20 "$MOAT" "$@") </dev/null >"$out" 2>"$err"
		rc=$?
		;;
	esac
	t1=$(date +%s%N)
	secs=$(((t1 - t0) / 1000000000))
	line=$(grep -E "^(DENIED|ESCAPED) " "$out" | head -n 1)
	why=""

	# -- the verdict of the image, and how the picoprocess ended
	case $name:$rc in
	cpu_bomb:137 | cpu_bomb:152)
		[ $secs -le 10 ] || why="stopped only after $secs s"
		;;
	cpu_bomb:*)
		why="not stopped by the CPU limit (status $rc after $secs s): $line"
		;;
	int80:159 | int80:137 | channel_garbage:137 | kill_pgrp:137 | kill_pgrp:143)
		case $line in ESCAPED*) why="$line" ;; esac
		;;
	*:0)
		case $line in
		"DENIED $name: "*) ;;
		*) why="status 0 but no DENIED line: $(head -c 300 "$out" | tr '\n' ' ')" ;;
		esac
		;;
	*:124 | *:137)
		why="timed out or killed (status $rc after $secs s): $(head -c 300 "$out" | tr '\n' ' ')"
		;;
	*)
		if [ -n "$line" ]; then
			why="$line"
		else
			why="status $rc, no verdict: $(head -c 200 "$out" "$err" | tr '\n' ' ')"
		fi
		;;
	esac

	# -- the host
	now=$(host_state)
	if [ "$now" != "$BASE_STATE" ]; then
		d=$(printf '%s\n' "$BASE_STATE" >"$RUN/s0"; printf '%s\n' "$now" >"$RUN/s1"
			diff "$RUN/s0" "$RUN/s1" | grep '^[<>]' | head -n 4 | tr '\n' ' ')
		why="${why:+$why; }host state changed: $d"
		BASE_STATE=$now
	fi
	sleep 0.1
	if [ -s "$RUN/listener.log" ]; then
		why="${why:+$why; }the host listener saw: $(head -c 300 "$RUN/listener.log" | tr '\n' ' ')"
	fi
	m=$(proc_ok "$VICTIM" "host victim") || why="${why:+$why; }$m"
	m=$(proc_ok "$VICTIM2" "the other sandbox's moat") || why="${why:+$why; }$m"
	if [ "$name" = kill_pgrp ]; then
		pg=$(cat "$RUN/pgvictim" 2>/dev/null)
		if [ -z "$pg" ]; then
			why="${why:+$why; }no process-group victim was started"
		else
			m=$(proc_ok "$pg" "host process in moat's process group") ||
				why="${why:+$why; }$m (kill(0) crossed the pid namespace)"
			kill -KILL "$pg" 2>/dev/null
		fi
	fi
	if grep -Eq 'AddressSanitizer|runtime error:|LeakSanitizer' "$err" "$out"; then
		why="${why:+$why; }sanitizer report: $(grep -Eh 'AddressSanitizer|runtime error:|LeakSanitizer' "$err" "$out" | head -n 1)"
	fi
	if ls "$scratch"/core* >/dev/null 2>&1; then
		why="${why:+$why; }core dump in the scratch directory"
	fi
	left=$(pgrep -f "secret=$SECRET" 2>/dev/null | tr '\n' ' ')
	if [ -n "$left" ]; then
		sleep 1
		left=$(pgrep -f "secret=$SECRET" 2>/dev/null | tr '\n' ' ')
		if [ -n "$left" ]; then
			why="${why:+$why; }processes left behind: $left"
			for p in $left; do kill -KILL "$p" 2>/dev/null; done
		fi
	fi
	[ -n "$slow" ] && why="${why:+$why; }$slow"

	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
	[ -n "${VERBOSE:-}" ] && echo "   (status $rc, $secs s) $line $(grep -v "^$" "$err" | head -n 2 | tr "\n" " ")"
	rm -rf "$scratch"
}

for a in $ATTEMPTS; do
	if [ -n "$ONLY" ]; then
		case " $ONLY " in *" $a "*) ;; *) continue ;; esac
	fi
	attempt "$a"
done

# ---- after everything ------------------------------------------------------------------
if m=$(proc_ok "$VICTIM2" "the other sandbox's moat"); then
	pass monitor_alive
else
	fail monitor_alive "$m"
fi
kill -TERM "$VICTIM2" 2>/dev/null
i=0
while kill -0 "$VICTIM2" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
left=$(pgrep -f "$IMAGE" 2>/dev/null | tr '\n' ' ')
left2=$(pgrep -f "secret=$SECRET|victim2-$$" 2>/dev/null | tr '\n' ' ')
if [ -n "$left2" ]; then
	fail nothing_left "processes left behind: $left2 ($(ps -o pid=,args= -p $(echo $left2 | tr ' ' ',') 2>/dev/null | tr '\n' ' '))"
else
	pass nothing_left
fi
[ -n "$left" ] && echo "# note: other processes mention $IMAGE: $left"
pw=$(timeout 60 find / -xdev -name 'moat-pwned*' 2>/dev/null | head -n 5 | tr '\n' ' ')
if [ -n "$pw" ]; then
	fail host_files "found on the host: $pw"
else
	pass host_files
fi

echo "security: $npass passed, $nfail failed"
[ $nfail -eq 0 ]

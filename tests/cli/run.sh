#!/bin/sh
# The command-line tool: default run, exit status, and bad library OS
# images refused with one clear line and nothing left running.  Runs with
# the normal build and with the AddressSanitizer/UBSan build of moat.
. tests/lib.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

timeout 10 build/moat run -- /usr/bin/echo hello there > "$tmp/stdout" 2> "$tmp/stderr"
if [ "$(cat "$tmp/stdout")" = "hello there" ]; then pass run.default_image
else fail run.default_image "stdout: $(head -c 300 "$tmp/stdout"); stderr: $(head -c 300 "$tmp/stderr")"; fi
timeout 10 build/moat run --libos build/tests/pal_conformance.so -- child-exit 42 >/dev/null 2>&1
check run.exit_status test $? -eq 42

# The PAL copies its arguments and environment off the host's stack, which
# it then unmaps: a 100 KB variable (past the 16 KiB it keeps in .bss) and
# 3,000 arguments reach the program and its forked child intact.
big=$(head -c 100000 /dev/zero | tr '\0' x)
BIGVAR=$big timeout 20 build/moat run -- /bin/sh -c \
	'echo ${#BIGVAR}; sh -c "echo \${#BIGVAR} \${BIGVAR%%xxxx*}."' > "$tmp/stdout" 2>&1
check run.big_environment test "$(tr '\n' ' ' < "$tmp/stdout")" = "100000 100000 . "
timeout 20 build/moat run -- /bin/sh -c 'echo $# ${1} ${3000}' sh $(seq 3000) > "$tmp/stdout" 2>&1
check run.many_arguments test "$(cat "$tmp/stdout")" = "3000 1 3000"

# A child of a parent that waits for it starts on the parent's CPU (the
# PAL pins the thread for the clone): the child has its CPU mask back at
# once, the parent once its wait has returned.  NAME PROG ARG...: PROG
# makes one child that sleeps 1 s, waits for it, then sleeps 2 s itself.
want=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
mask_of() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null; }
cpu_masks() {
	cm_name=$1
	shift
	timeout 20 build/moat run -- "$@" > "$tmp/stdout" 2>&1 &
	child_mask="" parent_mask=""
	for i in $(seq 60); do
		sleep 0.1
		pids=$(pgrep -x pal | tr '\n' ' ')
		case $(echo $pids | wc -w) in
		2) [ -n "$child_mask" ] || { sleep 0.2; child_mask=$(mask_of "$(pgrep -n -x pal)"); } ;;
		1) [ -z "$child_mask" ] || { parent_mask=$(mask_of $pids); break; } ;;
		esac
	done
	wait
	check run.${cm_name}_cpu_mask_child test "$child_mask" = "$want"
	check run.${cm_name}_cpu_mask_parent test "$parent_mask" = "$want"
}
cpu_masks spawn /usr/bin/python3 -c 'import os, time
pid = os.posix_spawn("/bin/sleep", ["sleep", "1"], os.environ)
os.waitpid(pid, 0)
time.sleep(2)'
cpu_masks fork /bin/sh -c '/bin/sleep 1; exec /bin/sleep 2'
# A mask set from outside while the parent is pinned (taskset) is kept
# when its wait returns.
timeout 20 build/moat run -- /usr/bin/python3 -c 'import os, time
pid = os.posix_spawn("/bin/sleep", ["sleep", "1"], os.environ)
os.waitpid(pid, 0)
time.sleep(2)' > "$tmp/stdout" 2>&1 &
set_mask="" kept=""
for i in $(seq 60); do
	sleep 0.1
	[ "$(pgrep -x pal | wc -l)" -ge 2 ] || continue
	parent=$(pgrep -o -x pal)
	pinned=$(mask_of "$parent")
	set_mask=$(awk -v p="$pinned" -v all="$want" 'BEGIN {
		n = split(all, r, ","); for (i = 1; i <= n; i++) {
			k = split(r[i], ab, "-"); lo = ab[1]; hi = (k > 1) ? ab[2] : ab[1]
			for (c = lo; c <= hi; c++) if (c != p) { print c; exit } }
		print p }')
	taskset -p -c "$set_mask" "$parent" > /dev/null 2>&1 || set_mask="taskset failed"
	sleep 1.5 # the child has ended and the parent's wait has returned
	kept=$(mask_of "$parent")
	break
done
wait
check run.outside_cpu_mask_kept test "$kept" = "$set_mask"

# ... and a program exec'd right after a fork, before any wait, starts
# with the whole mask too.
timeout 20 build/moat run -- /bin/sh -c '/bin/true & exec /bin/sleep 2' > "$tmp/stdout" 2>&1 &
sleep 1
check run.exec_after_fork_cpu_mask test "$(mask_of "$(pgrep -n -x pal)")" = "$want"
wait

# The bad images.
printf 'this is not an ELF file\n' > "$tmp/not-elf.so"
head -c 2000 build/libos.so > "$tmp/truncated.so"
printf 'int not_the_entry(void) { return 0; }\n' > "$tmp/noentry.c"
gcc -shared -nostdlib -fPIC -o "$tmp/noentry.so" "$tmp/noentry.c"
printf 'int LibOsInitialize(void) { extern int elsewhere(void); return elsewhere(); }\n' > "$tmp/undef.c"
gcc -shared -nostdlib -fPIC -o "$tmp/undef.so" "$tmp/undef.c"
gcc -c -o "$tmp/object.o" "$tmp/noentry.c"
: > "$tmp/empty.so"

bad_image() { # NAME FILE EXPECTED-WHY MOAT
	name=$1 file=$2 why=$3 moat=$4
	timeout 10 env MOAT_PAL=build/pal "$moat" run --libos "$file" > "$tmp/stdout" 2> "$tmp/stderr"
	rc=$?
	lines=$(wc -l < "$tmp/stderr")
	left=$(pgrep -f "$file" | wc -l)
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
		fail "$name" "exit status $rc"
	elif [ "$lines" -ne 1 ] || ! grep -q "^moat: $file: $why" "$tmp/stderr"; then
		fail "$name" "stderr was: $(cat "$tmp/stderr")"
	elif [ "$left" -ne 0 ]; then
		fail "$name" "$left processes left running"
	else
		pass "$name"
	fi
}
for moat in build/moat build/asan/moat; do
	v=$(basename "$(dirname "$moat")")
	bad_image "bad_image.$v.not_elf" "$tmp/not-elf.so" "not an ELF file" "$moat"
	bad_image "bad_image.$v.truncated" "$tmp/truncated.so" "truncated" "$moat"
	bad_image "bad_image.$v.empty" "$tmp/empty.so" "not an ELF file" "$moat"
	bad_image "bad_image.$v.no_entry" "$tmp/noentry.so" "no LibOsInitialize symbol" "$moat"
	bad_image "bad_image.$v.undefined_symbol" "$tmp/undef.so" "undefined symbol" "$moat"
	bad_image "bad_image.$v.relocatable_object" "$tmp/object.o" "not an executable or shared object" "$moat"
	bad_image "bad_image.$v.missing" "$tmp/missing.so" "cannot open the library OS image" "$moat"
done

# Usage errors are one line too.
build/asan/moat frobnicate > /dev/null 2> "$tmp/stderr"
check cli.unknown_command sh -c "test $? -eq 2 && grep -q '^moat: frobnicate: unknown command' $tmp/stderr"
MOAT_PAL=build/pal MOAT_LIBOS=build/libos.so timeout 10 build/asan/moat run -- /usr/bin/echo asan says hi > "$tmp/stdout" 2>&1
check run.asan_launcher grep -q 'asan says hi' "$tmp/stdout"
# The monitor's side of fork (a channel per child, counted until it closes)
# under the sanitizers: a pipeline of 20 processes.
MOAT_PAL=build/pal MOAT_LIBOS=build/libos.so timeout 60 build/asan/moat run -- /bin/sh -c \
	'for i in 1 2 3 4 5 6 7 8 9 10; do echo $i | cat; done | wc -l; (exit 3); echo $?' \
	> "$tmp/stdout" 2>&1
check run.asan_fork sh -c "test \"\$(tr '\n' ' ' < $tmp/stdout)\" = '10 3 ' && ! grep -q Sanitizer $tmp/stdout"
# No picoprocess outlives its monitor, even one killed with SIGKILL.  (A
# zombie has ended; who reaps it is the host's business.)
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
build/moat run --libos build/tests/pal_conformance.so -- abort-wait > "$tmp/aw.out" 2>&1 &
mpid=$!
for _ in $(seq 50); do grep -q READY "$tmp/aw.out" && break; sleep 0.1; done
init=$(pgrep -P "$mpid" | head -1)
pico=$(pgrep -P "${init:-0}" | head -1)
kill -KILL "$mpid"; wait "$mpid" 2>/dev/null
sleep 0.5
if [ -z "$init" ] || [ -z "$pico" ]; then
	fail lifetime.monitor_killed "no sandbox found (init '$init', picoprocess '$pico')"
elif alive "$init" || alive "$pico"; then
	fail lifetime.monitor_killed "left running: init $init, picoprocess $pico"
else
	pass lifetime.monitor_killed
fi

# A fork bomb of guest fork() calls stops at the manifest's process limit
# with EAGAIN, moat returns at once, and no process of the sandbox is left
# (the first process's pid namespace takes its children with it).
fb=$(mktemp -d); chmod 755 "$fb"
cat > "$fb/fb.c" <<'EOC'
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	int n = 0;
	for (; n < 10000; n++) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			printf("fork stopped after %d: %s\n", n, strerror(errno));
			return 0;
		}
	}
	printf("fork did not stop\n");
	return 1;
}
EOC
gcc -O1 -o "$fb/forkbomb" "$fb/fb.c"
printf 'mounts = ( { host = "/usr"; }, { type = "symlink"; guest = "/lib64"; target = "usr/lib64"; },
  { type = "symlink"; guest = "/lib"; target = "usr/lib"; }, { host = "%s"; guest = "/w"; } );
limits = { processes = 8; };
' "$fb" > "$fb/fb.conf"
out=$(timeout 20 build/moat run -m "$fb/fb.conf" -- /w/forkbomb 2>&1)
rc=$?
sleep 0.3
left=$(pgrep -f "/w/forkbomb" | wc -l)
if [ "$rc" -ne 0 ] || [ "$out" != "fork stopped after 7: Resource temporarily unavailable" ]; then
	fail limits.guest_fork_bomb "exit $rc, output: $out"
elif [ "$left" -ne 0 ]; then
	fail limits.guest_fork_bomb "$left processes left running"
else
	pass limits.guest_fork_bomb
fi
# Children that exec and end without a word to the monitor (their channels
# quiet, include/moat/channel.h) stop counting against the limit: forty of
# them one after the other, under a limit of eight.
out=$(timeout 30 build/moat run -m "$fb/fb.conf" -- /usr/bin/sh -c \
	'i=0; while [ $i -lt 40 ]; do /usr/bin/true || exit 9; i=$((i + 1)); done; echo $i' 2>&1)
check limits.quiet_children_released test "$out" = 40
rm -rf "$fb"

# Unprivileged: as root, run the conformance suite again as "nobody" from a
# copy of moat's files that nobody can reach (the checkout may not be).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	u=$(mktemp -d); chmod 755 "$u"
	cp build/moat build/pal build/libos.so build/tests/pal_conformance.so "$u/"
	out=$(cd "$u" && printf 'moat-stdin-probe\n' | timeout 60 setpriv --reuid=65534 \
		--regid=65534 --clear-groups ./moat run --libos ./pal_conformance.so 2>&1)
	rm -rf "$u"
	if echo "$out" | grep -q '^conformance: [0-9]* passed, 0 failed$'; then
		pass run.unprivileged_conformance
	else
		fail run.unprivileged_conformance "$(echo "$out" | grep -E '^FAIL|^moat:|conformance:' | head -5)"
	fi
fi
exit $FAILED

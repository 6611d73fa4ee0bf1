#!/bin/sh
# Unmodified Debian binaries, run natively and in moat, outputs compared.
#
# Each case is a shell function case_NAME below.  It is run twice from a
# fresh scratch directory under build/tests/debian/ (moat's default
# manifest grants the current directory read-write): once with every `R`
# command run natively, once with every `R` command run as
# `moat run -- PROGRAM ARGS`.  Everything else in the function is the host's
# shell -- input files, pipelines (there is no fork in moat yet, so
# `find ... | wc -l` runs find in moat and wc on the host), listings of what
# the program left behind.  R prints "rc=N" after each program, so exit
# statuses are part of the transcript; stderr is not compared.  The two
# transcripts must be identical:
#     PASS: debian.NAME
#     FAIL: debian.NAME: why (diff excerpt, moat's stderr)
#     XFAIL: debian.NAME: reason            (listed in tests/debian/EXPECTED_FAIL)
# A missing program is a FAIL ("not installed"), never a skip.  A listed
# case that passes is a FAIL ("unexpectedly passed"): remove it from the list.
#
# Usage: tests/debian/run.sh [NAME...]           (default: every case)
#        tests/debian/run.sh --update-expected   rerun all, rewrite EXPECTED_FAIL
# Environment: BUILD (default build), MOAT (default $BUILD/moat), JOBS (2),
# TIMEOUT (seconds per program, default 60).
set -u
cd "$(dirname "$0")/../.." || exit 2
TOP=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
MOAT=${MOAT:-$BUILD/moat}
case $MOAT in /*) ;; *) MOAT=$TOP/$MOAT ;; esac
OUT=$BUILD/tests/debian
JOBS=${JOBS:-2}
TIMEOUT=${TIMEOUT:-60}
export BUILD MOAT TIMEOUT
BIG=$OUT/data/big.bin          # 100 MiB, generated once
BUSYBOX=${BUSYBOX:-/bin/busybox}           # busybox-static

# ---- helpers used by the cases -----------------------------------------

# R PROGRAM ARGS...: run natively or in moat (per $MODE) in the current
# directory; "rc=N" goes to the transcript (fd 3) even inside a pipeline.
# REnv="K=V ..." runs it with exactly that environment.
R() {
	if [ "$MODE" = native ]; then
		if [ -n "${REnv:-}" ]; then
			# shellcheck disable=SC2086
			env -i $REnv timeout -k 5 "$TIMEOUT" "$@" 2>>"$ERRLOG"
		else
			timeout -k 5 "$TIMEOUT" "$@" 2>>"$ERRLOG"
		fi
	else
		if [ -n "${REnv:-}" ]; then
			# shellcheck disable=SC2086
			env -i $REnv timeout -k 5 "$TIMEOUT" "$MOAT" run -- "$@" 2>>"$ERRLOG"
		else
			timeout -k 5 "$TIMEOUT" "$MOAT" run -- "$@" 2>>"$ERRLOG"
		fi
	fi
	echo "rc=$?" >&3
}
# need PATH...: the case cannot run without these programs.
need() {
	for p in "$@"; do
		[ -x "$p" ] || echo "$p" >> "$MISSING"
	done
	[ ! -s "$MISSING" ]
}
# listing DIR...: what is there, with types, modes and sizes, and contents.
listing() {
	find "$@" -printf '%y %m %s %p\n' | LC_ALL=C sort
	find "$@" -type f -exec sha256sum {} + | LC_ALL=C sort -k2
}
# text: a deterministic text file of N lines.
text() {
	awk -v n="$1" 'BEGIN { split("alpha beta gamma delta epsilon zeta eta theta", w, " ");
		for (i = 1; i <= n; i++) printf "%d %s %s:%d\n", (i * 7919) % 1000, w[i % 8 + 1], w[(i * 3) % 8 + 1], i % 17 }'
}
# tree: a small directory tree with known contents, writable by the sandbox.
tree() {
	mkdir -p tree/a/b tree/c tree/empty
	text 100 > tree/one.txt
	text 2000 > tree/a/two.txt
	printf 'needle in a haystack\nhay\n' > tree/a/b/three.txt
	printf 'another needle\n' > tree/c/four.log
	head -c 5000 /dev/zero > tree/c/zeros.bin
	ln -s ../one.txt tree/c/link
	chmod -R a+rwX tree
	touch -h -d @1000000000 tree tree/* tree/*/* tree/a/b/*
}

# ---- the cases ------------------------------------------------------------

case_true() { R /usr/bin/true; R /usr/bin/true --version >/dev/null; }
case_false() { R /usr/bin/false; }
case_echo() {
	R /usr/bin/echo hello world
	R /usr/bin/echo -e 'tab\there\nnewline \x41'
	R /usr/bin/echo -n no-newline; echo
	R /usr/bin/echo
}
case_cat() {
	text 3000 > in.txt
	R /usr/bin/cat in.txt | sha256sum
	R /usr/bin/cat < in.txt | sha256sum
	R /usr/bin/cat -n in.txt | tail -n 2
	R /usr/bin/cat in.txt missing.txt | wc -l
	head -c 3000000 /dev/zero | tr '\0' 'z' > big.txt
	R /usr/bin/cat big.txt in.txt big.txt | sha256sum
}
case_head() {
	text 1000 > in.txt
	R /usr/bin/head -n 5 in.txt
	R /usr/bin/head -c 100 in.txt; echo
	R /usr/bin/head -n -995 in.txt
	R /usr/bin/head -n 3 < in.txt
}
case_tail() {
	text 1000 > in.txt
	R /usr/bin/tail -n 5 in.txt
	R /usr/bin/tail -c 50 in.txt
	R /usr/bin/tail -n +996 in.txt
	R /usr/bin/tail -n 2 < in.txt
}
case_sort() {
	text 5000 > in.txt
	R /usr/bin/sort in.txt | sha256sum
	R /usr/bin/sort -n -r in.txt | awk 'NR <= 5'
	R /usr/bin/sort -t: -k2,2n -k1,1 in.txt | tail -n 3
	R /usr/bin/sort -u -k2,2 in.txt
	R /usr/bin/sort -o sorted.txt in.txt; sha256sum sorted.txt
	R /usr/bin/sort < in.txt | awk 'NR <= 2'
}
case_uniq() {
	text 3000 | awk '{ print $2 }' | sort > in.txt
	R /usr/bin/uniq in.txt
	R /usr/bin/uniq -c in.txt
	R /usr/bin/uniq -d -c in.txt out.txt; cat out.txt
}
case_wc() {
	text 4321 > in.txt
	R /usr/bin/wc in.txt
	R /usr/bin/wc -l < in.txt
	R /usr/bin/wc -c -w in.txt /etc/hostname
	R /usr/bin/wc -m missing.txt
}
case_cut() {
	text 500 > in.txt
	R /usr/bin/cut -d' ' -f2,3 in.txt | sha256sum
	R /usr/bin/cut -d: -f2 in.txt | sort | uniq -c
	R /usr/bin/cut -c1-4 in.txt | awk 'NR <= 3'
	R /usr/bin/cut -d: -f1 /etc/passwd | awk 'NR <= 3'
}
case_tr() {
	text 500 > in.txt
	R /usr/bin/tr a-z A-Z < in.txt | sha256sum
	R /usr/bin/tr -d '0-9' < in.txt | awk 'NR <= 3'
	R /usr/bin/tr -s ' ' '\n' < in.txt | wc -l
	R /usr/bin/tr -cd 'a-e\n' < in.txt | tail -n 2
}
case_ls() {
	R /usr/bin/ls -la /usr/bin | sha256sum
	R /usr/bin/ls -la /usr/bin | awk 'NR <= 3' | sed 's/ [0-9][0-9]:[0-9][0-9] / HH:MM /'
	R /usr/bin/ls -la /usr/bin | wc -l
}
case_ls_tree() {
	tree
	R /usr/bin/ls -1 tree
	R /usr/bin/ls -lR --time-style=+%s tree | sed 's/ [a-z]* [a-z]* / USER GROUP /' | sha256sum
	R /usr/bin/ls -1 -R tree
	R /usr/bin/ls missing
}
case_cp() {
	tree
	R /usr/bin/cp -r --preserve=mode,timestamps tree tree3
	R /usr/bin/cp tree/one.txt copy.txt
	R /usr/bin/cp -r tree tree2
	R /usr/bin/cp tree/a/two.txt tree/c/four.log tree/empty/
	R /usr/bin/cp tree missing-dir
	listing copy.txt tree tree2
	find tree3 -printf '%y %m %s %T@ %p\n' | LC_ALL=C sort
}
case_mv() {
	tree
	R /usr/bin/mv tree/one.txt tree/uno.txt
	R /usr/bin/mv tree/a tree/c/
	R /usr/bin/mv tree/c tree2
	R /usr/bin/mv missing.txt x
	listing .
}
case_rm() {
	tree
	R /usr/bin/rm tree/one.txt
	R /usr/bin/rm tree/a
	R /usr/bin/rm -r tree/a
	R /usr/bin/rm -f missing.txt
	R /usr/bin/rm missing.txt
	R /usr/bin/rm -rf tree/c
	listing .
}
case_mkdir() {
	R /usr/bin/mkdir d
	R /usr/bin/mkdir d
	R /usr/bin/mkdir -p a/b/c/d
	R /usr/bin/mkdir -m 700 private
	R /usr/bin/mkdir nope/x
	listing .
}
case_find_doc() {
	R /usr/bin/find /usr/share/doc -name copyright | wc -l
	R /usr/bin/find /usr/share/doc -maxdepth 1 -type d | wc -l
}
case_find_tree() {
	tree
	R /usr/bin/find tree | LC_ALL=C sort
	R /usr/bin/find tree -type f -name '*.txt' -size +1k | LC_ALL=C sort
	R /usr/bin/find tree -newer tree/one.txt
	R /usr/bin/find tree -type l -printf '%p -> %l\n'
	R /usr/bin/find missing
}
case_grep() {
	tree
	R /usr/bin/grep -r needle tree | LC_ALL=C sort
	R /usr/bin/grep -c gamma tree/a/two.txt
	R /usr/bin/grep -n -E '^99[0-9] ' tree/one.txt
	R /usr/bin/grep -l -r -i NEEDLE tree | LC_ALL=C sort
	R /usr/bin/grep nothing-matches tree/one.txt
	R /usr/bin/grep -v a < tree/a/b/three.txt
}
case_sed() {
	text 1000 > in.txt
	R /usr/bin/sed -n '10,15p' in.txt
	R /usr/bin/sed 's/a/A/g; /beta/d' in.txt | sha256sum
	R /usr/bin/sed -E 's/^([0-9]+) (.*)$/\2 \1/' in.txt | awk 'NR <= 3'
	cp in.txt edit.txt; chmod a+rw edit.txt
	R /usr/bin/sed -i 's/gamma/GAMMA/' edit.txt
	sha256sum edit.txt
	R /usr/bin/sed = < in.txt | tail -n 2
}
case_mawk() {
	text 5000 > in.txt
	R /usr/bin/mawk '{ s += $1 } END { print s, NR }' in.txt
	R /usr/bin/mawk '{ c[$2]++ } END { for (k in c) print k, c[k] }' in.txt | sort
	R /usr/bin/mawk -F: '$2 > 15 { n++ } END { print n }' in.txt
	R /usr/bin/mawk 'BEGIN { printf "%.6f %d %s\n", atan2(0, -1), 2^31, substr("library os", 9) }'
	R /usr/bin/mawk 'BEGIN { while ((getline l < "in.txt") > 0) n++; print n }'
}
case_tar() {
	tree
	R /usr/bin/tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf a.tar tree
	sha256sum a.tar
	R /usr/bin/tar -tvf a.tar
	mkdir out; chmod 777 out
	R /usr/bin/tar -xf a.tar -C out --no-same-owner --no-same-permissions
	listing out
	R /usr/bin/tar -xf missing.tar
}
# tar -z runs gzip as a child process (fork and exec).
case_tar_gzip() {
	tree
	R /usr/bin/tar -czf b.tgz tree
	R /usr/bin/tar -tzf b.tgz | LC_ALL=C sort
}
case_gzip() {
	text 50000 > in.txt
	R /usr/bin/gzip -9 -n -c in.txt > in.txt.gz
	sha256sum in.txt.gz
	R /usr/bin/gzip -d -c < in.txt.gz | sha256sum
	cp in.txt k.txt; chmod a+rw k.txt
	R /usr/bin/gzip -n k.txt
	R /usr/bin/gzip -t k.txt.gz
	R /usr/bin/gzip -d k.txt.gz
	sha256sum k.txt
	R /usr/bin/gzip -l in.txt.gz
}
case_sha256sum() {
	ln "$BIG" big.bin 2>/dev/null || cp "$BIG" big.bin
	R /usr/bin/sha256sum big.bin
	text 100 > small.txt
	R /usr/bin/sha256sum small.txt /etc/hostname missing.txt
	sha256sum small.txt > sums
	R /usr/bin/sha256sum -c sums
}
case_date() {
	R /usr/bin/date -u -d @1700000000
	R /usr/bin/date -u -d '2024-02-29 12:34:56' +%s
	R /usr/bin/date -u -d @0 '+%Y-%m-%d %H:%M:%S %Z %j %a'
	TZ=Asia/Tokyo R /usr/bin/date -d @0 '+%F %T %Z'
	TZ=UTC R /usr/bin/date -R -d @86400
	t=$(R /usr/bin/date +%s 3>/dev/null)
	h=$(date +%s)
	[ -n "$t" ] && [ $((h - t)) -le 10 ] && [ $((t - h)) -le 10 ] && echo "date +%s: within 10 s of the host"
}
case_env() {
	REnv="PATH=/usr/bin:/bin HOME=/tmp LANG=C APPLE=1 ZEBRA=two=equals EMPTY=" R /usr/bin/env
	REnv="PATH=/usr/bin LANG=C A=1 B=2" R /usr/bin/env -u A
	REnv="PATH=/usr/bin A=1" R /usr/bin/printenv A
	REnv="PATH=/usr/bin A=1" R /usr/bin/printenv NOPE
}
case_stat() {
	R /usr/bin/stat -c '%n %s %F %a %h %Y' /usr/bin/true /etc/passwd /usr/bin
	R /usr/bin/stat -L -c '%n %F' /bin
	R /usr/bin/stat -c '%n %F %N' /bin
	text 10 > f.txt; chmod 640 f.txt; touch -d @1000000000 f.txt
	R /usr/bin/stat -c '%n %s %F %a %Y %X' f.txt
	R /usr/bin/stat missing
	R /usr/bin/stat -f -c '%T' /proc >/dev/null
}
case_du() {
	tree
	R /usr/bin/du -ab tree | LC_ALL=C sort -k2
	R /usr/bin/du -s --apparent-size -B1 tree
	R /usr/bin/du -sk tree/c/zeros.bin
	R /usr/bin/du -s missing
}
case_sqlite3() {
	need /usr/bin/sqlite3 || return
	{
		echo "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, val REAL);"
		echo "BEGIN;"
		awk 'BEGIN { for (i = 1; i <= 10000; i++)
			printf "INSERT INTO t (name, grp, val) VALUES (%cname%d%c, %d, %d.25);\n", 39, i, 39, i % 10, (i * 37) % 1000 }'
		echo "COMMIT;"
		echo "SELECT count(*), sum(grp), round(avg(val), 4), min(name), max(name) FROM t;"
		echo "SELECT grp, count(*), sum(val) FROM t GROUP BY grp ORDER BY grp;"
		echo "CREATE INDEX t_grp ON t(grp);"
		echo "SELECT count(*) FROM t WHERE grp = 3 AND val > 500;"
	} > script.sql
	R /usr/bin/sqlite3 db.sqlite < script.sql
	R /usr/bin/sqlite3 db.sqlite 'SELECT count(*) FROM t; PRAGMA integrity_check;'
	R /usr/bin/sqlite3 -json :memory: "SELECT 1 AS one, 'two' AS two;"
	R /usr/bin/sqlite3 db.sqlite 'SELECT * FROM nope;'
}
case_python3() {
	need /usr/bin/python3 || return
	tree
	cat > prog.py <<'PY'
import hashlib, json, os, re, sqlite3, sys, threading
print(json.dumps({"b": [1, 2.5, None, True], "a": "x\u00e9"}, sort_keys=True))
print(json.loads('{"k": [1, {"n": null}]}'))
print(re.findall(r"(\w+)@(\w+)\.org", "a@b.org c@d.org e@f.com"), re.sub(r"\d+", "#", "a1b22c333"))
print(hashlib.sha256(b"moat" * 1000).hexdigest(), hashlib.md5(b"").hexdigest())
db = sqlite3.connect(":memory:")
db.execute("create table t (x integer)")
db.executemany("insert into t values (?)", [(i,) for i in range(1000)])
print(db.execute("select count(*), sum(x), max(x) from t").fetchone())
total = [0] * 4
lock = threading.Lock()
shared = [0]
def work(k):
    for i in range(20000):
        total[k] += i
        with lock:
            shared[0] += 1
threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(total, shared[0])
for root, dirs, files in sorted(os.walk("tree")):
    print(root, sorted(dirs), sorted(files))
print(sum(len(f) for _, _, f in os.walk("/usr/lib/python3.11")) > 100)
with open("written.txt", "w") as f:
    f.write("from python\n")
print(open("written.txt").read().strip(), os.path.getsize("written.txt"))
print(sys.version_info[:2], sys.platform, os.getcwd() == os.path.abspath("."))
PY
	R /usr/bin/python3 prog.py
	R /usr/bin/python3 -c 'import json, re, hashlib, sqlite3, threading, os; print("imports ok")'
	R /usr/bin/python3 -c 'import sys; sys.exit(3)'
	R /usr/bin/python3 -c 'raise SystemExit("bye")'
}
case_py_compile() {
	need /usr/bin/python3 || return
	printf 'def f():\n    return sum(range(101))\n' > mod.py
	R /usr/bin/python3 -m py_compile mod.py
	ls __pycache__
	R /usr/bin/python3 -c 'import mod; print(mod.f())'
	printf 'def broken(:\n' > bad.py
	R /usr/bin/python3 -m py_compile bad.py
}
case_perl() {
	need /usr/bin/perl || return
	text 2000 > in.txt
	R /usr/bin/perl -e 'my %c; $c{$_ % 7}++ for 1..10000; print join(",", map {"$_=$c{$_}"} sort keys %c), "\n";'
	R /usr/bin/perl -ne '$n++ if /gamma/; END { print "$n\n" }' in.txt
	R /usr/bin/perl -e 'use Digest::SHA qw(sha256_hex); use POSIX qw(floor); print sha256_hex("moat"), " ", floor(-2.5), "\n"'
	R /usr/bin/perl -e 'printf("%.3f %s %d\n", 4*atan2(1,1), scalar reverse("abc"), 2**40)'
	R /usr/bin/perl -e 'opendir(my $d, "/usr/share/perl5") or die; my @e = grep { !/^\./ } readdir($d); print scalar(@e) > 5 ? "many\n" : "few\n"'
	R /usr/bin/perl -e 'open(my $f, ">", "p.txt") or die; print $f "perl wrote\n"; close $f; print -s "p.txt", "\n"'
	R /usr/bin/perl -e 'exit 4'
	R /usr/bin/perl -e 'die "dying\n"'
}
bb() { need "$BUSYBOX" || return 1; }
case_busybox_echo() { bb || return; R "$BUSYBOX" echo hello from busybox; R "$BUSYBOX" printf '%s-%d\n' a 5; }
case_busybox_cat() { bb || return; text 500 > in.txt; R "$BUSYBOX" cat in.txt | sha256sum; R "$BUSYBOX" cat < in.txt | wc -l; }
case_busybox_wc() { bb || return; text 700 > in.txt; R "$BUSYBOX" wc in.txt; R "$BUSYBOX" wc -l < in.txt; }
case_busybox_sort() { bb || return; text 900 > in.txt; R "$BUSYBOX" sort -n in.txt | sha256sum; R "$BUSYBOX" sort -u -k2,2 in.txt | awk '{print $2}'; }
case_busybox_uniq() { bb || return; text 900 | awk '{print $2}' | sort > in.txt; R "$BUSYBOX" uniq -c in.txt; }
case_busybox_head_tail() { bb || return; text 300 > in.txt; R "$BUSYBOX" head -n 3 in.txt; R "$BUSYBOX" tail -n 3 in.txt; }
case_busybox_tr_cut() { bb || return; text 300 > in.txt; R "$BUSYBOX" tr a-z A-Z < in.txt | sha256sum; R "$BUSYBOX" cut -d' ' -f2 in.txt | sha256sum; }
case_busybox_sed() { bb || return; text 300 > in.txt; R "$BUSYBOX" sed -n 's/beta/BETA/p' in.txt | sha256sum; }
case_busybox_awk() { bb || return; text 3000 > in.txt; R "$BUSYBOX" awk '{ s += $1 } END { print s, NR }' in.txt; }
case_busybox_grep() { bb || return; tree; R "$BUSYBOX" grep -r needle tree | LC_ALL=C sort; R "$BUSYBOX" grep -c theta tree/a/two.txt; }
case_busybox_sums() { bb || return; text 1000 > in.txt; R "$BUSYBOX" sha256sum in.txt; R "$BUSYBOX" md5sum in.txt; }
case_busybox_ls_stat() { bb || return; tree; R "$BUSYBOX" ls -1 tree; R "$BUSYBOX" stat -c '%n %s %a' tree/one.txt; }
case_busybox_misc() {
	bb || return
	R "$BUSYBOX" seq 1 5; R "$BUSYBOX" expr 6 '*' 7; R "$BUSYBOX" basename /a/b/c.txt .txt
	R "$BUSYBOX" dirname /a/b/c.txt; R "$BUSYBOX" true; R "$BUSYBOX" false
}
case_busybox_files() {
	bb || return
	R "$BUSYBOX" mkdir -p x/y; R "$BUSYBOX" touch -d '2001-09-09 01:46:40' x/y/f
	R "$BUSYBOX" cp x/y/f x/g; R "$BUSYBOX" mv x/g x/h; R "$BUSYBOX" rm x/y/f; R "$BUSYBOX" rmdir x/y
	find x -printf '%y %p\n' | sort
}

# ---- processes: fork, exec, wait, pipes and signals inside the sandbox ------
# The scripts and the C project live in tests/debian/proc/ and are copied
# into the scratch directory (the sandbox sees only that directory, the
# system directories and a private /tmp).  Each program below starts
# children of its own, so in moat every one of them runs in the sandbox.
PROC=$TOP/tests/debian/proc

case_dash_script() {
	need /bin/dash || return
	cp "$PROC/dash_script.sh" .
	R /bin/dash dash_script.sh
	ls | LC_ALL=C sort | tr '\n' ' '; echo
}
case_bash_script() {
	need /bin/bash || return
	cp "$PROC/bash_script.sh" .
	R /bin/bash bash_script.sh
	ls | LC_ALL=C sort | tr '\n' ' '; echo
}
case_busybox_sh() {
	bb || return
	cp "$PROC/busybox_script.sh" .
	R "$BUSYBOX" sh busybox_script.sh "$BUSYBOX"
	ls | LC_ALL=C sort | tr '\n' ' '; echo
}
# make runs gcc (cc1, as, collect2, ld) and sh; the build is reproducible,
# so the objects and the program have the same hashes either way.
case_make_gcc() {
	need /usr/bin/make /usr/bin/gcc || return
	cp "$PROC"/make_project/* .
	R /usr/bin/make -j2 --no-print-directory | LC_ALL=C sort
	sha256sum main.o strx.o mathx.o listx.o hashx.o prog 2>/dev/null
	./prog 12 18 2>/dev/null; echo "prog on the host: rc=$?"
	R ./prog 100 75 3
	R /usr/bin/make --no-print-directory
	echo '/* touched */' >> mathx.h
	R /usr/bin/make -q --no-print-directory
	R /usr/bin/make -j2 --no-print-directory | LC_ALL=C sort
	R /usr/bin/make -q --no-print-directory
	printf 'int main(void) { return 0 }\n' > broken.c
	R /usr/bin/make --no-print-directory broken
	R /usr/bin/make --no-print-directory clean
	ls | LC_ALL=C sort | tr '\n' ' '; echo
}
case_python_subprocess() {
	need /usr/bin/python3 || return
	cp "$PROC/python_subprocess.py" .
	R /usr/bin/python3 python_subprocess.py
}
case_python_multiprocessing() {
	need /usr/bin/python3 || return
	cp "$PROC/python_multiprocessing.py" .
	R /usr/bin/python3 python_multiprocessing.py
}
case_perl_backticks() {
	need /usr/bin/perl || return
	cp "$PROC/perl_backticks.pl" .
	R /usr/bin/perl perl_backticks.pl
}
# xargs -P runs its commands in parallel: their output is sorted on the host.
# Exit statuses: 123 when a command fails, 124 when one exits 255 (xargs
# stops), 125 when one is killed by a signal, 127 when it is not found.
case_xargs_parallel() {
	seq 1 40 | R /usr/bin/xargs -P4 -n1 sh -c 'echo "$1 squared is $(($1 * $1))"' sh | LC_ALL=C sort -n
	seq 1 12 | R /usr/bin/xargs -P4 -n3 sh -c 'echo "batch of $#: $*"' sh | LC_ALL=C sort -k4,4n
	printf '%s\n' a b c d e f | R /usr/bin/xargs -P3 -I{} sh -c 'echo "file {}" > "out_{}.txt"'
	cat out_a.txt out_b.txt out_c.txt out_d.txt out_e.txt out_f.txt 2>/dev/null
	printf 'one\0two words\0three\0' | R /usr/bin/xargs -0 -P2 -n1 printf '[%s]\n' | LC_ALL=C sort
	seq 1 6 | R /usr/bin/xargs -P3 -n1 sh -c 'echo "ran $1"; [ $(($1 % 3)) -ne 0 ]' sh | LC_ALL=C sort
	seq 1 4 | R /usr/bin/xargs -P2 -n1 sh -c 'exit 0' sh
	echo x | R /usr/bin/xargs sh -c 'exit 255' sh
	echo x | R /usr/bin/xargs sh -c 'kill -TERM $$' sh
	echo x | R /usr/bin/xargs /nonexistent/program
}
# Whole pipelines inside one sandbox: sh and every stage run in moat.
case_shell_pipeline_all_in_moat() {
	tree
	touch apple.dat box.dat fox.dat
	R /bin/sh -c 'find tree -type f | LC_ALL=C sort | wc -l; ls | grep x | head -1'
	R /bin/sh -c 'find tree -type f -name "*.txt" | LC_ALL=C sort | xargs wc -l'
	R /bin/sh -c 'cut -d" " -f2 tree/a/two.txt | sort | uniq -c | sort -k1,1nr -k2,2 | head -n 3'
	R /bin/sh -c 'grep -r needle tree | cut -d: -f1 | LC_ALL=C sort | tr "\n" " "; echo'
	R /bin/sh -c 'yes | head -n 2; seq 1 100000 | tail -n 1; echo "$(ls tree | wc -l) entries"'
	R /bin/sh -c 'tar -cf - tree | tar -tf - | LC_ALL=C sort | head -n 4'
	R /bin/sh -c 'ls missing 2>&1 | wc -l; true | false'
}

# /proc/PID of another process: what ps and pgrep read.
case_proc_of_others() {
	R /bin/sh -c 'sleep 5 & p=$!; sleep 0.3; cat /proc/$p/comm; tr "\0" " " < /proc/$p/cmdline; echo
		grep -c "^PPid:	$$\$" /proc/$p/status; ls /proc | grep -qx "$p" && echo listed
		kill $p; wait $p; echo "status $?"; test -e /proc/$p || echo gone'
	R /bin/sh -c 'sleep 5 & sleep 0.3; ps -o comm= -p $! ; kill $!'
}

# ---- the driver -----------------------------------------------------------

oneline() {
	tr '\n\t' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-${1:-300}
}

run_case() {
	name=$1
	res=$WORK/results/$name
	dir=$WORK/run/$name
	rm -rf "$dir"
	mkdir -p "$dir/native" "$dir/moat"
	chmod 777 "$dir/native" "$dir/moat"
	for MODE in native moat; do
		ERRLOG=$dir/$MODE.err
		MISSING=$dir/missing
		: > "$ERRLOG"
		rm -f "$MISSING"
		if [ $MODE = moat ] && [ ! -x "$MOAT" ]; then
			echo "FAIL: no moat at $MOAT" > "$res"
			return
		fi
		(cd "$dir/$MODE" && umask 022 && "case_$name") </dev/null >"$dir/$MODE.out" 3>&1
		if [ -s "$MISSING" ]; then
			echo "FAIL: not installed: $(sort -u "$MISSING" | oneline 200)" > "$res"
			return
		fi
	done
	if cmp -s "$dir/native.out" "$dir/moat.out"; then
		if [ ! -s "$dir/native.out" ]; then
			echo "FAIL: empty transcript" > "$res"
			return
		fi
		echo PASS > "$res"
		rm -rf "$dir"
		return
	fi
	d=$(diff "$dir/native.out" "$dir/moat.out" | grep '^[<>]' | head -n 4 | oneline 240)
	why="output differs; diff (< native, > moat): $d"
	e=$(grep -v '^$' "$dir/moat.err" | grep -v '^rc=' | tail -n 2 | oneline 200)
	[ -n "$e" ] && why="$why; moat stderr: $e"
	echo "FAIL: $why" > "$res"
}

case ${1:-} in
--case) run_case "$2"; exit 0 ;;
esac

update=0
if [ "${1:-}" = --update-expected ]; then
	update=1
	shift
fi
all=$(sed -n 's/^case_\([a-z0-9_]*\)() {.*/\1/p' "$0")
if [ $# -gt 0 ] && [ $update = 0 ]; then names="$*"; else names=$all; fi
mkdir -p "$OUT/data"
# Each run has its own work directory (see tests/apps/run.sh); the last one
# stays in $OUT/last.
WORK=$(mktemp -d "$OUT/work.XXXXXX") || exit 2
export WORK
mkdir -p "$WORK/results" "$WORK/run"
for n in $names; do
	echo "$all" | grep -qx "$n" || { echo "FAIL: debian.$n: no such case"; exit 1; }
done
if [ ! -s "$BIG" ] || [ "$(stat -c %s "$BIG")" != 104857600 ]; then
	yes 'moat: sha256sum of a 100 MiB file' | head -c 104857600 > "$BIG.tmp.$$" && mv "$BIG.tmp.$$" "$BIG"
	chmod 644 "$BIG"
fi

printf '%s\n' $names | xargs -P "$JOBS" -n 1 sh "$0" --case

EXPECTED=$TOP/tests/debian/EXPECTED_FAIL
reason_for() {
	[ -f "$EXPECTED" ] || return 1
	awk -v c="$1" '$1 == c { sub(/^[^#]*#[ \t]*/, ""); print; found = 1; exit } END { exit !found }' "$EXPECTED"
}
status=0
for n in $names; do
	r=$(cat "$WORK/results/$n" 2>/dev/null || echo "FAIL: no result (the case script died)")
	if reason=$(reason_for "$n"); then
		if [ "$r" = PASS ]; then
			echo "FAIL: debian.$n: unexpectedly passed, remove it from tests/debian/EXPECTED_FAIL"
			status=1
		else
			echo "XFAIL: debian.$n: ${reason:-expected to fail}"
		fi
	elif [ "$r" = PASS ]; then
		echo "PASS: debian.$n"
	else
		# One rerun, shown as FLAKY (counted neither way) when it then
		# passes: an intermittent failure stays visible in the log without
		# turning a run red by chance.  Every FLAKY line is a bug to chase
		# (the last one was MAP_FIXED replacement leaving a hole the
		# library OS's own allocations could fall into).
		sh "$0" --case "$n"
		r2=$(cat "$WORK/results/$n" 2>/dev/null || echo "FAIL: no result")
		if [ "$r2" = PASS ]; then
			echo "FLAKY: debian.$n: failed once, passed on a rerun: ${r#FAIL: }"
			echo "PASS: debian.$n"
		else
			echo "FAIL: debian.$n: ${r#FAIL: }"
			status=1
		fi
	fi
done

if [ $update = 1 ]; then
	{
		echo "# Debian programs expected to fail in moat for now, one case per line with"
		echo "# the reason after '#'.  Written by tests/debian/run.sh --update-expected"
		echo "# from the failures of the last run; remove a line when its case passes."
		for n in $names; do
			r=$(cat "$WORK/results/$n" 2>/dev/null || echo "FAIL: no result")
			[ "$r" = PASS ] && continue
			echo "$n  # $(echo "${r#FAIL: }" | cut -c1-160)"
		done
	} > "$EXPECTED.new"
	mv "$EXPECTED.new" "$EXPECTED"
	echo "# wrote $(grep -vc '^#' "$EXPECTED") entries to tests/debian/EXPECTED_FAIL" >&2
fi
rm -rf "$OUT/last.old"
[ -d "$OUT/last" ] && mv "$OUT/last" "$OUT/last.old" 2>/dev/null
mv "$WORK" "$OUT/last" 2>/dev/null && rm -rf "$OUT/last.old"
exit $status

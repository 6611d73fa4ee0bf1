# Run by tests/debian/run.sh (case python_subprocess): the subprocess module
# runs child programs (fork and exec, or vfork/posix_spawn) with pipes.
# Output must be deterministic and must not name pids or the directory.
import os
import signal
import subprocess
import sys

r = subprocess.run(["echo", "hi"], capture_output=True)
print("echo:", r.returncode, r.stdout, r.stderr)

r = subprocess.run(["false"])
print("false:", r.returncode)
r = subprocess.run(["sh", "-c", "echo oops >&2; exit 42"], capture_output=True, text=True)
print("sh exit 42:", r.returncode, repr(r.stdout), repr(r.stderr))
try:
    subprocess.run(["ls", "no-such-file"], check=True, capture_output=True)
except subprocess.CalledProcessError as e:
    print("check=True raised CalledProcessError, returncode", e.returncode)
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as e:
    print("missing program: FileNotFoundError errno", e.errno)
r = subprocess.run(["sh", "-c", "kill -TERM $$"])
print("killed by a signal:", r.returncode, r.returncode == -signal.SIGTERM)

r = subprocess.run(["sort", "-r"], input="b\nc\na\n", capture_output=True, text=True)
print("sort -r with input:", r.stdout.split())
r = subprocess.run(["wc", "-c"], input=b"x" * 1000000, stdout=subprocess.PIPE)
print("wc -c of 1 MB on stdin:", r.stdout.decode().strip())
r = subprocess.run(["tr", "a-z", "A-Z"], input="shout\n", stdout=subprocess.PIPE, text=True)
print("tr:", r.stdout.strip())

out = subprocess.check_output("seq 1 5 | awk '{ s += $1 } END { print s }' && exit 0 || echo failed", shell=True, text=True)
print("shell=True pipeline:", out.strip())
out = subprocess.check_output(["sh", "-c", "echo $MOAT_TEST_VAR"], env={"MOAT_TEST_VAR": "from env", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}, text=True)
print("env passed:", out.strip())
os.mkdir("sub")
out = subprocess.check_output(["ls"], cwd="sub", text=True)
with open("sub/inside.txt", "w") as f:
    f.write("x")
print("cwd= empty then:", repr(out), subprocess.check_output(["ls"], cwd="sub", text=True).split())

# A pipe chain: seq | grep | sort -rn | head, each a Popen.
p1 = subprocess.Popen(["seq", "1", "200"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(["grep", "7"], stdin=p1.stdout, stdout=subprocess.PIPE)
p1.stdout.close()
p3 = subprocess.Popen(["sort", "-rn"], stdin=p2.stdout, stdout=subprocess.PIPE)
p2.stdout.close()
p4 = subprocess.Popen(["head", "-n", "4"], stdin=p3.stdout, stdout=subprocess.PIPE, text=True)
p3.stdout.close()
out, _ = p4.communicate()
codes = [p.wait() for p in (p1, p2, p3, p4)]
print("Popen chain:", out.split(), "exit codes", codes)

# communicate() with both directions and a large payload.
p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
data = bytes(range(256)) * 4096
out, _ = p.communicate(data)
print("cat round trip of", len(data), "bytes:", out == data, "rc", p.returncode)

p = subprocess.Popen(["sleep", "30"])
p.terminate()
print("terminated sleep:", p.wait())
try:
    subprocess.run(["sleep", "30"], timeout=0.5)
except subprocess.TimeoutExpired:
    print("timeout: TimeoutExpired")

print("os.system:", os.waitstatus_to_exitcode(os.system("exit 3")))
with os.popen("echo via popen") as f:
    print("os.popen:", f.read().strip())
sys.stdout.flush()
r = subprocess.run([sys.executable, "-c", "print('child python', 6 * 7)"], capture_output=True, text=True)
print("python child:", r.stdout.strip(), r.returncode)

#!/usr/bin/env python3
"""Host canary listeners for the escape tests (tests/security/run.sh).

Listens on one random port for TCP (IPv6 dual-stack, so 127.0.0.1, ::1 and
every host address) and UDP, on the abstract unix socket
"@moat-canary-PORT", and on the path unix socket SECRET_DIR/sock.  Every
connection or datagram is appended to LOG; an escape test passes only if
LOG stays empty.  Writes the port number to PORTFILE once ready.

Usage: listener.py LOG SECRET_DIR PORTFILE
"""
import os
import socket
import sys
import threading

log_path, secret_dir, port_file = sys.argv[1:4]
lock = threading.Lock()


def record(what):
    with lock:
        with open(log_path, "a") as f:
            f.write(what + "\n")


def tcp_socket():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", 0))
        return s, socket.AF_INET6
    except OSError:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 0))
        return s, socket.AF_INET


def accept_loop(srv, kind):
    while True:
        try:
            c, addr = srv.accept()
        except OSError:
            return
        try:
            c.settimeout(1)
            data = c.recv(200)
        except OSError:
            data = b""
        record("%s connection from %r: %r" % (kind, addr, data))
        c.close()


def udp_loop(u, kind):
    while True:
        try:
            data, addr = u.recvfrom(2048)
        except OSError:
            return
        record("%s datagram from %r: %r" % (kind, addr, data[:200]))


tcp, family = tcp_socket()
tcp.listen(64)
port = tcp.getsockname()[1]
threads = [threading.Thread(target=accept_loop, args=(tcp, "tcp"), daemon=True)]

u = socket.socket(family, socket.SOCK_DGRAM)
if family == socket.AF_INET6:
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("::", port))
else:
    u.bind(("0.0.0.0", port))
threads.append(threading.Thread(target=udp_loop, args=(u, "udp"), daemon=True))

a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
a.bind("\0moat-canary-%d" % port)
a.listen(16)
threads.append(threading.Thread(target=accept_loop, args=(a, "abstract-unix"), daemon=True))

p = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
p.bind(os.path.join(secret_dir, "sock"))
p.listen(16)
threads.append(threading.Thread(target=accept_loop, args=(p, "path-unix"), daemon=True))

for t in threads:
    t.start()
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % port)
os.rename(port_file + ".tmp", port_file)
threading.Event().wait()

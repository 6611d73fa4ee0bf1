/*
 * Conformance: pipe.server:, pipe.client:, tcp.server:, tcp.client:, tcp:,
 * dns:, DkStreamGetEvent and DkStreamShutdown.
 *
 * Connections are made by a helper thread (so a connect that waits for the
 * accept cannot deadlock); the case's thread accepts with DkStreamRead of
 * sizeof(DK_HANDLE) bytes on the server handle and echoes.  TCP ports come
 * from the convention attr.inode = local port, attr.device = peer port.
 */
#include "conf.h"

#define RDWR (DK_ACCESS_READ | DK_ACCESS_WRITE)
#define MSGLEN 24

static struct {
	char uri[200];
	const char *msg;
	volatile int open_rc, write_rc, read_rc, attr_rc;
	volatile size_t got;
	char reply[64];
	struct dk_stream_attr attr;
	volatile int close_early; /* close without reading the echo */
} g_ec;

static void echo_client(void *param)
{
	(void)param;
	DK_HANDLE h;
	g_ec.open_rc = dk->DkStreamOpen(g_ec.uri, RDWR, DK_CREATE_NEVER, 0, 0, &h);
	if (g_ec.open_rc < 0)
		dk->DkThreadExit(1);
	g_ec.attr_rc = dk->DkStreamAttributesQueryByHandle(h, &g_ec.attr);
	g_ec.write_rc = conf_write_all(h, 0, g_ec.msg, MSGLEN);
	size_t got = 0;
	if (!g_ec.close_early)
		g_ec.read_rc = conf_read_full(h, 0, g_ec.reply, MSGLEN, &got);
	g_ec.got = got;
	dk->DkObjectClose(h);
	dk->DkThreadExit(0);
}

static uint32_t g_server_port;

/* Opens server_uri, connects client_fmt (its %u is the server's port) from a
 * thread, accepts, echoes one message, and checks attributes and end of
 * stream.  Failures are recorded with CHECK. */
static void echo_test(const char *server_uri, const char *client_fmt, uint32_t srv_type,
		      uint32_t conn_type, int has_ports)
{
	DK_HANDLE srv, conn, t;
	struct dk_stream_attr sa, ca;
	char buf[64];
	size_t n;
	CHECK_OK(dk->DkStreamOpen(server_uri, RDWR, DK_CREATE_NEVER, 0, 0, &srv));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(srv, &sa));
	CHECK(sa.type == srv_type, "server type %u, want %u", sa.type, srv_type);
	g_server_port = (uint32_t)sa.inode;
	if (has_ports)
		CHECK(sa.inode > 0 && sa.inode < 65536, "server attr.inode (local port) is %llu",
		      (unsigned long long)sa.inode);
	rt_snprintf(g_ec.uri, sizeof(g_ec.uri), client_fmt, g_server_port);
	g_ec.msg = "ping-0123456789-abcdefgh";
	g_ec.open_rc = g_ec.write_rc = g_ec.read_rc = g_ec.attr_rc = 99;
	g_ec.got = 0;
	g_ec.close_early = 0;
	memset(&g_ec.attr, 0, sizeof(g_ec.attr));
	CHECK_OK(conf_thread(echo_client, NULL, &t));
	conn = 0;
	n = sizeof(conn);
	CHECK_OK(dk->DkStreamRead(srv, 0, &conn, &n));
	CHECK(n == sizeof(conn) && conn != DK_HANDLE_NONE, "accept stored %zu bytes, handle %llx", n,
	      (unsigned long long)conn);
	CHECK_OK(conf_read_full(conn, 0, buf, MSGLEN, &n));
	CHECK(n == MSGLEN && memcmp(buf, g_ec.msg, MSGLEN) == 0, "server got %zu bytes", n);
	CHECK_OK(conf_write_all(conn, 0, buf, MSGLEN));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK(g_ec.open_rc == 0, "client open of %s gave %d (%s)", g_ec.uri, g_ec.open_rc,
	      conf_errname(g_ec.open_rc));
	CHECK(g_ec.write_rc == 0 && g_ec.read_rc == 0, "client write %d read %d", g_ec.write_rc,
	      g_ec.read_rc);
	CHECK(g_ec.got == MSGLEN && memcmp(g_ec.reply, g_ec.msg, MSGLEN) == 0,
	      "client got %zu bytes back", (size_t)g_ec.got);
	CHECK(g_ec.attr_rc == 0 && g_ec.attr.type == conn_type, "client attr rc %d type %u",
	      g_ec.attr_rc, g_ec.attr.type);
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(conn, &ca));
	CHECK(ca.type == conn_type, "accepted type %u, want %u", ca.type, conn_type);
	if (has_ports) {
		CHECK(g_ec.attr.device == g_server_port, "client attr.device (peer port) %llu, want %u",
		      (unsigned long long)g_ec.attr.device, g_server_port);
		CHECK(ca.inode == g_server_port, "accepted attr.inode (local port) %llu, want %u",
		      (unsigned long long)ca.inode, g_server_port);
		CHECK(ca.device == g_ec.attr.inode && ca.device != 0,
		      "accepted attr.device (peer port) %llu, client's local port %llu",
		      (unsigned long long)ca.device, (unsigned long long)g_ec.attr.inode);
	}
	/* the client closed: end of stream */
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(conn, 0, buf, &n));
	CHECK(n == 0, "read after the peer closed gave %zu bytes", n);
	dk->DkObjectClose(conn);
	dk->DkObjectClose(srv);
}

/* ---- pipes ---------------------------------------------------------------- */
static void pipe_echo(void)
{
	char s[128], c[128];
	rt_snprintf(s, sizeof(s), "pipe.server:conf-echo-%s", g_tag);
	rt_snprintf(c, sizeof(c), "pipe.client:conf-echo-%s", g_tag);
	/* the client format has no %u: keep any '%' out of it */
	echo_test(s, c, DK_STREAM_PIPE_SERVER, DK_STREAM_PIPE, 0);
}

static void pipe_client_errors(void)
{
	DK_HANDLE h, srv, s2;
	char uri[128];
	rt_snprintf(uri, sizeof(uri), "pipe.client:conf-nobody-%s", g_tag);
	CHECK_RC2(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, 0, 0, &h), E(NOT_FOUND), E(REFUSED));
	rt_snprintf(uri, sizeof(uri), "pipe.server:conf-twice-%s", g_tag);
	CHECK_OK(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, 0, 0, &srv));
	CHECK_RC2(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, 0, 0, &s2), E(ADDRESS_IN_USE),
		  E(EXISTS));
	/* an accept buffer of the wrong size */
	char small[4];
	size_t n = sizeof(small);
	CHECK_RC(dk->DkStreamRead(srv, 0, small, &n), E(INVALID));
	/* a server cannot be written */
	n = 1;
	int rc = dk->DkStreamWrite(srv, 0, "x", &n);
	CHECK(rc < 0, "write to a pipe server succeeded");
	dk->DkObjectClose(srv);
	/* after close the name is free again */
	CHECK_OK(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, 0, 0, &srv));
	dk->DkObjectClose(srv);
	rt_snprintf(uri, sizeof(uri), "pipe.client:conf-twice-%s", g_tag);
	CHECK_RC2(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, 0, 0, &h), E(NOT_FOUND), E(REFUSED));
	CHECK_RC(dk->DkStreamOpen("pipe.server:", RDWR, DK_CREATE_NEVER, 0, 0, &h), E(INVALID));
}

static void pipe_peer_closed(void)
{
	DK_HANDLE srv, a, c;
	CHECK_OK(conf_pipe_pair(&srv, &a, &c));
	CHECK_OK(conf_write_all(c, 0, "last", 4));
	CHECK_OK(dk->DkObjectClose(c));
	char buf[8];
	size_t n;
	CHECK_OK(conf_read_full(a, 0, buf, sizeof(buf), &n));
	CHECK(n == 4 && memcmp(buf, "last", 4) == 0, "data before close: %zu bytes", n);
	/* writing to a closed peer fails cleanly (and does not kill us) */
	int rc = 0;
	for (int i = 0; i < 4 && rc == 0; i++) {
		n = 4;
		rc = dk->DkStreamWrite(a, 0, "gone", &n);
	}
	CHECK(rc == E(CLOSED) || rc == E(RESET), "write to a closed pipe gave %d (%s)", rc,
	      conf_errname(rc));
	dk->DkObjectClose(a);
	dk->DkObjectClose(srv);
}

static void pipe_nonblock(void)
{
	DK_HANDLE srv, a, c, nb;
	char uri[128];
	rt_snprintf(uri, sizeof(uri), "pipe.server:conf-nb-%s", g_tag);
	CHECK_OK(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, DK_OPT_NONBLOCK, 0, &nb));
	DK_HANDLE x;
	size_t n = sizeof(x);
	CHECK_RC(dk->DkStreamRead(nb, 0, &x, &n), E(WOULD_BLOCK));
	dk->DkObjectClose(nb);
	CHECK_OK(conf_pipe_pair(&srv, &a, &c));
	/* a blocking stream with nothing to read waits; its wait times out */
	CHECK_RC(conf_wait1(a, 20 * MS), E(TIMEOUT));
	dk->DkObjectClose(a);
	dk->DkObjectClose(c);
	dk->DkObjectClose(srv);
}

/* 1 MiB through a pipe: short reads and writes are handled by the callers,
 * and no byte is lost, duplicated or reordered */
#define BIG (1u << 20)
static struct {
	DK_HANDLE h;
	volatile int rc;
} g_big;

static uint8_t big_byte(size_t i)
{
	return (uint8_t)((i * 131) ^ (i >> 9));
}

static void big_writer(void *param)
{
	(void)param;
	static uint8_t buf[BIG];
	for (size_t i = 0; i < BIG; i++)
		buf[i] = big_byte(i);
	g_big.rc = conf_write_all(g_big.h, 0, buf, BIG);
	dk->DkObjectClose(g_big.h);
	dk->DkThreadExit(0);
}

static void pipe_large(void)
{
	DK_HANDLE srv, a, c, t;
	static uint8_t in[BIG + 16];
	size_t n;
	CHECK_OK(conf_pipe_pair(&srv, &a, &c));
	g_big.h = c;
	g_big.rc = 99;
	CHECK_OK(conf_thread(big_writer, NULL, &t));
	CHECK_OK(conf_read_full(a, 0, in, sizeof(in), &n));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK(g_big.rc == 0, "writer gave %d (%s)", g_big.rc, conf_errname(g_big.rc));
	CHECK(n == BIG, "read %zu bytes, want %u", n, BIG);
	for (size_t i = 0; i < BIG; i++)
		CHECK(in[i] == big_byte(i), "byte %zu differs", i);
	dk->DkObjectClose(a);
	dk->DkObjectClose(srv);
}

/* ---- DkStreamGetEvent ------------------------------------------------------ */
static void get_event(void)
{
	DK_HANDLE srv, a, c, ev, e2;
	char buf[8];
	size_t n;
	CHECK_OK(conf_pipe_pair(&srv, &a, &c));
	CHECK_OK(dk->DkStreamGetEvent(a, &ev));
	CHECK_RC(conf_wait1(ev, 30 * MS), E(TIMEOUT));
	int set = -1;
	CHECK_OK(conf_write_all(c, 0, "ev", 2));
	CHECK_OK(conf_wait1(ev, 2000 * MS));
	/* still signaled while the data is unread */
	CHECK_OK(conf_wait1(ev, 0));
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(a, 0, buf, &n));
	CHECK(n == 2 && memcmp(buf, "ev", 2) == 0, "read %zu bytes", n);
	CHECK_RC(conf_wait1(ev, 30 * MS), E(TIMEOUT));
	/* a stream event is not an event for DkEventSet */
	int rc = dk->DkEventSet(ev);
	CHECK(rc == E(BAD_HANDLE), "DkEventSet on a stream event gave %d (%s)", rc, conf_errname(rc));
	(void)set;
	/* errors */
	CHECK_RC(dk->DkStreamGetEvent(FORGED_HANDLE, &e2), E(BAD_HANDLE));
	CHECK_RC(dk->DkStreamGetEvent(a, (DK_HANDLE *)8), E(BAD_POINTER));
	DK_HANDLE notstream;
	CHECK_OK(dk->DkNotificationEventCreate(0, &notstream));
	CHECK_RC(dk->DkStreamGetEvent(notstream, &e2), E(BAD_HANDLE));
	dk->DkObjectClose(notstream);
	/* the event outlives a close of its stream handle, and shows the hangup */
	CHECK_OK(dk->DkObjectClose(c));
	CHECK_OK(conf_wait1(ev, 2000 * MS));
	dk->DkObjectClose(ev);
	dk->DkObjectClose(a);
	dk->DkObjectClose(srv);
}

static void get_event_tcp_server(void)
{
	/* a server's event is signaled when a connection is pending */
	DK_HANDLE srv, ev, t, conn;
	struct dk_stream_attr sa;
	size_t n;
	CHECK_OK(dk->DkStreamOpen("tcp.server:127.0.0.1:0", RDWR, DK_CREATE_NEVER, 0, 0, &srv));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(srv, &sa));
	CHECK_OK(dk->DkStreamGetEvent(srv, &ev));
	CHECK_RC(conf_wait1(ev, 20 * MS), E(TIMEOUT));
	rt_snprintf(g_ec.uri, sizeof(g_ec.uri), "tcp.client:127.0.0.1:%u", (unsigned)sa.inode);
	g_ec.msg = "event-test-xxxxxxxxxxxxx";
	g_ec.close_early = 0;
	CHECK_OK(conf_thread(echo_client, NULL, &t));
	CHECK_OK(conf_wait1(ev, 3000 * MS));
	n = sizeof(conn);
	CHECK_OK(dk->DkStreamRead(srv, 0, &conn, &n));
	char buf[MSGLEN];
	CHECK_OK(conf_read_full(conn, 0, buf, MSGLEN, &n));
	CHECK_OK(conf_write_all(conn, 0, buf, MSGLEN));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK(g_ec.got == MSGLEN, "client got %zu bytes", (size_t)g_ec.got);
	dk->DkObjectClose(conn);
	dk->DkObjectClose(ev);
	dk->DkObjectClose(srv);
}

/* ---- tcp ------------------------------------------------------------------- */
static void tcp_v4(void)
{
	echo_test("tcp.server:127.0.0.1:0", "tcp.client:127.0.0.1:%u", DK_STREAM_TCP_SERVER,
		  DK_STREAM_TCP, 1);
}

static void tcp_v6(void)
{
	/* a host without IPv6 fails here on purpose: that is a finding, not a skip */
	echo_test("tcp.server:[::1]:0", "tcp.client:[::1]:%u", DK_STREAM_TCP_SERVER, DK_STREAM_TCP,
		  1);
}

static void tcp_local_remote(void)
{
	echo_test("tcp.server:127.0.0.1:0", "tcp:127.0.0.1:0,127.0.0.1:%u", DK_STREAM_TCP_SERVER,
		  DK_STREAM_TCP, 1);
}

static void tcp_local_port(void)
{
	/* a chosen local port: find a free one by opening and closing a server */
	DK_HANDLE s;
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamOpen("tcp.server:127.0.0.1:0", RDWR, DK_CREATE_NEVER, 0, 0, &s));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(s, &a));
	uint32_t lport = (uint32_t)a.inode;
	dk->DkObjectClose(s);
	char fmt[96];
	rt_snprintf(fmt, sizeof(fmt), "tcp:127.0.0.1:%u,127.0.0.1:%%u", lport);
	echo_test("tcp.server:127.0.0.1:0", fmt, DK_STREAM_TCP_SERVER, DK_STREAM_TCP, 1);
	CHECK(g_ec.attr.inode == lport, "connection's local port %llu, asked for %u",
	      (unsigned long long)g_ec.attr.inode, lport);
}

static void tcp_refused(void)
{
	DK_HANDLE s, c;
	struct dk_stream_attr a;
	char uri[96];
	CHECK_OK(dk->DkStreamOpen("tcp.server:127.0.0.1:0", RDWR, DK_CREATE_NEVER, 0, 0, &s));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(s, &a));
	/* the port is in use */
	rt_snprintf(uri, sizeof(uri), "tcp.server:127.0.0.1:%u", (unsigned)a.inode);
	CHECK_RC(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, 0, 0, &c), E(ADDRESS_IN_USE));
	dk->DkObjectClose(s);
	rt_snprintf(uri, sizeof(uri), "tcp.client:127.0.0.1:%u", (unsigned)a.inode);
	CHECK_RC(dk->DkStreamOpen(uri, RDWR, DK_CREATE_NEVER, 0, 0, &c), E(REFUSED));
}

static void tcp_bad_addresses(void)
{
	DK_HANDLE h;
	static const char *const bad[] = {
		"tcp.client:999.1.1.1:80", "tcp.client:127.0.0.1:99999", "tcp.client:127.0.0.1",
		"tcp.client:127.0.0.1:", "tcp.client::80", "tcp.server:[::1:0",
		"tcp.server:1.2.3.4.5:0", "tcp:127.0.0.1:0", "tcp.client:127.0.0.1:8x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dk->DkStreamOpen(bad[i], RDWR, DK_CREATE_NEVER, 0, 0, &h);
		CHECK(rc == E(INVALID), "%s gave %d (%s), want INVALID", bad[i], rc, conf_errname(rc));
	}
}

static void tcp_nonblock_accept(void)
{
	DK_HANDLE s, x;
	size_t n = sizeof(x);
	CHECK_OK(dk->DkStreamOpen("tcp.server:127.0.0.1:0", RDWR, DK_CREATE_NEVER, DK_OPT_NONBLOCK,
				  0, &s));
	CHECK_RC(dk->DkStreamRead(s, 0, &x, &n), E(WOULD_BLOCK));
	n = 3;
	CHECK_RC(dk->DkStreamRead(s, 0, &x, &n), E(INVALID));
	dk->DkObjectClose(s);
}

static void tcp_peer_closed(void)
{
	/* the client writes and closes at once; the server still reads it all,
	 * then sees end of stream; its later writes fail with CLOSED/RESET */
	DK_HANDLE srv, conn, t;
	struct dk_stream_attr sa;
	char buf[64];
	size_t n;
	CHECK_OK(dk->DkStreamOpen("tcp.server:127.0.0.1:0", RDWR, DK_CREATE_NEVER, 0, 0, &srv));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(srv, &sa));
	rt_snprintf(g_ec.uri, sizeof(g_ec.uri), "tcp.client:127.0.0.1:%u", (unsigned)sa.inode);
	g_ec.msg = "close-early-xxxxxxxxxxxx";
	g_ec.close_early = 1;
	CHECK_OK(conf_thread(echo_client, NULL, &t));
	n = sizeof(conn);
	CHECK_OK(dk->DkStreamRead(srv, 0, &conn, &n));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK_OK(conf_read_full(conn, 0, buf, sizeof(buf), &n));
	CHECK(n == MSGLEN, "read %zu bytes before end of stream", n);
	int rc = 0;
	for (int i = 0; i < 20 && rc == 0; i++) {
		n = 1000;
		static char junk[1000];
		rc = dk->DkStreamWrite(conn, 0, junk, &n);
		if (rc == 0)
			dk->DkThreadDelayExecution(5 * MS, NULL);
	}
	CHECK(rc == E(CLOSED) || rc == E(RESET), "write to a closed connection gave %d (%s)", rc,
	      conf_errname(rc));
	dk->DkObjectClose(conn);
	dk->DkObjectClose(srv);
	g_ec.close_early = 0;
}

/* ---- DkStreamShutdown ------------------------------------------------------ */
/* The client writes, shuts down its writing half; the other end reads the
 * data and then end of stream, and can still write back, which the client
 * still reads.  Then how is checked, and shutting down reading. */
static void half_close(DK_HANDLE client, DK_HANDLE other)
{
	char buf[64];
	size_t n;
	CHECK_OK(conf_write_all(client, 0, "request", 7));
	CHECK_OK(dk->DkStreamShutdown(client, DK_SHUTDOWN_WRITE));
	CHECK_OK(conf_read_full(other, 0, buf, sizeof(buf), &n));
	CHECK(n == 7 && memcmp(buf, "request", 7) == 0, "read %zu bytes before end of stream", n);
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(other, 0, buf, &n));
	CHECK(n == 0, "a read after end of stream gave %zu bytes", n);
	CHECK_OK(conf_write_all(other, 0, "reply", 5));
	n = 5;
	int rc = dk->DkStreamWrite(client, 0, "more", &n);
	CHECK(rc == E(CLOSED), "a write after DK_SHUTDOWN_WRITE gave %d (%s)", rc,
	      conf_errname(rc));
	CHECK_OK(conf_read_full(client, 0, buf, 5, &n));
	CHECK(n == 5 && memcmp(buf, "reply", 5) == 0, "client read %zu bytes of the reply", n);
	CHECK_RC(dk->DkStreamShutdown(client, 0), E(INVALID));
	CHECK_RC(dk->DkStreamShutdown(client, 4), E(INVALID));
	CHECK_RC(dk->DkStreamShutdown(client, DK_SHUTDOWN_WRITE | 8), E(INVALID));
	CHECK_OK(dk->DkStreamShutdown(other, DK_SHUTDOWN_READ | DK_SHUTDOWN_WRITE));
	CHECK_OK(conf_read_full(client, 0, buf, sizeof(buf), &n));
	CHECK(n == 0, "client read %zu bytes after the other end shut down", n);
	dk->DkObjectClose(client);
	dk->DkObjectClose(other);
}

static void shutdown_pipe(void)
{
	DK_HANDLE srv, a, c;
	CHECK_OK(conf_pipe_pair(&srv, &a, &c));
	CHECK_RC(dk->DkStreamShutdown(srv, DK_SHUTDOWN_WRITE), E(UNSUPPORTED));
	half_close(c, a);
	dk->DkObjectClose(srv);
}

static struct {
	char uri[128];
	volatile DK_HANDLE h;
	volatile int rc;
} g_tc;

static void tcp_connector(void *param)
{
	(void)param;
	DK_HANDLE h = 0;
	g_tc.rc = dk->DkStreamOpen(g_tc.uri, RDWR, DK_CREATE_NEVER, 0, 0, &h);
	g_tc.h = h;
	dk->DkThreadExit(0);
}

static void shutdown_tcp(void)
{
	DK_HANDLE srv, conn, t;
	struct dk_stream_attr sa;
	size_t n;
	CHECK_OK(dk->DkStreamOpen("tcp.server:127.0.0.1:0", RDWR, DK_CREATE_NEVER, 0, 0, &srv));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(srv, &sa));
	rt_snprintf(g_tc.uri, sizeof(g_tc.uri), "tcp.client:127.0.0.1:%u", (unsigned)sa.inode);
	g_tc.rc = 1;
	CHECK_OK(conf_thread(tcp_connector, NULL, &t));
	n = sizeof(conn);
	CHECK_OK(dk->DkStreamRead(srv, 0, &conn, &n));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK_OK(g_tc.rc);
	CHECK_RC(dk->DkStreamShutdown(srv, DK_SHUTDOWN_WRITE), E(UNSUPPORTED));
	half_close(g_tc.h, conn);
	dk->DkObjectClose(srv);
}

static void shutdown_errors(void)
{
	DK_HANDLE h;
	CHECK_RC(dk->DkStreamShutdown(DK_HANDLE_NONE, DK_SHUTDOWN_WRITE), E(BAD_HANDLE));
	CHECK_RC(dk->DkStreamShutdown(DK_HANDLE_NONE, 0), E(INVALID));
	CHECK_OK(dk->DkStreamOpen("null:", RDWR, DK_CREATE_NEVER, 0, 0, &h));
	CHECK_RC(dk->DkStreamShutdown(h, DK_SHUTDOWN_WRITE), E(UNSUPPORTED));
	dk->DkObjectClose(h);
}

/* ---- dns ------------------------------------------------------------------- */
static int dns_read(const char *uri, char *buf, size_t size, size_t *n)
{
	DK_HANDLE h;
	int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h);
	if (rc < 0)
		return rc;
	rc = conf_read_full(h, 0, buf, size - 1, n);
	buf[*n] = 0;
	struct dk_stream_attr a;
	if (rc == 0 && dk->DkStreamAttributesQueryByHandle(h, &a) == 0 && a.type != DK_STREAM_DNS)
		rc = -DK_E_COUNT_ - 2;
	dk->DkObjectClose(h);
	return rc;
}

static int has_line(const char *buf, const char *line)
{
	size_t l = strlen(line);
	for (const char *p = buf; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == l && !strncmp(p, line, l))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

static void dns_localhost(void)
{
	char buf[512];
	size_t n = 0;
	CHECK_OK(dns_read("dns:localhost", buf, sizeof(buf), &n));
	CHECK(n > 0 && buf[n - 1] == '\n', "answer \"%s\" is not newline-terminated lines", buf);
	CHECK(has_line(buf, "127.0.0.1"), "dns:localhost gave \"%s\", no 127.0.0.1 line", buf);
	for (size_t i = 0; i < n; i++)
		CHECK((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f') ||
			      buf[i] == '.' || buf[i] == ':' || buf[i] == '\n',
		      "unexpected byte 0x%02x in \"%s\"", (unsigned char)buf[i], buf);
}

static void dns_literal(void)
{
	char buf[256];
	size_t n = 0;
	CHECK_OK(dns_read("dns:127.0.0.1", buf, sizeof(buf), &n));
	CHECK(n == 10 && !strcmp(buf, "127.0.0.1\n"), "dns:127.0.0.1 gave \"%s\"", buf);
	CHECK_OK(dns_read("dns:::1", buf, sizeof(buf), &n));
	CHECK(!strcmp(buf, "::1\n"), "dns:::1 gave \"%s\"", buf);
}

static void dns_not_found(void)
{
	DK_HANDLE h;
	char buf[64];
	size_t n = 0;
	int rc = dk->DkStreamOpen("dns:no-such-host.invalid", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0,
				  &h);
	if (rc == 0) {
		rc = conf_read_full(h, 0, buf, sizeof(buf), &n);
		dk->DkObjectClose(h);
	}
	CHECK(rc == E(NOT_FOUND), "no-such-host.invalid gave %d (%s) (%zu bytes)", rc,
	      conf_errname(rc), n);
	CHECK_RC(dk->DkStreamOpen("dns:", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h), E(INVALID));
	/* a resolver stream cannot be written */
	CHECK_OK(dk->DkStreamOpen("dns:127.0.0.1", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	n = 1;
	rc = dk->DkStreamWrite(h, 0, "x", &n);
	dk->DkObjectClose(h);
	CHECK(rc < 0, "write to dns: succeeded");
}


/* DK_OPT_DATAGRAM: a datagram server reads whole datagrams, empty ones
 * too, from clients that connect to its name. */
static void pipe_datagram(void)
{
	DK_HANDLE srv, c1, c2, h;
	char s[128], c[128], buf[16];
	rt_snprintf(s, sizeof(s), "pipe.server:conf-dgram-%s", g_tag);
	rt_snprintf(c, sizeof(c), "pipe.client:conf-dgram-%s", g_tag);
	CHECK_RC(dk->DkStreamOpen(c, RDWR, DK_CREATE_NEVER, DK_OPT_DATAGRAM, 0, &h), E(REFUSED));
	CHECK_OK(dk->DkStreamOpen(s, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DATAGRAM, 0, &srv));
	CHECK_RC2(dk->DkStreamOpen(s, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DATAGRAM, 0, &h),
		  E(ADDRESS_IN_USE), E(EXISTS));
	CHECK_OK(dk->DkStreamOpen(c, RDWR, DK_CREATE_NEVER, DK_OPT_DATAGRAM, 0, &c1));
	CHECK_OK(dk->DkStreamOpen(c, RDWR, DK_CREATE_NEVER, DK_OPT_DATAGRAM, 0, &c2));
	const char *msgs[] = { "one", "", "three" };
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(msgs[i]);
		CHECK_OK(dk->DkStreamWrite(i == 1 ? c2 : c1, 0, msgs[i], &n));
		CHECK(n == strlen(msgs[i]), "datagram %d: wrote %zu bytes", i, n);
	}
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(srv, &a));
	CHECK(a.type == DK_STREAM_PIPE && a.size == 3, "server attrs: type %u size %llu", a.type,
	      (unsigned long long)a.size);
	size_t lens[3];
	for (int i = 0; i < 3; i++) {
		lens[i] = i == 2 ? 2 : sizeof(buf); /* the last one is truncated */
		CHECK_OK(dk->DkStreamRead(srv, 0, buf, &lens[i]));
	}
	CHECK(lens[0] == 3 && lens[1] == 0 && lens[2] == 2, "datagram sizes %zu %zu %zu", lens[0],
	      lens[1], lens[2]);
	size_t n = 1;
	CHECK(dk->DkStreamWrite(srv, 0, "x", &n) < 0, "a datagram server was written");
	CHECK_RC(dk->DkStreamOpen("file:/tmp", DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DATAGRAM,
				  0, &h),
		 E(INVALID));
	dk->DkObjectClose(c1);
	dk->DkObjectClose(c2);
	dk->DkObjectClose(srv);
}

const struct conf_case conf_cases_net[] = {
	{"provider.pipe.server:datagram", pipe_datagram},
	{"provider.pipe.server:echo", pipe_echo},
	{"provider.pipe.client:errors", pipe_client_errors},
	{"provider.pipe.client:peer_closed", pipe_peer_closed},
	{"provider.pipe.server:nonblock", pipe_nonblock},
	{"DkStreamWrite.pipe_1MiB", pipe_large},
	{"DkStreamGetEvent.pipe", get_event},
	{"DkStreamGetEvent.tcp_server", get_event_tcp_server},
	{"provider.tcp.server:echo_ipv4", tcp_v4},
	{"provider.tcp.server:echo_ipv6", tcp_v6},
	{"provider.tcp:local_any_port", tcp_local_remote},
	{"provider.tcp:local_port", tcp_local_port},
	{"provider.tcp.client:refused", tcp_refused},
	{"provider.tcp.client:bad_addresses", tcp_bad_addresses},
	{"provider.tcp.server:nonblock_accept", tcp_nonblock_accept},
	{"provider.tcp.client:peer_closed", tcp_peer_closed},
	{"DkStreamShutdown.pipe", shutdown_pipe},
	{"DkStreamShutdown.tcp", shutdown_tcp},
	{"DkStreamShutdown.errors", shutdown_errors},
	{"provider.dns:localhost", dns_localhost},
	{"provider.dns:literal", dns_literal},
	{"provider.dns:not_found", dns_not_found},
	{NULL, NULL},
};

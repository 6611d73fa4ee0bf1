/*
 * A hostile library OS image: it plays an attacker who controls the
 * picoprocess and talks to the monitor's channel directly with raw system
 * calls (so it is deliberately NOT in the closed-ABI check list).  argv[1]
 * picks one abuse; after sending it, the image waits for a reply.  The
 * monitor must end it (SIGKILL: status 137); if the wait returns instead,
 * the image exits 0, which tests/monitor/run.sh counts as a failure.
 *
 *   gcc -shared -nostdlib -fPIC -ffreestanding -fno-stack-protector -Iinclude \
 *       -o build/tests/hostile-channel.so tests/monitor/hostile.c
 *
 * Modes: garbage, bigsize, unknown-type, missing-nul, arg-mismatch,
 * many-args, fork-many (a FORK asking for more channels than it may), fd,
 * reply-type, flood; ok-dns (a well-formed query, answered:
 * exits 0 after the reply); bell-storm (a FORK for the doorbell, which
 * it then rings 100000 times; the monitor must still answer a query
 * after that: exits 0 when it does).  Well-formed modes that print what the
 * monitor answered: "spawn N" (N PROCESS_CREATE requests for children
 * that sit in mode "idle"; then EXIT_CODE_QUERY for the first child, for
 * id 1 and for id 999999), "dns NAME".
 */
#include <stddef.h>
#include <stdint.h>
#include <moat/channel.h>
#include <moat/dk.h>

#define NR_write 1
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_exit_group 231

struct iov {
	void *base;
	size_t len;
};
struct msghdr {
	void *name;
	int namelen;
	struct iov *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	unsigned flags;
};

static long sys(long nr, long a, long b, long c)
{
	long rc;
	__asm__ volatile("syscall" : "=a"(rc) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return rc;
}

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int seq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void say(const char *s)
{
	sys(NR_write, 2, (long)s, (long)slen(s));
}

static void __attribute__((noreturn)) leave(int code)
{
	for (;;)
		sys(NR_exit_group, code, 0, 0);
}

static unsigned char pkt[MOAT_MSG_MAX];

static size_t put(size_t at, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pkt[at + i] = ((const unsigned char *)p)[i];
	return at + n;
}

static size_t header(uint32_t type, uint32_t size, uint64_t arg)
{
	struct moat_msg_header h = {.type = type, .size = size, .seq = 1, .status = 0, .arg = arg};
	return put(0, &h, sizeof(h));
}

/* Fixes the header's size to the packet's length. */
static void seal(size_t len)
{
	uint32_t size = (uint32_t)len;
	put(4, &size, 4);
}

static long send_fd(int chan, size_t len, int fd)
{
	struct iov v = {pkt, len};
	uint64_t control[3] = {0};
	struct msghdr m = {.iov = &v, .iovlen = 1};
	if (fd >= 0) {
		control[0] = 16 + sizeof(int); /* cmsg_len */
		((int *)control)[2] = 1;        /* SOL_SOCKET */
		((int *)control)[3] = 1;        /* SCM_RIGHTS */
		((int *)control)[4] = fd;
		m.control = control;
		m.controllen = 24;
	}
	return sys(NR_sendmsg, chan, (long)&m, 0x4000 /* MSG_NOSIGNAL */);
}

static long send_pkt(int chan, size_t len)
{
	return send_fd(chan, len, -1);
}

static unsigned char rbuf[4096];
static uint64_t control[8];
/* The descriptors of the last reply (its SCM_RIGHTS message's). */
#define reply_fds ((int *)control + 4)

static long recv_reply(int chan)
{
	struct iov v = {rbuf, sizeof(rbuf) - 1};
	struct msghdr m = {.iov = &v, .iovlen = 1, .control = control, .controllen = sizeof(control)};
	long rc;
	do
		rc = sys(NR_recvmsg, chan, (long)&m, 0);
	while (rc == -4 /* EINTR */);
	return rc;
}

static int channel_fd(const struct dk_start_params *start)
{
	for (const char *const *s = start->settings; s && *s; s++) {
		const char *p = *s, *k = "CHANNEL_FD=";
		while (*k && *p == *k)
			p++, k++;
		if (*k)
			continue;
		int fd = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			fd = fd * 10 + (*p - '0');
		return fd;
	}
	return -1;
}

static void say_num(const char *what, long v)
{
	char buf[32];
	int i = 31;
	int neg = v < 0;
	unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
	buf[i] = 0;
	do
		buf[--i] = (char)('0' + u % 10);
	while ((u /= 10) && i > 1);
	if (neg)
		buf[--i] = '-';
	say(what);
	say(buf + i);
}

/* One request, its reply's status and arg printed as "WHAT=status/arg ". */
static void ask(int chan, const char *what, size_t len)
{
	struct moat_msg_header h;
	for (size_t i = 0; i < sizeof(rbuf); i++)
		rbuf[i] = 0;
	if (send_pkt(chan, len) < 0 || recv_reply(chan) < (long)sizeof(h)) {
		say(what);
		say("=failed ");
		return;
	}
	for (size_t i = 0; i < sizeof(h); i++)
		((unsigned char *)&h)[i] = rbuf[i];
	say_num(what, h.status);
	say_num("/", (long)h.arg);
	say(" ");
}

__attribute__((visibility("default"))) int LibOsInitialize(const struct dk_abi *dk,
							   const struct dk_start_params *start,
							   struct dk_upcalls *up)
{
	(void)dk, (void)up;
	static const char image[] = "/.moat/libos.so";
	static const char name[] = "example.com";
	int chan = channel_fd(start);
	const char *mode = start->argc > 1 ? start->argv[1] : "";
	size_t at;
	long rc = 0;
	if (chan < 0) {
		say("hostile: no CHANNEL_FD setting\n");
		leave(2);
	}
	if (seq(mode, "garbage")) {
		for (int i = 0; i < 100; i++)
			pkt[i] = 0xab;
		rc = send_pkt(chan, 100);
	} else if (seq(mode, "bigsize")) {
		at = header(MOAT_MSG_DNS_QUERY, 1000, 0);
		at = put(at, name, sizeof(name));
		rc = send_pkt(chan, at);
	} else if (seq(mode, "unknown-type")) {
		at = header(99, 0, 0);
		seal(at);
		rc = send_pkt(chan, at);
	} else if (seq(mode, "missing-nul")) {
		at = header(MOAT_MSG_PROCESS_CREATE, 0, 0);
		at = put(at, image, sizeof(image) - 1);
		seal(at);
		rc = send_pkt(chan, at);
	} else if (seq(mode, "arg-mismatch")) {
		at = header(MOAT_MSG_PROCESS_CREATE, 0, 3);
		at = put(at, image, sizeof(image));
		at = put(at, "a", 2);
		seal(at);
		rc = send_pkt(chan, at);
	} else if (seq(mode, "many-args")) {
		at = header(MOAT_MSG_PROCESS_CREATE, 0, 10000);
		at = put(at, image, sizeof(image));
		for (int i = 0; i < 10000 && at + 2 <= MOAT_MSG_MAX; i++)
			at = put(at, "x", 2);
		seal(at);
		rc = send_pkt(chan, at);
	} else if (seq(mode, "fork-many")) {
		at = header(MOAT_MSG_FORK, 0, MOAT_FORK_SPARES_MAX + 1);
		seal(at);
		rc = send_pkt(chan, at);
	} else if (seq(mode, "fd")) {
		at = header(MOAT_MSG_DNS_QUERY, 0, 0);
		at = put(at, name, sizeof(name));
		seal(at);
		rc = send_fd(chan, at, 2);
	} else if (seq(mode, "reply-type")) {
		at = header(MOAT_MSG_DNS_RESULT, 0, 0);
		at = put(at, "1.2.3.4\n", 9);
		seal(at);
		rc = send_pkt(chan, at);
	} else if (seq(mode, "flood") || seq(mode, "ok-dns")) {
		int n = seq(mode, "flood") ? 10000 : 1;
		at = header(MOAT_MSG_DNS_QUERY, 0, 0);
		at = put(at, name, sizeof(name));
		seal(at);
		for (int i = 0; i < n && rc >= 0; i++)
			rc = send_pkt(chan, at);
		if (n == 1 && rc >= 0) {
			rc = recv_reply(chan);
			leave(rc >= (long)sizeof(struct moat_msg_header) ? 0 : 3);
		}
	} else if (seq(mode, "bell-storm")) {
		at = header(MOAT_MSG_FORK, 0, 0);
		seal(at);
		if (send_pkt(chan, at) < 0 || recv_reply(chan) < (long)sizeof(struct moat_msg_header))
			leave(3);
		int bell = reply_fds[1]; /* [0] the child's channel, [1] the doorbell */
		if (sys(NR_write, bell, (long)"!", 1) != 1)
			leave(4); /* no doorbell came with the reply */
		for (int i = 0; i < 100000; i++)
			sys(NR_write, bell, (long)"!", 1);
		at = header(MOAT_MSG_EXIT_CODE_QUERY, 0, 999999);
		seal(at);
		rc = send_pkt(chan, at);
		rc = rc < 0 ? rc : recv_reply(chan);
		leave(rc >= (long)sizeof(struct moat_msg_header) ? 0 : 3);
	} else if (seq(mode, "idle")) {
		recv_reply(chan); /* blocks until the sandbox ends */
		leave(0);
	} else if (seq(mode, "spawn") && start->argc > 2) {
		int n = start->argv[2][0] - '0';
		for (int i = 0; i < n; i++) {
			at = header(MOAT_MSG_PROCESS_CREATE, 0, 1);
			at = put(at, image, sizeof(image));
			at = put(at, "idle", 5);
			seal(at);
			ask(chan, "create", at);
		}
		uint64_t ids[3] = {2, 1, 999999};
		for (int i = 0; i < 3; i++) {
			at = header(MOAT_MSG_EXIT_CODE_QUERY, 0, ids[i]);
			seal(at);
			ask(chan, "query", at);
		}
		say("\n");
		leave(0);
	} else if (seq(mode, "dns") && start->argc > 2) {
		at = header(MOAT_MSG_DNS_QUERY, 0, 0);
		at = put(at, start->argv[2], slen(start->argv[2]) + 1);
		seal(at);
		ask(chan, "dns", at);
		say((const char *)rbuf + sizeof(struct moat_msg_header));
		say("\n");
		leave(0);
	} else {
		say("hostile: unknown mode\n");
		leave(2);
	}
	if (rc < 0) {
		/* the monitor may already have hung up on us: wait to be killed */
		say("hostile: send failed\n");
	}
	rc = recv_reply(chan);
	say(rc > 0 ? "hostile: got a reply: not ended\n" : "hostile: channel closed: not ended\n");
	leave(0);
}

/*
 * The channel to the monitor: one request, one reply, both single
 * SOCK_SEQPACKET packets (include/moat/channel.h).  Requests are
 * serialised by a lock that yields rather than spins, since the holder
 * waits for the monitor; a signal that interrupts the wait is retried, so
 * no reply is ever left behind for the next caller.
 */
#include "pal.h"
#include "linux/channel.h"
#include "linux/host.h"
#include <linux/errno.h>

#define CHANNEL_FDS_MAX MOAT_MSG_MAX_FDS

int pal_channel_fd PAL_FORK_HOT = -1;
static int channel_lock PAL_FORK_HOT;
static uint32_t channel_seq PAL_FORK_HOT;
/* A forked child's channel is quiet: the monitor listens on it once the
 * doorbell (which came with the FORKED replies) rings after the first
 * request (include/moat/channel.h). */
static bool channel_quiet PAL_FORK_HOT;
static int bell_fd PAL_FORK_HOT = -1;

static void lock(void)
{
	while (__atomic_exchange_n(&channel_lock, 1, __ATOMIC_ACQUIRE))
		HOST(sched_yield);
}

static void unlock(void)
{
	__atomic_store_n(&channel_lock, 0, __ATOMIC_RELEASE);
}

static void ring(void)
{
	char any = 0;
	long rc;
	do /* a full pipe (-EAGAIN) has rung already */
		rc = HOST(write, bell_fd, &any, 1);
	while (rc == -EINTR);
	channel_quiet = false;
}

static int send_request(const struct moat_msg_header *h, const void *payload, size_t len)
{
	struct k_iovec out[2] = {{(void *)h, sizeof(*h)}, {(void *)payload, len}};
	struct k_msghdr m = {.iov = out, .iovlen = len ? 2 : 1};
	long rc;
	do
		rc = HOST(sendmsg, pal_channel_fd, &m, K_MSG_NOSIGNAL);
	while (rc == -EINTR);
	if (rc != (long)(sizeof(*h) + len))
		return -DK_E_IO;
	if (channel_quiet)
		ring();
	return 0;
}

/* Waits for the reply to request h (see pal_channel_call); fds[i] is -1
 * where no descriptor came. */
static int receive_reply(const struct moat_msg_header *h, struct moat_msg_header *reply,
			 void *rbuf, size_t rlen, int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++)
		fds[i] = -1;
	uint64_t control[K_CMSG_SPACE(CHANNEL_FDS_MAX * sizeof(int)) / 8];
	/* A stray reply (wrong seq) is skipped, a few times at most. */
	for (int tries = 0; tries < 8; tries++) {
		struct k_iovec in[2] = {{reply, sizeof(*reply)}, {rbuf, rlen}};
		struct k_msghdr m = {.iov = in, .iovlen = rlen ? 2 : 1, .control = control,
				     .controllen = sizeof(control)};
		long rc;
		do
			rc = HOST(recvmsg, pal_channel_fd, &m, K_MSG_CMSG_CLOEXEC);
		while (rc == -EINTR);
		if (HOST_IS_ERR(rc) || rc == 0)
			return -DK_E_IO; /* the monitor is gone */
		bool ours = reply->seq == h->seq;
		pal_linux_take_fds(&m, fds, ours ? nfds : 0);
		if (!ours)
			continue;
		if ((m.flags & (K_MSG_TRUNC | K_MSG_CTRUNC)) || (size_t)rc < sizeof(*reply) ||
		    reply->size != (size_t)rc || reply->type != h->type + 1)
			break;
		return 0;
	}
	for (int i = 0; i < nfds; i++) {
		pal_linux_close(fds[i]);
		fds[i] = -1;
	}
	return -DK_E_IO;
}

/* The FORK request sent in advance (seq 0: none in flight), the spare
 * channels its replies brought, and how many forks to go before asking
 * again after the monitor refused (near the process limit). */
#define NSPARES ((int)MOAT_FORK_SPARES_MAX)
#define SPARE_BACKOFF 16
static struct moat_msg_header spare_req PAL_FORK_HOT;
static int spares[NSPARES] PAL_FORK_HOT;
static int nspares PAL_FORK_HOT;
static int spare_backoff PAL_FORK_HOT;

/* A FORKED reply (status 0) carries reply->arg channels and then the
 * doorbell; a reply without it is refused, since its channels would wait
 * for a bell that cannot ring.  Keeps the bell (the first one; they are
 * all the same pipe).  The number of channels, or -DK_E_IO. */
static int forked_reply(const struct moat_msg_header *reply, int *fds, int nfds)
{
	int n = reply->arg >= 1 && reply->arg < (uint64_t)nfds ? (int)reply->arg : -1;
	if (n < 0 || fds[n] < 0)
		return -DK_E_IO;
	if (bell_fd < 0)
		bell_fd = fds[n];
	else
		pal_linux_close(fds[n]);
	fds[n] = -1;
	return n;
}

/* Reads the reply to the FORK request sent in advance, if there is one
 * (lock held): its channels become spares. */
static void spare_settle(void)
{
	if (!spare_req.seq)
		return;
	struct moat_msg_header reply;
	int fds[NSPARES + 1];
	int rc = receive_reply(&spare_req, &reply, NULL, 0, fds, NSPARES + 1);
	spare_req.seq = 0;
	if (rc == 0 && reply.status < 0)
		spare_backoff = SPARE_BACKOFF;
	if (rc == 0 && reply.status == 0 && forked_reply(&reply, fds, NSPARES + 1) < 0)
		rc = -DK_E_IO;
	for (int i = 0; i < NSPARES + 1; i++) {
		if (rc == 0 && reply.status == 0 && fds[i] >= 0 && nspares < NSPARES)
			spares[nspares++] = fds[i];
		else
			pal_linux_close(fds[i]);
	}
}

static int exchange(struct moat_msg_header *h, const void *payload, size_t len,
		    struct moat_msg_header *reply, void *rbuf, size_t rlen, int *fds, int nfds)
{
	spare_settle();
	int rc = send_request(h, payload, len);
	return rc < 0 ? rc : receive_reply(h, reply, rbuf, rlen, fds, nfds);
}

int pal_channel_call(const struct moat_msg_header *req, const void *payload, size_t len,
		     struct moat_msg_header *reply, void *rbuf, size_t rlen, int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++)
		fds[i] = -1;
	if (pal_channel_fd < 0)
		return -DK_E_UNSUPPORTED;
	if (len > MOAT_MSG_MAX - sizeof(*req))
		return -DK_E_LIMIT;
	struct moat_msg_header h = *req;
	h.size = (uint32_t)(sizeof(h) + len);
	h.status = 0;
	lock();
	h.seq = ++channel_seq;
	int rc = exchange(&h, payload, len, reply, rbuf, rlen, fds, nfds);
	unlock();
	return rc;
}

/* ---- DkProcessFork ------------------------------------------------------------------
 * The child needs a channel of its own, which the monitor makes (and counts
 * against the process limit).  Asking for it at the fork would put a round
 * trip to the monitor into every fork, so the parent asks in advance, for
 * a few at once, right after the fork that used its last spare, and reads
 * the reply at its next request.  Spares count as processes until they are
 * used or their holder ends; the monitor hands them out only while half
 * the limit is free, so near it every fork asks and waits as before. */
int pal_channel_fork_begin(int *chan)
{
	*chan = -1;
	lock();
	if (pal_channel_fd < 0)
		return 0;
	spare_settle();
	if (nspares > 0) {
		*chan = spares[--nspares];
		return 0;
	}
	struct moat_msg_header h = {.type = MOAT_MSG_FORK, .size = sizeof(h), .seq = ++channel_seq},
			       reply;
	int fds[2] = {-1, -1}; /* (exchange may fail before the reply sets them) */
	int rc = exchange(&h, NULL, 0, &reply, NULL, 0, fds, 2);
	if (rc == 0 && reply.status < 0)
		rc = reply.status;
	else if (rc == 0 && (forked_reply(&reply, fds, 2) != 1 || fds[0] < 0))
		rc = -DK_E_IO;
	if (rc < 0) {
		pal_linux_close(fds[0]);
		pal_linux_close(fds[1]);
		unlock();
		return rc;
	}
	*chan = fds[0];
	return 0;
}

void pal_channel_fork_end(long pid, int chan)
{
	if (pid == 0) { /* the child: its own channel from now on */
		if (chan >= 0) {
			pal_linux_close(pal_channel_fd);
			pal_channel_fd = chan;
			channel_quiet = true;
		}
		while (nspares > 0) /* the parent's */
			pal_linux_close(spares[--nspares]);
		if (spare_backoff)
			spare_backoff = 0;
	} else if (chan >= 0 && HOST_IS_ERR(pid)) {
		spares[nspares++] = chan; /* no child: the next fork's */
	} else if (chan >= 0) {
		pal_linux_close(chan);
		if (spare_backoff > 0)
			spare_backoff--;
		else if (nspares == 0) {
			spare_req = (struct moat_msg_header){.type = MOAT_MSG_FORK,
							     .size = sizeof(spare_req),
							     .seq = ++channel_seq,
							     .arg = NSPARES};
			if (send_request(&spare_req, NULL, 0) < 0)
				spare_req.seq = 0;
		}
	}
	unlock();
}

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

#define CHANNEL_FDS_MAX 4

static int channel_lock;
static uint32_t channel_seq;

static void lock(void)
{
	while (__atomic_exchange_n(&channel_lock, 1, __ATOMIC_ACQUIRE))
		HOST(sched_yield);
}

static void unlock(void)
{
	__atomic_store_n(&channel_lock, 0, __ATOMIC_RELEASE);
}

static int exchange(struct moat_msg_header *h, const void *payload, size_t len,
		    struct moat_msg_header *reply, void *rbuf, size_t rlen, int *fds, int nfds)
{
	int fd = pal_state.channel_fd;
	struct k_iovec out[2] = {{h, sizeof(*h)}, {(void *)payload, len}};
	struct k_msghdr m = {.iov = out, .iovlen = len ? 2 : 1};
	long rc;
	do
		rc = HOST(sendmsg, fd, &m, K_MSG_NOSIGNAL);
	while (rc == -EINTR);
	if (rc != (long)(sizeof(*h) + len))
		return -DK_E_IO;

	uint64_t control[K_CMSG_SPACE(CHANNEL_FDS_MAX * sizeof(int)) / 8];
	/* A stray reply (wrong seq) is skipped, a few times at most. */
	for (int tries = 0; tries < 8; tries++) {
		struct k_iovec in[2] = {{reply, sizeof(*reply)}, {rbuf, rlen}};
		m = (struct k_msghdr){.iov = in, .iovlen = rlen ? 2 : 1, .control = control,
				      .controllen = sizeof(control)};
		do
			rc = HOST(recvmsg, fd, &m, K_MSG_CMSG_CLOEXEC);
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

int pal_channel_call(const struct moat_msg_header *req, const void *payload, size_t len,
		     struct moat_msg_header *reply, void *rbuf, size_t rlen, int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++)
		fds[i] = -1;
	if (pal_state.channel_fd < 0)
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

/* DkProcessFork: no call is half-way through the channel when the process
 * is copied; the child then switches to its own channel. */
void pal_channel_fork_lock(bool take)
{
	if (take)
		lock();
	else
		unlock();
}

/*
 * The PAL's end of the channel to the monitor (include/moat/channel.h):
 * the descriptor named by the MOAT_CHANNEL_FD setting, pal_channel_fd
 * (-1 when the PAL runs without a monitor).
 */
#ifndef MOAT_PAL_LINUX_CHANNEL_H
#define MOAT_PAL_LINUX_CHANNEL_H

#include <moat/channel.h>
#include <stddef.h>

/* Here rather than in pal_state: it sits with the channel's lock, on the
 * one page of the PAL's that a fork child changes (DkProcessFork). */
extern int pal_channel_fd;

/* Sends one request and waits for its reply; one call at a time per
 * process.  req->type and req->arg are the caller's; size, seq and status
 * are filled in here.  On 0, *reply is the reply header (its type checked
 * to be the request's reply type, its status the monitor's answer), its
 * payload is in rbuf (reply->size - sizeof(*reply) bytes, at most rlen),
 * and fds[0..nfds) hold the descriptors it carried (-1 where none; any
 * beyond nfds are closed).  -DK_E_UNSUPPORTED without a channel,
 * -DK_E_LIMIT if the request is larger than MOAT_MSG_MAX, -DK_E_IO if
 * the exchange fails. */
int pal_channel_call(const struct moat_msg_header *req, const void *payload, size_t len,
		     struct moat_msg_header *reply, void *rbuf, size_t rlen, int *fds, int nfds);


/* DkProcessFork, around the host's fork: _begin takes the channel's lock
 * (no call is half-way through it when the process is copied) and the
 * child's own channel into *chan (-1 without a monitor), or fails with the
 * monitor's answer (-DK_E_LIMIT: the process limit); _end, in both
 * processes with clone's result, gives the child its channel, and the
 * parent asks for the next one, and releases the lock. */
int pal_channel_fork_begin(int *chan);
void pal_channel_fork_end(long pid, int chan);

#endif

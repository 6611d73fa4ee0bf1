/*
 * The monitor's side of the PAL <-> monitor channel (include/moat/channel.h):
 * decoding and validating requests, and sending replies.
 */
#ifndef MOAT_MONITOR_CHANNEL_H
#define MOAT_MONITOR_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <moat/channel.h>

/* A validated request.  The strings point into the decoded buffer. */
struct moat_request {
	uint32_t type;          /* a request type: PROCESS_CREATE, EXIT_CODE_QUERY, DNS_QUERY */
	uint32_t seq;
	uint64_t arg;
	const char *image;      /* PROCESS_CREATE: absolute path, no ".." */
	size_t nargs;           /* PROCESS_CREATE: <= MOAT_MSG_MAX_ARGS */
	const char *args[MOAT_MSG_MAX_ARGS + 1]; /* NULL-terminated */
	const char *name;       /* DNS_QUERY: the host name */
	const char *why;        /* after a failed decode: what is wrong */
};

/* Validates one received packet of len bytes and fills out.  Pure: no I/O,
 * no allocation; safe on any bytes.  0, or -1 with out->why set. */
int moat_channel_decode(const void *buf, size_t len, struct moat_request *out);

/* Receives one packet without blocking into buf (MOAT_MSG_MAX bytes).
 * Returns its length (> 0); 0 if the peer hung up; -EAGAIN if nothing is
 * pending; -EPROTO if the packet is unusable (larger than MOAT_MSG_MAX, or
 * it carried descriptors or other control data: those are closed), with
 * *why set. */
long moat_channel_recv(int fd, void *buf, const char **why);

/* Sends one reply without blocking: header (size filled in here), payload,
 * and nfds descriptors (not closed).  0, or -errno (-EAGAIN: the peer does
 * not read its replies). */
int moat_channel_send(int fd, uint32_t type, uint32_t seq, int32_t status, uint64_t arg,
		      const void *payload, size_t len, const int *fds, int nfds);

#endif

/*
 * The PAL <-> monitor channel, version 2 (2: quiet channels and the doorbell).
 *
 * Each picoprocess inherits one AF_UNIX SOCK_SEQPACKET descriptor (its
 * number is the MOAT_CHANNEL_FD setting).  Every message is one packet: a
 * header, then a payload of NUL-terminated strings.  The PAL sends a
 * request and waits for the reply with the same seq; replies may carry
 * descriptors (SCM_RIGHTS).  The monitor validates every byte: a message
 * that is malformed (bad size, type, count or string) ends the picoprocess
 * that sent it, never the monitor.
 *
 * Rules every request must follow (monitor/channel.c checks them all):
 *   - one packet of sizeof(header) .. MOAT_MSG_MAX bytes, and header.size
 *     equal to the packet's length;
 *   - type is a request type (odd numbers below); status is 0;
 *   - no descriptors attached (the PAL never sends any);
 *   - the payload is exactly the strings the type names, each
 *     NUL-terminated, with no bytes after the last one.
 * The PAL sends one request at a time and waits for its reply, with one
 * exception: after a fork it may send a FORK request in advance and read
 * the reply (spare channels for its next forks) before its next request.
 * The monitor never blocks on a picoprocess: one whose replies pile up
 * unread is ended.
 *
 * Quiet channels.  A channel from a FORKED reply is quiet: the monitor
 * does not listen on it until its picoprocess, right after sending its
 * first request on it, writes one byte (any) to the doorbell, the write
 * end of a pipe that comes with every FORKED reply.  Most forked children
 * exec and exit without ever asking the monitor anything; their channels
 * close at exit with nobody waiting on them, so an exit wakes no monitor.
 * The monitor notices such closed channels when it next looks at the
 * quiet ones: at every ring, and before each FORK and PROCESS_CREATE it
 * serves (so the process limit counts only picoprocesses still there).
 */
#ifndef MOAT_CHANNEL_H
#define MOAT_CHANNEL_H

#include <stdint.h>

#define MOAT_CHANNEL_VERSION 2u
/* Bytes in one packet, header included: room for the largest
 * PROCESS_CREATE the Dk ABI allows (an image path under 4 KiB plus 64 KiB
 * of arguments, NULs included). */
#define MOAT_MSG_MAX 73728u
#define MOAT_MSG_MAX_ARGS 256u   /* argument strings in one PROCESS_CREATE */
#define MOAT_MSG_MAX_PATH 4096u  /* image path bytes, NUL included */
#define MOAT_MSG_MAX_NAME 256u   /* DNS_QUERY name bytes, NUL included */
#define MOAT_FORK_SPARES_MAX 4u  /* channels one FORK request may ask for in advance */
#define MOAT_MSG_MAX_FDS (MOAT_FORK_SPARES_MAX + 1u) /* descriptors in one reply */

enum moat_msg_type {
	/* PAL -> monitor: start a picoprocess in the same sandbox.
	 * arg = number of strings after the image (at most MOAT_MSG_MAX_ARGS);
	 * payload = image path (absolute, no ".." component, shorter than
	 * MOAT_MSG_MAX_PATH), then that many argument strings.  The child runs
	 * argv { "moat-pal", image, args... } with the sandbox's environment
	 * and MOAT_PROCESS_ID set to its new id.  Reply: PROCESS_CREATED. */
	MOAT_MSG_PROCESS_CREATE = 1,
	/* monitor -> PAL: status 0 or -DK_E_* (-DK_E_LIMIT: the manifest's
	 * process limit; -DK_E_NO_MEMORY, -DK_E_WOULD_BLOCK: host limits);
	 * arg = the child's process id; no payload; with status 0,
	 * descriptors: [0] stream to the child (AF_UNIX SOCK_STREAM; the
	 * child's end is its MOAT_PARENT_FD), [1] pidfd of the child
	 * (readable once it has exited). */
	MOAT_MSG_PROCESS_CREATED = 2,
	/* PAL -> monitor: arg = process id of one of the sender's children;
	 * no payload.  Reply: EXIT_CODE.  The monitor may forget a child once
	 * it has answered status 0 for it: the PAL keeps the answer. */
	MOAT_MSG_EXIT_CODE_QUERY = 3,
	/* monitor -> PAL: status 0 (arg = exit code, 128+n for a signal),
	 * -DK_E_STILL_RUNNING, or -DK_E_BAD_HANDLE (not the sender's child);
	 * no payload. */
	MOAT_MSG_EXIT_CODE = 4,
	/* PAL -> monitor: arg = 0; payload = one host name, 1 to
	 * MOAT_MSG_MAX_NAME-1 bytes.  Reply: DNS_RESULT. */
	MOAT_MSG_DNS_QUERY = 5,
	/* monitor -> PAL: status 0 with payload "ADDR\n..." (IPv4 first,
	 * deduplicated, at most 32 addresses, NUL-terminated), or
	 * -DK_E_NOT_FOUND / -DK_E_INVALID (not a host name) / -DK_E_DENIED
	 * (the manifest grants no network). */
	MOAT_MSG_DNS_RESULT = 6,
	/* PAL -> monitor: no payload: the sender is about to fork
	 * (DkProcessFork) and needs a channel for its child: arg = 0, one
	 * channel, now; arg = N (1 to MOAT_FORK_SPARES_MAX), up to N channels
	 * in advance, for its next forks.  Reply: FORKED. */
	MOAT_MSG_FORK = 7,
	/* monitor -> PAL: status 0 or -DK_E_* (-DK_E_LIMIT: the manifest's
	 * process limit); with status 0, arg = the number of channels (1 for
	 * arg 0; for channels asked for in advance, as many as leave half the
	 * process limit free, at least one) and descriptors [0, arg): each a
	 * child's end of its own channel, quiet (see above); descriptor arg:
	 * the doorbell, the same pipe in every reply.  The monitor counts
	 * each channel as a process until it closes (used or not). */
	MOAT_MSG_FORKED = 8,
	MOAT_MSG_TYPE_END_
};

struct moat_msg_header {
	uint32_t type;    /* enum moat_msg_type */
	uint32_t size;    /* bytes in the packet, header included */
	uint32_t seq;     /* chosen by the requester, echoed in the reply */
	int32_t status;   /* replies: 0 or a negated DK_E_* code; requests: 0 */
	uint64_t arg;     /* per type, see above */
};
_Static_assert(sizeof(struct moat_msg_header) == 24, "the header is 24 bytes, no padding");

#endif

/*
 * libFuzzer target: the monitor's decoder of PAL -> monitor requests
 * (monitor/channel.c).  Every input is one received packet.  Beyond not
 * crashing, an accepted request must satisfy what the service relies on.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Imonitor \
 *         fuzz/fuzz_channel.c monitor/channel.c -o build/fuzz/channel
 *   build/fuzz/channel fuzz/corpus/channel fuzz/regressions/channel
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "channel.h"

static void require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct moat_request req;
	/* A copy of exactly size bytes, so a read past the end is caught. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (moat_channel_decode(buf, size, &req) == 0) {
		const char *end = (const char *)buf + size;
		require(size >= sizeof(struct moat_msg_header) && size <= MOAT_MSG_MAX);
		switch (req.type) {
		case MOAT_MSG_PROCESS_CREATE:
			require(req.image && req.image[0] == '/' && !strstr(req.image, "/../"));
			require(req.nargs <= MOAT_MSG_MAX_ARGS && req.args[req.nargs] == NULL);
			require(strlen(req.image) < MOAT_MSG_MAX_PATH);
			size_t il = strlen(req.image);
			require(il < 3 || strcmp(req.image + il - 3, "/.."));
			for (size_t i = 0; i < req.nargs; i++)
				require(req.args[i] >= (const char *)buf &&
					req.args[i] + strlen(req.args[i]) < end);
			break;
		case MOAT_MSG_EXIT_CODE_QUERY:
			require(size == sizeof(struct moat_msg_header));
			break;
		case MOAT_MSG_FORK: /* serve_fork makes at most arg channels */
			require(size == sizeof(struct moat_msg_header));
			require(req.arg <= MOAT_FORK_SPARES_MAX);
			break;
		case MOAT_MSG_DNS_QUERY:
			require(req.name && req.name[0] && strlen(req.name) < MOAT_MSG_MAX_NAME);
			require(req.name + strlen(req.name) + 1 == end);
			break;
		default:
			require(0);
		}
	} else {
		require(req.why != NULL);
	}
	free(buf);
	return 0;
}

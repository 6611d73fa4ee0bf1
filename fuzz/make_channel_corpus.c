/*
 * Writes the seed corpus for fuzz/fuzz_channel.c: one valid request of
 * each kind (and a few near misses) as binary files; with a second
 * directory, also the abuses of tests/monitor/hostile.c as regression
 * inputs (the fuzzer has found no crash so far; any crasher it finds is
 * kept there too).
 *   cc -Iinclude fuzz/make_channel_corpus.c -o build/make_channel_corpus &&
 *   build/make_channel_corpus fuzz/corpus/channel fuzz/regressions/channel
 */
#include <stdio.h>
#include <string.h>
#include <moat/channel.h>

static int put(const char *dir, const char *name, uint32_t type, uint64_t arg, const char *payload,
	       size_t len)
{
	char path[512];
	static unsigned char buf[MOAT_MSG_MAX + 64];
	struct moat_msg_header h = {.type = type, .size = (uint32_t)(sizeof(h) + len), .seq = 7,
				    .arg = arg};
	if (len > sizeof(buf) - sizeof(h))
		return 1;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, sizeof(h) + len, f) != sizeof(h) + len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

#define S(lit) lit, sizeof(lit) - 1 /* the literal's bytes, its final NUL excluded */

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "fuzz/corpus/channel";
	int bad = 0;
	bad |= put(dir, "create-noargs", MOAT_MSG_PROCESS_CREATE, 0, S("/.moat/libos.so\0"));
	bad |= put(dir, "create-args", MOAT_MSG_PROCESS_CREATE, 3,
		   S("/.moat/libos.so\0child-exit\0" "42\0\0"));
	bad |= put(dir, "create-dotdot", MOAT_MSG_PROCESS_CREATE, 0, S("/a/../b\0"));
	bad |= put(dir, "create-relative", MOAT_MSG_PROCESS_CREATE, 1, S("libos.so\0x\0"));
	bad |= put(dir, "exit-code", MOAT_MSG_EXIT_CODE_QUERY, 2, "", 0);
	bad |= put(dir, "dns", MOAT_MSG_DNS_QUERY, 0, S("example.com\0"));
	bad |= put(dir, "dns-trailing", MOAT_MSG_DNS_QUERY, 0, S("example.com\0x"));
	bad |= put(dir, "reply-type", MOAT_MSG_DNS_RESULT, 0, S("127.0.0.1\n\0"));
	bad |= put(dir, "fork", MOAT_MSG_FORK, 0, "", 0);
	bad |= put(dir, "fork-spares", MOAT_MSG_FORK, MOAT_FORK_SPARES_MAX, "", 0);
	if (argc > 2) {
		static char many[20000];
		const char *reg = argv[2];
		size_t n = sizeof("/.moat/libos.so");
		memcpy(many, "/.moat/libos.so", n);
		for (; n + 2 <= sizeof(many); n += 2)
			memcpy(many + n, "x", 2);
		bad |= put(reg, "many-args", MOAT_MSG_PROCESS_CREATE, 10000, many, n);
		bad |= put(reg, "args-max-plus-one", MOAT_MSG_PROCESS_CREATE, MOAT_MSG_MAX_ARGS + 1,
			   many, sizeof("/.moat/libos.so") + 2 * (MOAT_MSG_MAX_ARGS + 1));
		bad |= put(reg, "missing-nul", MOAT_MSG_PROCESS_CREATE, 0, S("/.moat/libos.so"));
		bad |= put(reg, "arg-mismatch", MOAT_MSG_PROCESS_CREATE, 3, S("/.moat/libos.so\0a\0"));
		bad |= put(reg, "dotdot-last", MOAT_MSG_PROCESS_CREATE, 0, S("/a/..\0"));
		bad |= put(reg, "unknown-type", 99, 0, "", 0);
		bad |= put(reg, "dns-empty", MOAT_MSG_DNS_QUERY, 0, S("\0"));
		bad |= put(reg, "exit-code-payload", MOAT_MSG_EXIT_CODE_QUERY, 2, S("x\0"));
		bad |= put(reg, "fork-spares-max-plus-one", MOAT_MSG_FORK, MOAT_FORK_SPARES_MAX + 1,
			   "", 0);
	}
	return bad;
}

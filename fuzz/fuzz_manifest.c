/*
 * libFuzzer target for the manifest parser: any bytes, as a NUL-terminated
 * string, through moat_manifest_parse.  It must either fill the manifest
 * or write one line of error, and never crash, leak or read out of bounds.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Imonitor \
 *         fuzz/fuzz_manifest.c monitor/manifest.c -lconfig -o build/fuzz/manifest
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct moat_manifest m;
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (moat_manifest_parse(text, "fuzz.conf", &m, err, sizeof(err)) == 0) {
		char *argv[] = { "/bin/true", "x" };
		moat_manifest_set_argv(&m, argv, 2);
		moat_manifest_require_program(&m, err, sizeof(err));
		moat_manifest_free(&m);
	} else if (!err[0] || strchr(err, '\n')) {
		abort(); /* a failure must say what, on one line */
	}
	free(text);
	return 0;
}

#include "hashx.h"
#include <stdlib.h>
#include <string.h>

uint64_t hashx_fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

size_t hashx_distinct(const char *const *strings, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	const char **slots = calloc(cap, sizeof *slots);
	if (!slots)
		return 0;
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = hashx_fnv1a(strings[i], strlen(strings[i])) & (cap - 1);
		while (slots[j] && strcmp(slots[j], strings[i]) != 0)
			j = (j + 1) & (cap - 1);
		if (!slots[j]) {
			slots[j] = strings[i];
			distinct++;
		}
	}
	free(slots);
	return distinct;
}

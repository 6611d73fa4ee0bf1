/*
 * lib/rt's memory and string helpers against the host libc's, on random
 * lengths, alignments and overlaps (the helpers are built renamed, rtx_*,
 * so that the host's own stay in use here).  Prints one PASS/FAIL line per
 * helper.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t rtx_strlen(const char *s);
size_t rtx_strnlen(const char *s, size_t max);
void *rtx_memcpy(void *d, const void *s, size_t n);
void *rtx_memmove(void *d, const void *s, size_t n);
void *rtx_memset(void *d, int c, size_t n);

static int bad[5];
static const char *names[5] = {"strlen", "strnlen", "memcpy", "memmove", "memset"};

int main(void)
{
	static char src[1024], a[1024], b[1024];
	srand(7);
	for (int it = 0; it < 100000; it++) {
		for (int i = 0; i < 600; i++)
			src[i] = (char)(1 + rand() % 255);
		int off = rand() % 64, len = rand() % 300;
		size_t max = (size_t)(rand() % 400);
		src[off + len] = 0;
		bad[0] |= rtx_strlen(src + off) != strlen(src + off);
		bad[1] |= rtx_strnlen(src + off, max) != strnlen(src + off, max);
		size_t n = (size_t)(rand() % 400);
		int x = rand() % 64, y = rand() % 64, c = rand() % 256;
		memcpy(a, src, 600), memcpy(b, src, 600);
		bad[2] |= rtx_memcpy(a + x, src + y, n) != a + x || (memcpy(b + x, src + y, n), memcmp(a, b, 600));
		bad[3] |= rtx_memmove(a + x, a + y, n) != a + x || (memmove(b + x, b + y, n), memcmp(a, b, 600));
		bad[4] |= rtx_memset(a + x, c, n) != a + x || (memset(b + x, c, n), memcmp(a, b, 600));
	}
	int failed = 0;
	for (int i = 0; i < 5; i++) {
		printf("%s: rt.%s\n", bad[i] ? "FAIL" : "PASS", names[i]);
		failed |= bad[i];
	}
	return failed;
}

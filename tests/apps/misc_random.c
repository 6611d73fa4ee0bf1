/* getrandom and getentropy. */
#include "check.h"
#include <sys/random.h>

int main(void)
{
	unsigned char a[32], b[32];
	CHECK(getrandom(a, sizeof(a), 0) == 32);
	CHECK(getrandom(b, sizeof(b), GRND_NONBLOCK) == 32);
	CHECK(memcmp(a, b, 32) != 0);
	int bits = 0;
	for (int i = 0; i < 32; i++)
		bits += __builtin_popcount(a[i]);
	CHECK(bits > 64 && bits < 192);
	SAY("getrandom: two draws differ, bit count plausible\n");
	static unsigned char big[1 << 20];
	ssize_t n = getrandom(big, sizeof(big), 0);
	CHECK(n > 0);
	SYS(getentropy(a, 32));
	ERR(getentropy(big, 257), EIO);
	SYS(getrandom(a, 16, GRND_RANDOM));
	ERR(getrandom(a, 16, 0x100), EINVAL);
	SAY("getentropy and flags ok\n");
	DONE();
}

#include "mathx.h"
#include <stdlib.h>

unsigned long mathx_gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

unsigned long mathx_primes_below(unsigned long n)
{
	if (n < 3)
		return 0;
	unsigned char *composite = calloc(n, 1);
	if (!composite)
		return 0;
	unsigned long count = 0;
	for (unsigned long i = 2; i < n; i++) {
		if (composite[i])
			continue;
		count++;
		for (unsigned long j = i * i; j < n; j += i)
			composite[j] = 1;
	}
	free(composite);
	return count;
}

unsigned long long mathx_fib(unsigned n)
{
	unsigned long long a = 0, b = 1;
	while (n--) {
		unsigned long long t = a + b;
		a = b;
		b = t;
	}
	return a;
}

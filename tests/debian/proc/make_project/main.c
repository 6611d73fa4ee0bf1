/* Exercises the four modules; prints only deterministic values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hashx.h"
#include "listx.h"
#include "mathx.h"
#include "strx.h"
#include "version.h"

int main(int argc, char **argv)
{
	unsigned long a = argc > 1 ? strtoul(argv[1], NULL, 10) : 12;
	unsigned long b = argc > 2 ? strtoul(argv[2], NULL, 10) : 18;
	char text[] = "library os runs programs";

	printf("version %s, %d argument(s)\n", VERSION, argc - 1);
	printf("gcd(%lu, %lu) = %lu\n", a, b, mathx_gcd(a, b));
	printf("primes below 1000000: %lu\n", mathx_primes_below(1000000));
	printf("fib(90) = %llu\n", mathx_fib(90));
	printf("words: %zu\n", strx_words(text));
	printf("upper: %s\n", strx_upper(text));
	printf("reversed: %s\n", strx_reverse(text));

	struct listx *l = NULL;
	for (int i = 0; i < 1000; i++) {
		struct listx *n = listx_push(l, (i * 7919) % 1009);
		if (!n)
			return 1;
		l = n;
	}
	l = listx_sort(l);
	printf("list: first %d, second %d, sum %ld\n", l->value, l->next->value, listx_sum(l));
	listx_free(l);

	const char *fruit[] = { "pear", "apple", "fig", "apple", "pear", "kiwi", "fig" };
	printf("distinct: %zu\n", hashx_distinct(fruit, sizeof fruit / sizeof fruit[0]));
	printf("fnv1a(\"moat\") = %016llx\n", (unsigned long long)hashx_fnv1a("moat", 4));
	return argc > 3 ? atoi(argv[3]) : 0;
}

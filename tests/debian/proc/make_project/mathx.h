#ifndef MATHX_H
#define MATHX_H
unsigned long mathx_gcd(unsigned long a, unsigned long b);
/* The number of primes below n (a sieve; n at most 10000000). */
unsigned long mathx_primes_below(unsigned long n);
unsigned long long mathx_fib(unsigned n);
#endif

#ifndef HASHX_H
#define HASHX_H
#include <stddef.h>
#include <stdint.h>
/* 64-bit FNV-1a of len bytes. */
uint64_t hashx_fnv1a(const void *data, size_t len);
/* Counts distinct strings among n with an open-addressing table. */
size_t hashx_distinct(const char *const *strings, size_t n);
#endif

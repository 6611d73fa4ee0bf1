#ifndef STRX_H
#define STRX_H
#include <stddef.h>
/* Reverses s in place and returns it. */
char *strx_reverse(char *s);
/* Upper-cases s in place and returns it. */
char *strx_upper(char *s);
/* The number of words separated by blanks. */
size_t strx_words(const char *s);
#endif

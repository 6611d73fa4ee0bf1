#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "monitor.h"

int moat_error(int err, const char *what, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "moat: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	return 1;
}

int moat_sibling(const char *name, const char *env, char *buf, size_t size)
{
	const char *over = env ? getenv(env) : NULL;
	char self[PATH_MAX];
	if (over && *over) {
		if ((size_t)snprintf(buf, size, "%s", over) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	*slash = 0;
	if ((size_t)snprintf(buf, size, "%s/%s", self, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

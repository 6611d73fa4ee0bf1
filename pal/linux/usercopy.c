/* Fault-safe access to the caller's memory (the assembly is usercopy.S). */
#include "pal.h"
#include "linux/host.h"

int pal_copy_in(void *dst, const void *user_src, size_t n)
{
	return pal_usercopy(dst, user_src, n) < 0 ? -DK_E_BAD_POINTER : 0;
}

int pal_copy_out(void *user_dst, const void *src, size_t n)
{
	return pal_usercopy(user_dst, src, n) < 0 ? -DK_E_BAD_POINTER : 0;
}

int pal_string_size(const void *user_str, size_t max)
{
	if (!user_str)
		return -DK_E_BAD_POINTER;
	long len = pal_userstrnlen(user_str, max);
	if (len < 0)
		return -DK_E_BAD_POINTER;
	return (size_t)len < max ? (int)len + 1 : -DK_E_NAME_TOO_LONG;
}

int pal_copy_string_in(char *dst, const void *user_src, size_t max)
{
	int size = pal_string_size(user_src, max);
	if (size == -DK_E_NAME_TOO_LONG) {
		if (pal_usercopy(dst, user_src, max - 1) < 0)
			return -DK_E_BAD_POINTER;
		dst[max - 1] = 0;
		return size;
	}
	if (size < 0)
		return size;
	if (pal_usercopy(dst, user_src, (unsigned long)size) < 0)
		return -DK_E_BAD_POINTER;
	dst[size - 1] = 0; /* the caller's other threads may have changed it */
	return 0;
}

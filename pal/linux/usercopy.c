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

int pal_copy_string_in(char *dst, const void *user_src, size_t max)
{
	if (!user_src)
		return -DK_E_BAD_POINTER;
	long len = pal_userstrnlen(user_src, max);
	if (len < 0)
		return -DK_E_BAD_POINTER;
	if ((size_t)len == max) {
		if (pal_usercopy(dst, user_src, max - 1) < 0)
			return -DK_E_BAD_POINTER;
		dst[max - 1] = 0;
		return -DK_E_NAME_TOO_LONG;
	}
	if (pal_usercopy(dst, user_src, (unsigned long)len + 1) < 0)
		return -DK_E_BAD_POINTER;
	return 0;
}

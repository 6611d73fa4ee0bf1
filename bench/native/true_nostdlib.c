/* A minimal static `true` without libc (~9 KB): the cheapest exec there is,
 * for reference next to the glibc static one. */
__attribute__((noreturn)) void _start(void)
{
	__asm__ volatile("syscall" : : "a"(231 /* exit_group */), "D"(0));
	__builtin_unreachable();
}

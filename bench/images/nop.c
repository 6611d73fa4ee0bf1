/*
 * Launch benchmark: returns at once, so running it measures picoprocess
 * start-up (exec of the PAL, self-relocation, loading and linking this
 * image, the call into LibOsInitialize) and exit.
 */
#include <moat/dk.h>

__attribute__((visibility("default"))) int
LibOsInitialize(const struct dk_abi *abi, const struct dk_start_params *start,
		struct dk_upcalls *upcalls)
{
	(void)abi, (void)start, (void)upcalls;
	return 0;
}

/* The table of downcalls the PAL hands to the layer above. */
#include "common/calls.h"

#define PAL_ENTRY(name) .name = pal_##name,

const struct dk_abi pal_abi = {
	.abi_version = DK_ABI_VERSION,
	.size = sizeof(struct dk_abi),
	PAL_ALL_DOWNCALLS(PAL_ENTRY)
};

/* Every member must be filled: a missing one would be a NULL call. */
#define PAL_COUNT(name) +1
_Static_assert(0 PAL_ALL_DOWNCALLS(PAL_COUNT) == DK_DOWNCALL_COUNT, "45 downcalls");
_Static_assert(sizeof(struct dk_abi) == 8 + DK_DOWNCALL_COUNT * sizeof(void *),
	       "the table has exactly the 45 downcalls");

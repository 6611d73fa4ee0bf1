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
#define PAL_ALL_COUNT (DK_DOWNCALL_COUNT + DK_DOWNCALL_EXTRA_COUNT)
_Static_assert(0 PAL_ALL_DOWNCALLS(PAL_COUNT) == PAL_ALL_COUNT, "45 downcalls + additions");
_Static_assert(sizeof(struct dk_abi) == 8 + PAL_ALL_COUNT * sizeof(void *),
	       "the table has exactly the 45 downcalls and the additions");
_Static_assert(__builtin_offsetof(struct pal_tcb, upper) == DK_TLS_OFFSET(1),
	       "the layers' thread words start at %gs:8");
_Static_assert(sizeof(struct dk_termios) == 36 && sizeof(struct dk_winsize) == 8,
	       "the console's structs have Linux's layouts");

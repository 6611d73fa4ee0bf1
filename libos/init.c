/*
 * The library OS image's entry point.  For now the library OS proves the
 * picoprocess works end to end: it greets from inside the picoprocess with
 * its arguments, reaching the host only through the Dk table.  The Linux
 * personality (ELF loading, system calls) grows from here.
 */
#include <moat/dk.h>
#include <moat/rt.h>

static const struct dk_abi *dk;

static void say(DK_HANDLE out, const char *text)
{
	size_t len = strlen(text);
	while (len) {
		size_t n = len;
		if (dk->DkStreamWrite(out, 0, text, &n) < 0)
			return;
		text += n;
		len -= n;
	}
}

__attribute__((visibility("default"))) int
LibOsInitialize(const struct dk_abi *abi, const struct dk_start_params *start,
		struct dk_upcalls *upcalls)
{
	DK_HANDLE out;
	char line[512];
	(void)upcalls;
	dk = abi;
	if (abi->abi_version != DK_ABI_VERSION)
		return 125;
	if (dk->DkStreamOpen("stdout:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &out) < 0)
		return 1;
	rt_snprintf(line, sizeof(line),
		    "moat: library OS running in picoprocess %lu (Dk ABI v%u, image at %p)\n",
		    (unsigned long)start->process_id, start->abi_version,
		    (void *)start->image_base);
	say(out, line);
	for (int i = 1; i < start->argc; i++) {
		rt_snprintf(line, sizeof(line), "%s%s", start->argv[i],
			    i + 1 < start->argc ? " " : "\n");
		say(out, line);
	}
	dk->DkObjectClose(out);
	return 0;
}

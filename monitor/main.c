/* moat: the command-line tool.  Dispatches to one function per verb. */
#include <string.h>
#include "monitor.h"

static int usage(FILE *out, int code)
{
	fprintf(out, "usage: moat run [-m MANIFEST] [--libos IMAGE] [--] [PROG ARGS...]\n"
		     "       moat policy [-m MANIFEST]\n"
		     "       moat manifest-check FILE|--default\n"
		     "       moat help\n"
		     "Runs a library OS image (default: the one built next to moat) in a\n"
		     "picoprocess with ARGS; exits with its exit status.\n");
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "run"))
		return moat_cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "manifest-check"))
		return moat_cmd_manifest_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "policy"))
		return moat_cmd_policy(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	moat_error(0, argv[1], "unknown command (try 'moat help')");
	return 2;
}

/*
 * `moat policy [-m MANIFEST]`: prints the confinement a picoprocess would
 * get: the seccomp allowlist, the Landlock rules derived from the manifest
 * (or the built-in default), and the resource limits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "confine.h"
#include "manifest.h"
#include "monitor.h"
#include "policy.h"

struct print_arg {
	FILE *out;
	uint64_t handled;
};

static int print_rule(const struct moat_ll_rule *r, void *arg)
{
	struct print_arg *p = arg;
	char names[256];
	moat_landlock_fs_names(r->access & p->handled, names, sizeof(names));
	fprintf(p->out, "  %-20s %s  (%s)\n", r->path, names, r->why);
	return 0;
}

static void print_limit(FILE *out, const char *name, uint64_t v, const char *what)
{
	if (v)
		fprintf(out, "  %-13s %" PRIu64 "  (%s)\n", name, v, what);
	else
		fprintf(out, "  %-13s unlimited  (%s)\n", name, what);
}

int moat_cmd_policy(int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-m") && i + 1 < argc)
			path = argv[++i];
		else
			return moat_error(0, "policy", "usage: moat policy [-m MANIFEST]");
	}
	struct moat_manifest m;
	char err[512];
	memset(&m, 0, sizeof(m));
	int rc = path ? moat_manifest_load(path, &m, err, sizeof(err))
		      : moat_manifest_default(&m, err, sizeof(err));
	if (rc < 0)
		return moat_error(0, "policy", "%s", err);
	FILE *out = stdout;

	fprintf(out, "seccomp allowlist (anything else: EPERM; i386 or x32 calls: killed)\n");
	int n = moat_policy_print(&m, out);
	fprintf(out, "%d allowed host calls\n", n);

	int abi = moat_landlock_abi();
	int eff = abi > 0 ? abi : 7; /* show what a current kernel would get */
	struct print_arg pa = { out, moat_landlock_fs_handled(eff) };
	char names[256];
	if (abi > 0)
		fprintf(out, "landlock (ABI %d on this host)\n", abi);
	else
		fprintf(out, "landlock (not available on this host; shown for ABI %d)\n", eff);
	moat_landlock_fs_names(pa.handled, names, sizeof(names));
	fprintf(out, "  handled: %s\n", names);
	fprintf(out, "  everything else denied; only %s may be executed\n",
		"/.moat/pal");
	moat_landlock_rules(&m, print_rule, &pa);
	if (!m.network) {
		fprintf(out, "  tcp: not handled: private network namespace, loopback only\n");
	} else {
		fprintf(out, "  tcp: handled: only the ports below\n");
		for (size_t i = 0; i < m.nlisten; i++)
			fprintf(out, "  tcp bind    %u\n", (unsigned)m.listen[i]);
		for (size_t i = 0; i < m.nconnect; i++)
			fprintf(out, "  tcp connect %u  (granted for %s; Landlock checks the port "
				     "only)\n",
				(unsigned)m.connect[i].port, m.connect[i].host);
	}
	fprintf(out, "  scope: signal (a picoprocess and the children it forks signal one another, nothing outside)%s\n",
		eff >= 6 ? "" : "  [needs ABI 6: not enforced here]");
	if (m.network)
		fprintf(out, "  scope: abstract unix sockets (the host's network namespace is "
			     "shared: only the picoprocess's own)\n");
	else
		fprintf(out, "  abstract unix sockets: not scoped (the sandbox's own namespace; "
			     "named pipes)\n");

	fprintf(out, "limits\n");
	print_limit(out, "RLIMIT_AS", m.limits.memory, "memory, bytes of address space");
	print_limit(out, "RLIMIT_NPROC", m.limits.threads, "threads of the sandbox's user");
	print_limit(out, "RLIMIT_NOFILE", m.limits.files, "open descriptors");
	print_limit(out, "RLIMIT_CPU", m.limits.cpu_seconds, "CPU seconds");
	fprintf(out, "  %-13s 0  (no core dumps)\n", "RLIMIT_CORE");
	fprintf(out, "  %-13s %" PRIu64 "  (picoprocesses in the sandbox; the monitor counts)\n",
		"processes", m.limits.processes);
	moat_manifest_free(&m);
	return 0;
}

/*
 * moat run: one sandbox, its first picoprocess, and the monitor's service
 * loop until that picoprocess exits.
 *
 *   moat run [-m MANIFEST] [--libos IMAGE] [--] [PROG ARGS...]
 *
 * Without -m the built-in default manifest applies.  The picoprocess runs
 * the library OS image with PROG ARGS (or the manifest's program) as its
 * arguments.  The exit status is the picoprocess's (128+n for a signal).
 * When it exits the whole sandbox is killed and reaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "confine.h"
#include "manifest.h"
#include "monitor.h"
#include "sandbox.h"
#include "service.h"

extern char **environ;

struct run_options {
	const char *manifest;
	const char *libos;
	char **args;
	int nargs;
};

static int parse_options(int argc, char **argv, struct run_options *o)
{
	int i = 1;
	memset(o, 0, sizeof(*o));
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if ((!strcmp(argv[i], "-m") || !strcmp(argv[i], "--manifest")) &&
			   i + 1 < argc) {
			o->manifest = argv[++i];
		} else if (!strcmp(argv[i], "--libos") && i + 1 < argc) {
			o->libos = argv[++i];
		} else if (argv[i][0] == '-') {
			return moat_error(0, "run", "unknown option '%s' (try 'moat help')", argv[i]);
		} else {
			break;
		}
	}
	o->args = argv + i;
	o->nargs = argc - i;
	return 0;
}

/* Guest environment: the manifest's, or for the default the caller's;
 * then the settings every picoprocess of this sandbox shares.  MOAT_*
 * entries from outside never pass: a guest must not choose its settings. */
static char **guest_environment(const struct moat_manifest *m, bool inherit, const char *image,
				 const char *cwd)
{
	char *const *from = m->env ? m->env : inherit ? environ : (char *[]){ NULL };
	size_t n = 0, k = 0;
	while (from[n])
		n++;
	char **env = calloc(n + 8, sizeof(*env));
	static char sandbox[64], cpus[32], memory[48], name[PATH_MAX + 32], wd[PATH_MAX + 16],
		uid[32], gid[32];
	uint64_t id = 0;
	if (!env || getrandom(&id, sizeof(id), 0) != sizeof(id))
		return free(env), NULL;
	snprintf(sandbox, sizeof(sandbox), "MOAT_SANDBOX_ID=0x%llx", (unsigned long long)id | 1);
	snprintf(cpus, sizeof(cpus), "MOAT_CPUS=%ld", sysconf(_SC_NPROCESSORS_ONLN));
	snprintf(memory, sizeof(memory), "MOAT_MEMORY=%llu",
		 (unsigned long long)(m->limits.memory
					      ? m->limits.memory
					      : (uint64_t)sysconf(_SC_PHYS_PAGES) *
							(uint64_t)sysconf(_SC_PAGESIZE)));
	for (size_t i = 0; i < n; i++)
		if (strncmp(from[i], "MOAT_", 5))
			env[k++] = from[i];
	env[k++] = sandbox;
	env[k++] = cpus;
	env[k++] = memory;
	snprintf(name, sizeof(name), "MOAT_IMAGE_NAME=%s", image);
	env[k++] = name;
	snprintf(wd, sizeof(wd), "MOAT_CWD=%s", cwd); /* the library OS's starting cwd */
	env[k++] = wd;
	/* The sandbox's own user and group as its user namespace sees them
	 * (monitor/sandbox.c: 0 under host root, else the caller's), so the
	 * library OS can show the files they own as its own identity's. */
	bool root = geteuid() == 0;
	snprintf(uid, sizeof(uid), "MOAT_UID=%u", root ? 0u : (unsigned)geteuid());
	snprintf(gid, sizeof(gid), "MOAT_GID=%u", root ? 0u : (unsigned)getegid());
	env[k++] = uid;
	env[k++] = gid;
	return env;
}

/* The working directory inside the sandbox: the caller's, if a mount
 * makes it visible, else the root. */
static const char *guest_cwd(const struct moat_manifest *m, char *buf, size_t size)
{
	if (!getcwd(buf, size))
		return "/";
	for (size_t i = 0; i < m->nmounts; i++) {
		size_t n = strlen(m->mounts[i].guest);
		if (m->mounts[i].kind != MOAT_MOUNT_SYMLINK && !strncmp(buf, m->mounts[i].guest, n) &&
		    (buf[n] == '/' || buf[n] == 0 || n == 1))
			return buf;
	}
	return "/";
}

static int load_manifest(const struct run_options *o, struct moat_manifest *m)
{
	char err[512];
	int rc = o->manifest ? moat_manifest_load(o->manifest, m, err, sizeof(err))
			     : moat_manifest_default(m, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "moat: %s\n", err);
		return -1;
	}
	if (o->nargs && moat_manifest_set_argv(m, o->args, o->nargs) < 0)
		return moat_error(ENOMEM, "run", "arguments"), -1;
	/* A manifest describes a program; without -m the image runs bare. */
	if (o->manifest && (!m->argv || !m->argv[0]))
		return moat_error(0, o->manifest,
				  "no program (set 'program' in the manifest or give one after --)"),
		       -1;
	return 0;
}

static int image_readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return moat_error(errno, path, "cannot open the library OS image");
	close(fd);
	return 0;
}

static int run(const struct run_options *o, struct moat_manifest *m)
{
	char pal[PATH_MAX], libos[PATH_MAX], cwd[PATH_MAX], err[256];
	int rc = moat_sibling("pal", "MOAT_PAL", pal, sizeof(pal));
	const char *image = o->libos ? o->libos : m->libos;
	if (rc == 0 && !image)
		rc = moat_sibling("libos.so", "MOAT_LIBOS", libos, sizeof(libos));
	if (rc < 0)
		return moat_error(-rc, "run", "cannot find moat's files");
	if (image && !realpath(image, libos))
		return moat_error(errno, image, "cannot open the library OS image");
	if (image_readable(libos))
		return 1;
	if (moat_confine_probe(err, sizeof(err)) < 0)
		return moat_error(0, "run", "this host cannot confine a picoprocess: %s", err);
	size_t n = 0;
	while (m->argv && m->argv[n])
		n++;
	char **argv = calloc(n + 3, sizeof(*argv));
	const char *wd = guest_cwd(m, cwd, sizeof(cwd));
	char **envp = guest_environment(m, !o->manifest, image ? image : libos, wd);
	if (!argv || !envp)
		return free(argv), free(envp), moat_error(errno, "run", "out of memory");
	argv[0] = "moat-pal";
	argv[1] = MOAT_GUEST_LIBOS;
	for (size_t i = 0; i < n; i++)
		argv[i + 2] = m->argv[i];
	struct moat_sandbox_config cfg = { m, pal, libos, wd };
	struct moat_sandbox *sb;
	rc = 1;
	if (moat_sandbox_create(&cfg, &sb) == 0) {
		int status = moat_service_run(m, sb, argv, envp);
		moat_sandbox_destroy(sb);
		rc = status < 0 ? 1 : status;
	}
	free(argv);
	free(envp);
	return rc;
}

int moat_cmd_run(int argc, char **argv)
{
	struct run_options o;
	struct moat_manifest m;
	if (parse_options(argc, argv, &o))
		return 2;
	memset(&m, 0, sizeof(m));
	if (load_manifest(&o, &m) < 0)
		return 1;
	int rc = run(&o, &m);
	moat_manifest_free(&m);
	return rc;
}

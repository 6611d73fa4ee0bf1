/*
 * moat run: starts the first picoprocess and waits for it.
 *
 * The PAL executable is started with argv { "moat-pal", IMAGE, ARGS... }
 * and MOAT_* settings in its environment.  moat forwards SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT to it, returns its exit status (128+n for a signal),
 * and, as a child subreaper, ends and reaps every picoprocess still left
 * when the first one exits, so nothing outlives the command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>
#include <limits.h>
#include "monitor.h"

extern char **environ;
static volatile pid_t first_child;

static void forward_signal(int sig)
{
	if (first_child > 0)
		kill(first_child, sig);
}

static int image_readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return moat_error(errno, path, "cannot open the library OS image");
	close(fd);
	return 0;
}

/* environ plus the PAL's settings; MOAT_* from the caller are dropped so a
 * guest cannot be handed settings it should not choose. */
static char **pal_environment(void)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 5, sizeof(*env));
	static char sandbox[64], cpus[32], memory[48];
	uint64_t id = 0;
	if (!env || getrandom(&id, sizeof(id), 0) != sizeof(id))
		return free(env), NULL;
	snprintf(sandbox, sizeof(sandbox), "MOAT_SANDBOX_ID=0x%llx", (unsigned long long)id | 1);
	snprintf(cpus, sizeof(cpus), "MOAT_CPUS=%ld", sysconf(_SC_NPROCESSORS_ONLN));
	snprintf(memory, sizeof(memory), "MOAT_MEMORY=%llu",
		 (unsigned long long)sysconf(_SC_PHYS_PAGES) * (unsigned long long)sysconf(_SC_PAGESIZE));
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "MOAT_", 5))
			env[k++] = environ[i];
	env[k++] = sandbox;
	env[k++] = cpus;
	env[k++] = memory;
	return env;
}

/* Ends and reaps whatever the first picoprocess left behind. */
static void reap_all(void)
{
	for (int round = 0; round < 50; round++) {
		char path[64], buf[4096];
		snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
		int fd = open(path, O_RDONLY | O_CLOEXEC), any = 0;
		ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (len > 0) {
			buf[len] = 0;
			for (char *p = strtok(buf, " \n"); p; p = strtok(NULL, " \n"), any = 1)
				kill((pid_t)atoi(p), SIGKILL);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			any = 1;
		if (!any)
			return;
		usleep(1000);
	}
}

static int wait_first(pid_t child)
{
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return moat_error(errno, "wait", "lost the picoprocess");
	first_child = 0;
	reap_all();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void exec_pal(const char *pal, char **argv, char **env, int report_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execve(pal, argv, env);
	int err = errno;
	if (write(report_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

static int start(const char *pal, char **argv)
{
	int report[2], err = 0;
	char **env = pal_environment();
	if (!env)
		return moat_error(errno, "run", "cannot prepare the environment");
	if (pipe2(report, O_CLOEXEC) < 0)
		return moat_error(errno, "run", "pipe");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t child = fork();
	if (child < 0)
		return moat_error(errno, "run", "cannot start a picoprocess");
	if (child == 0)
		exec_pal(pal, argv, env, report[1]);
	first_child = child;
	close(report[1]);
	ssize_t n = read(report[0], &err, sizeof(err));
	close(report[0]);
	free(env);
	if (n == sizeof(err)) {
		wait_first(child);
		return moat_error(err, pal, "cannot start the PAL");
	}
	return wait_first(child);
}

int moat_cmd_run(int argc, char **argv)
{
	char pal[PATH_MAX], image[PATH_MAX];
	int i = 1;
	const char *libos = NULL;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--libos") && i + 1 < argc) {
			libos = argv[++i];
		} else if (argv[i][0] == '-') {
			return moat_error(0, "run", "unknown option '%s'", argv[i]), 2;
		} else {
			break;
		}
	}
	int rc = moat_sibling("pal", "MOAT_PAL", pal, sizeof(pal));
	if (rc == 0 && !libos)
		rc = moat_sibling("libos.so", "MOAT_LIBOS", image, sizeof(image));
	if (rc < 0)
		return moat_error(-rc, "run", "cannot find moat's files");
	if (libos)
		snprintf(image, sizeof(image), "%s", libos);
	if (image_readable(image))
		return 1;
	char **pargv = calloc((size_t)(argc - i) + 3, sizeof(*pargv));
	if (!pargv)
		return moat_error(errno, "run", "out of memory");
	pargv[0] = "moat-pal";
	pargv[1] = image;
	memcpy(pargv + 2, argv + i, (size_t)(argc - i) * sizeof(*pargv));
	struct sigaction sa = { .sa_handler = forward_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	rc = start(pal, pargv);
	free(pargv);
	return rc;
}

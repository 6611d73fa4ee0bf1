/*
 * A sandbox: one set of namespaces (user, pid, mount, network, ipc, uts)
 * with the mount view the manifest describes, and the picoprocesses in it.
 *
 * Inside the namespaces runs the sandbox's init, a small trusted process
 * (monitor code, not confined by seccomp) that is pid 1 there: it starts
 * picoprocesses when the monitor asks, applies each one's confinement
 * before its first instruction, reaps them and reports their exit.  When
 * init dies the kernel kills everything in the pid namespace, so killing
 * init ends the whole sandbox; init itself dies with the monitor
 * (PR_SET_PDEATHSIG).
 */
#ifndef MOAT_SANDBOX_H
#define MOAT_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>
#include "manifest.h"

/* Inside the sandbox, moat's own files appear here (read-only). */
#define MOAT_GUEST_DIR "/.moat"
#define MOAT_GUEST_PAL MOAT_GUEST_DIR "/pal"
#define MOAT_GUEST_LIBOS MOAT_GUEST_DIR "/libos.so"

struct moat_sandbox;

struct moat_sandbox_config {
	const struct moat_manifest *manifest;
	const char *pal_path;    /* host path of the PAL executable */
	const char *libos_path;  /* host path of the library OS image */
	const char *cwd;         /* guest working directory for picoprocesses */
};

/* Creates the namespaces, the mount view and the sandbox's init.
 * On failure prints one "moat: ..." line and returns -1. */
int moat_sandbox_create(const struct moat_sandbox_config *cfg, struct moat_sandbox **out);

/* Starts a confined picoprocess: the PAL with argv (argv[0] = "moat-pal",
 * argv[1] = guest image path, ...) and envp; channel_fd becomes its
 * MOAT_CHANNEL_FD, parent_fd (or -1) its MOAT_PARENT_FD.  Returns a pidfd
 * valid in the monitor, or -errno. */
int moat_sandbox_spawn(struct moat_sandbox *sb, uint64_t process_id, char *const argv[],
		       char *const envp[], int channel_fd, int parent_fd);

/* Descriptor that is readable when init reports an exit. */
int moat_sandbox_event_fd(struct moat_sandbox *sb);
/* Reads one exit report: 1 and the process id and status (exit code, or
 * 128+n for a signal); 0 if none is pending; -1 if init is gone. */
int moat_sandbox_read_exit(struct moat_sandbox *sb, uint64_t *process_id, int *status);

/* Sends a signal to one picoprocess (forwarded SIGINT/SIGTERM). */
int moat_sandbox_kill(struct moat_sandbox *sb, uint64_t process_id, int sig);

/* Kills everything in the sandbox and reaps init. */
void moat_sandbox_destroy(struct moat_sandbox *sb);

#endif

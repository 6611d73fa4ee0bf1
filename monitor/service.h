/*
 * The monitor's service loop: the table of the sandbox's picoprocesses,
 * their channels (include/moat/channel.h), and the services the kernel
 * cannot confine by itself: process creation and DNS.
 */
#ifndef MOAT_SERVICE_H
#define MOAT_SERVICE_H

#include "manifest.h"
#include "sandbox.h"

/* Starts the first picoprocess with argv/envp (as for moat_sandbox_spawn;
 * envp already holds the MOAT_* settings common to the sandbox), serves
 * every picoprocess's requests, forwards SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT to the first one, and returns when it exits: its exit status
 * (128+n for a signal), or -1 after printing one "moat: ..." line. */
int moat_service_run(const struct moat_manifest *m, struct moat_sandbox *sb, char *const argv[],
		     char *const envp[]);

#endif

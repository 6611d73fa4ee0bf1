/*
 * The service loop: the table of the sandbox's picoprocesses and the
 * requests they send over their channels (include/moat/channel.h).
 *
 * Everything a picoprocess sends is hostile until checked: requests are
 * decoded by moat_channel_decode(); a malformed one ends its sender (one
 * "moat: picoprocess N: ..." line on stderr) and the loop goes on.  The
 * loop never blocks on a picoprocess: replies are sent with MSG_DONTWAIT
 * and a picoprocess whose replies pile up unread is ended too; each
 * channel gets a bounded number of requests per poll round, so one
 * flooding picoprocess cannot starve the others or the exit reports.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <moat/dk.h>
#include "channel.h"
#include "service.h"

#define REQUESTS_PER_ROUND 8   /* per channel and poll round */
#define REPORTS_PER_ROUND 1024 /* exit reports read per poll round */
#define DEAD_KEPT_MAX 4096     /* exited, unqueried children remembered */
#define REPORT_WAIT_MS 1000    /* for a report the pidfd says is due */
#define DNS_ADDRS_MAX 32

struct proc {
	uint64_t id, parent;
	int chan;       /* our end of its channel, -1 once closed */
	int pidfd;      /* -1 if none */
	int status;     /* exit status once !alive */
	bool alive;     /* no exit report yet */
	bool queried;   /* its parent has been told the exit status */
	bool quiet;     /* a forked child's channel: not polled until it rings */
};

struct service {
	const struct moat_manifest *m;
	struct moat_sandbox *sb;
	char *const *envp;
	struct proc **procs;
	size_t n, cap;
	uint64_t next_id;
	size_t live;
	bool init_gone;
	unsigned char *buf; /* MOAT_MSG_MAX bytes: one received packet */
	struct moat_request *req;
	int bell[2];        /* the doorbell of quiet channels (include/moat/channel.h) */
	struct pollfd *qpfds; /* scan_quiet's, kept from one scan to the next */
	struct proc **qwho;
	size_t qroom;
};

/* ---- the table ------------------------------------------------------------ */
static struct proc *find(struct service *s, uint64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i]->id == id)
			return s->procs[i];
	return NULL;
}

static struct proc *add(struct service *s, uint64_t id, uint64_t parent, int chan, int pidfd)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct proc **p = realloc(s->procs, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->procs = p;
		s->cap = cap;
	}
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	*p = (struct proc){.id = id, .parent = parent, .chan = chan, .pidfd = pidfd, .alive = true};
	s->procs[s->n++] = p;
	s->live++;
	return p;
}

static void close_channel(struct proc *p)
{
	if (p->chan >= 0)
		close(p->chan);
	p->chan = -1;
}

/* Its channel has closed.  A forked picoprocess is the host child of its
 * parent (which reaps it): the monitor counts it until its channel closes,
 * at its exit. */
static void hung_up(struct service *s, struct proc *p)
{
	close_channel(p);
	if (p->pidfd < 0 && p->alive) {
		p->alive = false;
		s->live--;
	}
}

/* Looks at the quiet channels: one with a request pending is quiet no more
 * (the loop serves it next round), one whose picoprocess has ended is
 * closed.  Nothing else wakes the monitor when a quiet channel closes. */
static void scan_quiet(struct service *s)
{
	if (s->qroom < s->n) {
		struct pollfd *pf = realloc(s->qpfds, s->n * sizeof(*pf));
		if (pf)
			s->qpfds = pf;
		struct proc **who = realloc(s->qwho, s->n * sizeof(*who));
		if (who)
			s->qwho = who;
		if (!pf || !who)
			return; /* out of memory: the next look may do better */
		s->qroom = s->n;
	}
	struct pollfd *pf = s->qpfds;
	struct proc **who = s->qwho;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i]->quiet && s->procs[i]->chan >= 0) {
			who[k] = s->procs[i];
			pf[k] = (struct pollfd){.fd = who[k]->chan, .events = POLLIN};
			k++;
		}
	if (k && poll(pf, k, 0) > 0)
		for (size_t i = 0; i < k; i++) {
			if (pf[i].revents & (POLLHUP | POLLERR | POLLNVAL))
				hung_up(s, who[i]); /* a request left behind has nobody to answer */
			else if (pf[i].revents & POLLIN)
				who[i]->quiet = false; /* the loop serves it next round */
		}
}

/* The doorbell rang: empty the pipe, then look at the quiet channels.  A
 * picoprocess that keeps ringing gets one look per loop round, no more. */
static void answer_bell(struct service *s)
{
	char drain[4096];
	for (int i = 0; i < 16 && read(s->bell[0], drain, sizeof(drain)) > 0; i++)
		;
	scan_quiet(s);
}

static void drop(struct service *s, size_t i)
{
	struct proc *p = s->procs[i];
	close_channel(p);
	if (p->pidfd >= 0)
		close(p->pidfd);
	if (p->alive)
		s->live--;
	free(p);
	memmove(&s->procs[i], &s->procs[i + 1], (s->n - i - 1) * sizeof(*s->procs));
	s->n--;
}

/* Forgets picoprocesses nobody can ask about any more: exited, channel
 * closed, and either forked (the host tells the parent of the exit, never
 * the monitor), already reported to their parent, or with a parent that
 * can no longer ask.  (Forked ones used to be kept, and every round
 * looked up each one's parent: a cost that grew with every fork.)  At most
 * DEAD_KEPT_MAX others are remembered (oldest forgotten first), so a
 * picoprocess that starts children and never asks cannot grow the table
 * without bound. */
static void collect(struct service *s)
{
	size_t dead = 0;
	for (size_t i = s->n; i-- > 0;) {
		struct proc *p = s->procs[i];
		if (p->alive || p->chan >= 0 || p->id == 1)
			continue;
		struct proc *parent = p->pidfd < 0 || p->queried ? NULL : find(s, p->parent);
		if (parent && parent->chan >= 0)
			dead++;
		else
			drop(s, i);
	}
	for (size_t i = 0; dead > DEAD_KEPT_MAX && i < s->n;) {
		struct proc *p = s->procs[i];
		if (!p->alive && p->chan < 0 && p->id != 1) {
			drop(s, i);
			dead--;
		} else {
			i++;
		}
	}
}

static void record_exit(struct service *s, uint64_t id, int status)
{
	struct proc *p = find(s, id);
	if (!p || !p->alive)
		return;
	p->alive = false;
	p->status = status;
	s->live--;
}

/* Reads up to max pending exit reports; marks init gone if it is. */
static void read_reports(struct service *s, int max)
{
	for (int i = 0; i < max && !s->init_gone; i++) {
		uint64_t id;
		int status;
		int rc = moat_sandbox_read_exit(s->sb, &id, &status);
		if (rc < 0)
			s->init_gone = true;
		if (rc <= 0)
			break;
		record_exit(s, id, status);
	}
}

/* Ends a picoprocess that broke the protocol; the monitor goes on. */
static void end_proc(struct service *s, struct proc *p, const char *what, const char *why)
{
	fprintf(stderr, "moat: picoprocess %" PRIu64 ": %s (%s); ended\n", p->id, what, why);
	if (p->alive)
		moat_sandbox_kill(s->sb, p->id, SIGKILL);
	close_channel(p);
}

/* ---- starting picoprocesses ------------------------------------------------ */
static bool per_process_var(const char *e)
{
	return !strncmp(e, "MOAT_PROCESS_ID=", 16) || !strncmp(e, "MOAT_CHANNEL_FD=", 16) ||
	       !strncmp(e, "MOAT_PARENT_FD=", 15);
}

/* The sandbox's environment with MOAT_PROCESS_ID=id; one allocation. */
static char **child_env(char *const envp[], uint64_t id)
{
	size_t n = 0;
	while (envp && envp[n])
		n++;
	char **env = malloc((n + 2) * sizeof(char *) + 48);
	if (!env)
		return NULL;
	char *var = (char *)(env + n + 2);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!per_process_var(envp[i]))
			env[k++] = envp[i];
	snprintf(var, 48, "MOAT_PROCESS_ID=%" PRIu64, id);
	env[k++] = var;
	env[k] = NULL;
	return env;
}

/* Starts picoprocess id with argv; parent_fd (or -1) becomes its parent
 * stream.  Adds it to the table.  0 or -errno. */
static int spawn(struct service *s, uint64_t id, uint64_t parent, char *const argv[],
		 int parent_fd, struct proc **out)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	char **env = child_env(s->envp, id);
	if (!env) {
		close(sv[0]);
		close(sv[1]);
		return -ENOMEM;
	}
	int pidfd = moat_sandbox_spawn(s->sb, id, argv, env, sv[1], parent_fd);
	free(env);
	close(sv[1]);
	if (pidfd < 0) {
		close(sv[0]);
		return pidfd;
	}
	struct proc *p = add(s, id, parent, sv[0], pidfd);
	if (!p) {
		moat_sandbox_kill(s->sb, id, SIGKILL);
		close(sv[0]);
		close(pidfd);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

static int dk_error(int err)
{
	switch (err) {
	case ENOENT: return -DK_E_NOT_FOUND;
	case EACCES: case EPERM: return -DK_E_DENIED;
	case ENOMEM: case EMFILE: case ENFILE: case ENOBUFS: return -DK_E_NO_MEMORY;
	case EAGAIN: return -DK_E_WOULD_BLOCK;
	case ENAMETOOLONG: return -DK_E_NAME_TOO_LONG;
	case ENOTDIR: return -DK_E_NOT_DIRECTORY;
	case ELOOP: return -DK_E_LOOP;
	case EINVAL: return -DK_E_INVALID;
	default: return -DK_E_IO;
	}
}

/* ---- requests ---------------------------------------------------------------- */
/* Sends a reply; a picoprocess that cannot take it is ended.  false then. */
static bool reply(struct service *s, struct proc *p, uint32_t type, int32_t status, uint64_t arg,
		  const void *payload, size_t len, const int *fds, int nfds)
{
	int rc = moat_channel_send(p->chan, type, s->req->seq, status, arg, payload, len, fds,
				   nfds);
	if (rc == 0)
		return true;
	if (rc == -EPIPE || rc == -ECONNRESET) {
		close_channel(p); /* it hung up; its exit report will follow */
		return false;
	}
	end_proc(s, p, "cannot take its reply", rc == -EAGAIN ? "replies not read" : strerror(-rc));
	return false;
}

static void serve_create(struct service *s, struct proc *p, const struct moat_request *r)
{
	uint64_t limit = s->m ? s->m->limits.processes : 0;
	scan_quiet(s); /* forked children that have ended count no more */
	if (limit && s->live >= limit) {
		reply(s, p, MOAT_MSG_PROCESS_CREATED, -DK_E_LIMIT, 0, NULL, 0, NULL, 0);
		return;
	}
	const char *argv[MOAT_MSG_MAX_ARGS + 3];
	size_t k = 0;
	argv[k++] = "moat-pal";
	argv[k++] = r->image;
	for (size_t i = 0; i < r->nargs; i++)
		argv[k++] = r->args[i];
	argv[k] = NULL;

	int st[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, st) < 0) {
		reply(s, p, MOAT_MSG_PROCESS_CREATED, dk_error(errno), 0, NULL, 0, NULL, 0);
		return;
	}
	uint64_t id = s->next_id++;
	struct proc *child;
	int rc = spawn(s, id, p->id, (char *const *)argv, st[1], &child);
	close(st[1]);
	if (rc < 0) {
		close(st[0]);
		reply(s, p, MOAT_MSG_PROCESS_CREATED, dk_error(-rc), 0, NULL, 0, NULL, 0);
		return;
	}
	int fds[2] = {st[0], child->pidfd};
	reply(s, p, MOAT_MSG_PROCESS_CREATED, 0, id, NULL, 0, fds, 2);
	close(st[0]);
}

/* Channels for children the sender forks itself (the kernel copies the
 * sender; the monitor only counts the children and serves them): one for a
 * fork now (arg 0), or up to arg in advance, as many as leave half the
 * process limit free, so that spares held here and there cannot use up
 * the limit (each counts until its channel closes, used or not).  The
 * channels are quiet; the doorbell comes with them. */
static void serve_fork(struct service *s, struct proc *p, const struct moat_request *r)
{
	uint64_t limit = s->m ? s->m->limits.processes : 0;
	uint64_t want = r->arg ? r->arg : 1;
	scan_quiet(s); /* forked children that have ended count no more */
	if (limit) {
		uint64_t cap = r->arg ? limit / 2 : limit;
		uint64_t room = cap > s->live ? cap - s->live : 0;
		want = want < room ? want : room;
	}
	int fds[MOAT_FORK_SPARES_MAX + 1];
	int n = 0, err = -DK_E_LIMIT;
	while ((uint64_t)n < want) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
			err = dk_error(errno);
			break;
		}
		struct proc *child = add(s, s->next_id++, p->id, sv[0], -1);
		if (!child) {
			close(sv[0]);
			close(sv[1]);
			err = -DK_E_NO_MEMORY;
			break;
		}
		child->quiet = true;
		fds[n++] = sv[1];
	}
	fds[n] = s->bell[1];
	if (n)
		reply(s, p, MOAT_MSG_FORKED, 0, (uint64_t)n, NULL, 0, fds, n + 1);
	else
		reply(s, p, MOAT_MSG_FORKED, err, 0, NULL, 0, NULL, 0);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static bool pidfd_exited(int pidfd)
{
	struct pollfd pf = {.fd = pidfd, .events = POLLIN};
	return pidfd >= 0 && poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The pidfd says c has exited but init's report has not been read yet:
 * waits for it (bounded). */
static void await_report(struct service *s, struct proc *c)
{
	int64_t deadline = now_ms() + REPORT_WAIT_MS;
	while (c->alive && !s->init_gone) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return;
		struct pollfd pf = {.fd = moat_sandbox_event_fd(s->sb), .events = POLLIN};
		int rc = poll(&pf, 1, (int)left);
		if (rc < 0 && errno != EINTR)
			return;
		if (rc > 0)
			read_reports(s, REPORTS_PER_ROUND);
	}
}

static void serve_exit_code(struct service *s, struct proc *p, const struct moat_request *r)
{
	struct proc *c = r->arg ? find(s, r->arg) : NULL;
	if (!c || c->parent != p->id) {
		reply(s, p, MOAT_MSG_EXIT_CODE, -DK_E_BAD_HANDLE, 0, NULL, 0, NULL, 0);
		return;
	}
	if (c->alive && pidfd_exited(c->pidfd))
		await_report(s, c);
	if (c->alive) {
		reply(s, p, MOAT_MSG_EXIT_CODE, -DK_E_STILL_RUNNING, 0, NULL, 0, NULL, 0);
		return;
	}
	if (reply(s, p, MOAT_MSG_EXIT_CODE, 0, (uint64_t)c->status, NULL, 0, NULL, 0))
		c->queried = true;
}

/* Printable, no blanks or '#': what a host name may hold. */
static bool plausible_name(const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c <= ' ' || *c >= 0x7f || *c == '#')
			return false;
	return true;
}

static void serve_dns(struct service *s, struct proc *p, const struct moat_request *r)
{
	if (!s->m || !s->m->network) {
		reply(s, p, MOAT_MSG_DNS_RESULT, -DK_E_DENIED, 0, NULL, 0, NULL, 0);
		return;
	}
	if (!plausible_name(r->name)) {
		reply(s, p, MOAT_MSG_DNS_RESULT, -DK_E_INVALID, 0, NULL, 0, NULL, 0);
		return;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	if (getaddrinfo(r->name, NULL, &hints, &res) != 0 || !res) {
		reply(s, p, MOAT_MSG_DNS_RESULT, -DK_E_NOT_FOUND, 0, NULL, 0, NULL, 0);
		return;
	}
	unsigned char seen[DNS_ADDRS_MAX][16];
	int seen_family[DNS_ADDRS_MAX];
	int n = 0;
	char text[DNS_ADDRS_MAX * (INET6_ADDRSTRLEN + 1) + 1];
	size_t at = 0;
	const int families[2] = {AF_INET, AF_INET6};
	for (int f = 0; f < 2; f++)
		for (struct addrinfo *a = res; a && n < DNS_ADDRS_MAX; a = a->ai_next) {
			if (a->ai_family != families[f])
				continue;
			const void *addr;
			size_t len;
			if (a->ai_family == AF_INET) {
				addr = &((struct sockaddr_in *)a->ai_addr)->sin_addr;
				len = 4;
			} else {
				addr = &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
				len = 16;
			}
			bool dup = false;
			for (int i = 0; i < n && !dup; i++)
				dup = seen_family[i] == a->ai_family && !memcmp(seen[i], addr, len);
			if (dup || !inet_ntop(a->ai_family, addr, text + at, INET6_ADDRSTRLEN))
				continue;
			memcpy(seen[n], addr, len);
			seen_family[n++] = a->ai_family;
			at += strlen(text + at);
			text[at++] = '\n';
		}
	freeaddrinfo(res);
	text[at] = 0;
	if (!n)
		reply(s, p, MOAT_MSG_DNS_RESULT, -DK_E_NOT_FOUND, 0, NULL, 0, NULL, 0);
	else
		reply(s, p, MOAT_MSG_DNS_RESULT, 0, 0, text, at + 1, NULL, 0);
}

/* Serves up to REQUESTS_PER_ROUND requests pending on p's channel. */
static void serve_channel(struct service *s, struct proc *p)
{
	for (int i = 0; i < REQUESTS_PER_ROUND && p->chan >= 0; i++) {
		const char *why = NULL;
		long n = moat_channel_recv(p->chan, s->buf, &why);
		if (n == -EAGAIN)
			return;
		if (n == 0 || n == -ECONNRESET) {
			hung_up(s, p);
			return;
		}
		if (n < 0) {
			end_proc(s, p, "malformed message", why ? why : strerror((int)-n));
			return;
		}
		if (moat_channel_decode(s->buf, (size_t)n, s->req) < 0) {
			end_proc(s, p, "malformed message", s->req->why);
			return;
		}
		switch (s->req->type) {
		case MOAT_MSG_PROCESS_CREATE: serve_create(s, p, s->req); break;
		case MOAT_MSG_EXIT_CODE_QUERY: serve_exit_code(s, p, s->req); break;
		case MOAT_MSG_DNS_QUERY: serve_dns(s, p, s->req); break;
		case MOAT_MSG_FORK: serve_fork(s, p, s->req); break;
		}
	}
}

/* ---- the loop ---------------------------------------------------------------- */
static int loop(struct service *s, int sigfd)
{
	struct pollfd *pfds = NULL;
	struct proc **who = NULL;
	size_t room = 0;
	int result = -1;
	for (;;) {
		struct proc *first = find(s, 1);
		if (first && !first->alive) {
			result = first->status;
			break;
		}
		if (s->init_gone) {
			fprintf(stderr, "moat: the sandbox's init ended unexpectedly\n");
			break;
		}
		if (room < s->n + 3) {
			room = s->n + 16;
			struct pollfd *np = realloc(pfds, room * sizeof(*pfds));
			if (np)
				pfds = np;
			struct proc **nw = realloc(who, room * sizeof(*who));
			if (nw)
				who = nw;
			if (!np || !nw) {
				fprintf(stderr, "moat: out of memory\n");
				break;
			}
		}
		size_t n = 0;
		pfds[n++] = (struct pollfd){.fd = moat_sandbox_event_fd(s->sb), .events = POLLIN};
		pfds[n++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
		pfds[n++] = (struct pollfd){.fd = s->bell[0], .events = POLLIN};
		for (size_t i = 0; i < s->n; i++)
			if (s->procs[i]->chan >= 0 && !s->procs[i]->quiet) {
				who[n] = s->procs[i];
				pfds[n++] = (struct pollfd){.fd = s->procs[i]->chan, .events = POLLIN};
			}
		if (poll(pfds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "moat: poll: %s\n", strerror(errno));
			break;
		}
		if (pfds[1].revents & POLLIN) {
			struct signalfd_siginfo si[8];
			ssize_t got = read(sigfd, si, sizeof(si));
			for (ssize_t i = 0; i < got / (ssize_t)sizeof(si[0]); i++)
				moat_sandbox_kill(s->sb, 1, (int)si[i].ssi_signo);
		}
		if (pfds[0].revents)
			read_reports(s, REPORTS_PER_ROUND);
		if (pfds[2].revents)
			answer_bell(s);
		/* Channels added (or made loud) while serving are polled next round. */
		for (size_t i = 3; i < n; i++) {
			struct proc *p = who[i];
			if (p->chan != pfds[i].fd || !pfds[i].revents)
				continue;
			if (pfds[i].revents & POLLIN)
				serve_channel(s, p);
			else if (pfds[i].revents & (POLLHUP | POLLERR | POLLNVAL))
				hung_up(s, p);
		}
		collect(s);
	}
	free(pfds);
	free(who);
	return result;
}

int moat_service_run(const struct moat_manifest *m, struct moat_sandbox *sb, char *const argv[],
		     char *const envp[])
{
	struct service s = {.m = m, .sb = sb, .envp = envp, .next_id = 1, .bell = {-1, -1}};
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &mask, &old) < 0) {
		fprintf(stderr, "moat: sigprocmask: %s\n", strerror(errno));
		return -1;
	}
	int result = -1;
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	s.buf = malloc(MOAT_MSG_MAX);
	s.req = malloc(sizeof(*s.req));
	if (sigfd < 0 || !s.buf || !s.req || pipe2(s.bell, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "moat: cannot set up the service loop: %s\n", strerror(errno));
		goto out;
	}
	struct proc *first;
	uint64_t id = s.next_id++;
	int rc = spawn(&s, id, 0, argv, -1, &first);
	if (rc < 0) {
		fprintf(stderr, "moat: cannot start the first picoprocess: %s\n", strerror(-rc));
		goto out;
	}
	result = loop(&s, sigfd);
out:
	while (s.n)
		drop(&s, s.n - 1);
	free(s.procs);
	free(s.buf);
	free(s.req);
	free(s.qpfds);
	free(s.qwho);
	for (int i = 0; i < 2; i++)
		if (s.bell[i] >= 0)
			close(s.bell[i]);
	if (sigfd >= 0)
		close(sigfd);
	/* The four signals stay blocked: one that arrives now, while the
	 * caller tears the sandbox down, must not kill moat before it returns
	 * the program's status. */
	(void)old;
	return result;
}

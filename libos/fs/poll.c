/*
 * poll, ppoll, select, pselect6 and epoll, all over ops->poll: each file
 * reports its ready bits now and a handle that is signalled when they may
 * change; the caller waits on those handles (libos_wait) until something
 * is ready, the timeout passes, or a signal arrives.
 *
 *   - More handles than one wait takes (FS_POLL_MAX_HANDLES): the wait is
 *     cut into 10 ms slices and everything is asked again.
 *   - timerfds have no handle for their expiry: their next expiry caps the
 *     wait.
 *   - epoll: EPOLLET on a pipe or an eventfd reports the entry once per
 *     event (the object counts writes and reads: a new write reports a
 *     still-readable pipe again, as Linux does); while such an entry is
 *     ready but already reported, the wait is cut into 10 ms slices (its
 *     handle stays signalled).  On other files EPOLLET is treated as
 *     level-triggered (a correct edge-triggered program reads until
 *     EAGAIN, so it sees the same data; it may be woken more often).
 *     EPOLLONESHOT disables the entry after one report, as on Linux.  An entry goes when
 *     its descriptor is closed (checked at each wait).
 */
#include "fs.h"
#include <linux/poll.h>
#include <linux/eventpoll.h>

#define SLICE_NS 10000000ll

struct ktimespec { int64_t tv_sec, tv_nsec; };

static int64_t now_ns(void)
{
	return (int64_t)fs_now_ns(DK_CLOCK_MONOTONIC);
}

/* The ready bits of f among events (errors and hangups always count). */
static int file_poll(struct libos_file *f, int events, DK_HANDLE *wait)
{
	int m;
	*wait = DK_HANDLE_NONE;
	if (f->ops->poll)
		m = f->ops->poll(f, wait);
	else
		m = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return m & (events | POLLERR | POLLHUP | POLLNVAL);
}

struct waitset {
	DK_HANDLE h[FS_POLL_MAX_HANDLES];
	size_t n;
	bool overflow;
	int64_t cap;  /* an earlier wake-up (timerfd), absolute ns, or 0 */
};

static void ws_add(struct waitset *ws, struct libos_file *f, DK_HANDLE h)
{
	if (f->ops == &fs_timerfd_ops) {
		int64_t d = (int64_t)fs_timerfd_deadline(f);
		if (d && (!ws->cap || d < ws->cap))
			ws->cap = d;
	}
	if (!h)
		return;
	for (size_t i = 0; i < ws->n; i++)
		if (ws->h[i] == h)
			return;
	if (ws->n == FS_POLL_MAX_HANDLES)
		ws->overflow = true;
	else
		ws->h[ws->n++] = h;
}

/* Waits for the set until deadline (absolute, -1 none).  0: look again;
 * 1: the deadline passed; -EINTR. */
static long ws_wait(struct waitset *ws, int64_t deadline)
{
	int64_t now = now_ns(), until = deadline;
	if (deadline >= 0 && now >= deadline)
		return 1;
	if (libos_signal_pending(libos_current()))
		return -EINTR;
	if (ws->cap && (until < 0 || ws->cap < until))
		until = ws->cap;
	if (ws->overflow && (until < 0 || until > now + SLICE_NS))
		until = now + SLICE_NS;
	int64_t t = until < 0 ? -1 : (until > now ? until - now : 0);
	if (t < 0 && !ws->n)
		t = 1000000000ll; /* nothing but a signal can wake us: look again each second */
	long rc = libos_wait(ws->n, ws->h, t);
	if (rc == -EINTR)
		return -EINTR;
	if (rc == -ETIMEDOUT && deadline >= 0 && now_ns() >= deadline)
		return 1;
	return 0;
}

static int64_t deadline_ms(int ms)
{
	return ms < 0 ? -1 : now_ns() + (int64_t)ms * 1000000;
}

static long deadline_ts(const void *uts, int64_t *deadline)
{
	struct ktimespec ts;
	*deadline = -1;
	if (!uts)
		return 0;
	if (fs_from_user(&ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	int64_t ns = ts.tv_sec > 9000000000ll ? INT64_MAX / 2 : ts.tv_sec * 1000000000ll + ts.tv_nsec;
	*deadline = now_ns() + ns;
	return 0;
}

/* ---- poll -------------------------------------------------------------------------------- */

static long do_poll(struct pollfd *ufds, unsigned long nfds, int64_t deadline)
{
	if (nfds > libos_fd_limit && nfds > 1024)
		return -EINVAL;
	struct pollfd small[16], *fds = small;
	if (nfds > 16 && !(fds = libos_alloc(nfds * sizeof(*fds))))
		return -ENOMEM;
	long rc;
	if (nfds && fs_from_user(fds, ufds, nfds * sizeof(*fds)) < 0) {
		rc = -EFAULT;
		goto out;
	}
	for (;;) {
		struct waitset ws = { .n = 0 };
		long ready = 0;
		for (unsigned long i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			struct libos_file *f = libos_fd_get(fds[i].fd);
			if (!f) {
				fds[i].revents = POLLNVAL;
				ready++;
				continue;
			}
			DK_HANDLE h;
			fds[i].revents = (short)file_poll(f, fds[i].events, &h);
			if (fds[i].revents)
				ready++;
			else
				ws_add(&ws, f, h);
			libos_file_put(f);
		}
		if (ready) {
			rc = ready;
			break;
		}
		long w = ws_wait(&ws, deadline);
		if (w) {
			rc = w == 1 ? 0 : w;
			break;
		}
	}
	if (rc >= 0 && nfds) {
		for (unsigned long i = 0; i < nfds; i++)
			if (fs_to_user(&ufds[i].revents, &fds[i].revents, sizeof(short)) < 0) {
				rc = -EFAULT;
				break;
			}
	}
out:
	if (fds != small)
		libos_free(fds);
	return rc;
}

LIBOS_SYSCALL(poll)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_poll((struct pollfd *)a0, (unsigned long)a1, deadline_ms((int)a2));
}

static long mask_in(const void *umask, size_t size, uint64_t *mask)
{
	if (!umask)
		return 0;
	if (size != 8)
		return -EINVAL;
	return fs_from_user(mask, umask, 8);
}

LIBOS_SYSCALL(ppoll)
{
	int64_t deadline;
	uint64_t mask;
	long rc = deadline_ts((const void *)a2, &deadline);
	if (rc < 0 || (rc = mask_in((const void *)a3, (size_t)a4, &mask)) < 0)
		return rc;
	if (!a3)
		return do_poll((struct pollfd *)a0, (unsigned long)a1, deadline);
	uint64_t old = libos_signal_mask_swap(mask);
	rc = do_poll((struct pollfd *)a0, (unsigned long)a1, deadline);
	LIBOS_UNUSED_ARGS(a5);
	return libos_signal_mask_restore(old, rc);
}

/* ---- select --------------------------------------------------------------------------------- */

#define SEL_IN (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX POLLPRI

static long do_select(int nfds, uint64_t *ur, uint64_t *uw, uint64_t *ue, int64_t deadline)
{
	if (nfds < 0)
		return -EINVAL;
	if ((unsigned)nfds > libos_fd_limit)
		nfds = (int)libos_fd_limit;
	size_t words = ((size_t)nfds + 63) / 64, bytes = words * 8;
	uint64_t *in = libos_alloc(6 * (bytes ? bytes : 8));
	if (!in)
		return -ENOMEM;
	uint64_t *r = in, *w = in + words, *e = in + 2 * words;
	uint64_t *or = in + 3 * words, *ow = in + 4 * words, *oe = in + 5 * words;
	long rc = 0;
	if ((ur && fs_from_user(r, ur, bytes) < 0) || (uw && fs_from_user(w, uw, bytes) < 0) ||
	    (ue && fs_from_user(e, ue, bytes) < 0)) {
		rc = -EFAULT;
		goto out;
	}
	if (!ur)
		memset(r, 0, bytes);
	if (!uw)
		memset(w, 0, bytes);
	if (!ue)
		memset(e, 0, bytes);
	for (;;) {
		struct waitset ws = { .n = 0 };
		long ready = 0;
		memset(or, 0, 3 * bytes);
		for (int fd = 0; fd < nfds; fd++) {
			uint64_t bit = 1ull << (fd % 64);
			size_t k = (size_t)fd / 64;
			if (!((r[k] | w[k] | e[k]) & bit))
				continue;
			struct libos_file *f = libos_fd_get(fd);
			if (!f) {
				rc = -EBADF;
				goto out;
			}
			int ev = ((r[k] & bit) ? SEL_IN : 0) | ((w[k] & bit) ? SEL_OUT : 0) |
				 ((e[k] & bit) ? SEL_EX : 0);
			DK_HANDLE h;
			int m = file_poll(f, ev, &h);
			bool any = false;
			if ((r[k] & bit) && (m & SEL_IN))
				or[k] |= bit, ready++, any = true;
			if ((w[k] & bit) && (m & SEL_OUT))
				ow[k] |= bit, ready++, any = true;
			if ((e[k] & bit) && (m & SEL_EX))
				oe[k] |= bit, ready++, any = true;
			if (!any)
				ws_add(&ws, f, h);
			libos_file_put(f);
		}
		if (ready) {
			rc = ready;
			break;
		}
		long wr = ws_wait(&ws, deadline);
		if (wr) {
			rc = wr == 1 ? 0 : wr;
			break;
		}
	}
	if (rc >= 0 && ((ur && fs_to_user(ur, or, bytes) < 0) || (uw && fs_to_user(uw, ow, bytes) < 0) ||
			(ue && fs_to_user(ue, oe, bytes) < 0)))
		rc = -EFAULT;
out:
	libos_free(in);
	return rc;
}

struct ktimeval { int64_t tv_sec, tv_usec; };

LIBOS_SYSCALL(select)
{
	LIBOS_UNUSED_ARGS(a5);
	int64_t deadline = -1;
	struct ktimeval tv;
	if (a4) {
		if (fs_from_user(&tv, (const void *)a4, sizeof(tv)) < 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		int64_t ns = tv.tv_sec > 9000000000ll ? INT64_MAX / 2
						      : tv.tv_sec * 1000000000ll + (tv.tv_usec % 1000000) * 1000 +
							(tv.tv_usec / 1000000) * 1000000000ll;
		deadline = now_ns() + ns;
	}
	long rc = do_select((int)a0, (uint64_t *)a1, (uint64_t *)a2, (uint64_t *)a3, deadline);
	if (a4 && rc != -EFAULT) {
		/* Linux writes back the time left. */
		int64_t left = deadline - now_ns();
		if (left < 0)
			left = 0;
		tv.tv_sec = left / 1000000000ll;
		tv.tv_usec = (left % 1000000000ll) / 1000;
		fs_to_user((void *)a4, &tv, sizeof(tv));
	}
	return rc;
}

LIBOS_SYSCALL(pselect6)
{
	int64_t deadline;
	long rc = deadline_ts((const void *)a4, &deadline);
	if (rc < 0)
		return rc;
	struct { const void *set; size_t size; } sm = { NULL, 0 };
	if (a5 && fs_from_user(&sm, (const void *)a5, sizeof(sm)) < 0)
		return -EFAULT;
	uint64_t mask;
	if (sm.set && (rc = mask_in(sm.set, sm.size, &mask)) < 0)
		return rc;
	if (!sm.set)
		return do_select((int)a0, (uint64_t *)a1, (uint64_t *)a2, (uint64_t *)a3, deadline);
	uint64_t old = libos_signal_mask_swap(mask);
	rc = do_select((int)a0, (uint64_t *)a1, (uint64_t *)a2, (uint64_t *)a3, deadline);
	return libos_signal_mask_restore(old, rc);
}

/* ---- epoll ------------------------------------------------------------------------------------ */

struct ep_item {
	int fd;
	struct libos_file *file; /* identity only: no reference */
	uint32_t events;
	uint64_t data;
	bool disabled;           /* EPOLLONESHOT fired */
	bool et_reported;        /* EPOLLET: reported at event count et_key */
	uint64_t et_key;
};

struct epoll {
	struct libos_lock lock;
	struct ep_item *items;
	size_t n, cap, cursor;
};

static int ep_poll(struct libos_file *f, DK_HANDLE *wait);

static void ep_release(struct libos_file *f)
{
	struct epoll *ep = f->priv;
	if (ep->lock.event)
		dk->DkObjectClose(ep->lock.event);
	libos_free(ep->items);
	libos_free(ep);
}

static long ep_stat(struct libos_file *f, void *kst)
{
	fs_synth_stat(kst, 0600, ((uintptr_t)f >> 4) & 0xffffffff, 0, 0);
	return 0;
}

const struct libos_file_ops fs_epoll_ops = {
	.stat = ep_stat,
	.poll = ep_poll,
	.release = ep_release,
};

static long do_epoll_create(int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	struct epoll *ep = libos_alloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	struct libos_file *f = libos_file_new(&fs_epoll_ops, O_RDWR, ep);
	if (!f) {
		libos_free(ep);
		return -ENOMEM;
	}
	return fs_install(f, 0, flags & O_CLOEXEC);
}

LIBOS_SYSCALL(epoll_create)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	if (a0 <= 0)
		return -EINVAL;
	return do_epoll_create(0);
}

LIBOS_SYSCALL(epoll_create1)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return do_epoll_create((int)a0);
}

LIBOS_SYSCALL(epoll_ctl)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	int op = (int)a1, fd = (int)a2;
	struct epoll_event ev = { 0 };
	if (op != EPOLL_CTL_DEL && fs_from_user(&ev, (const void *)a3, sizeof(ev)) < 0)
		return -EFAULT;
	struct libos_file *ef = libos_fd_get((int)a0);
	if (!ef)
		return -EBADF;
	struct libos_file *f = libos_fd_get(fd);
	long rc = 0;
	if (!f) {
		rc = -EBADF;
		goto out;
	}
	if (ef->ops != &fs_epoll_ops || f == ef) {
		rc = -EINVAL;
		goto out;
	}
	/* Linux refuses files that are always ready (regular files, dirs). */
	if (f->ops == &fs_host_ops || f->ops == &fs_synth_file_ops || f->ops == &fs_synth_dir_ops) {
		struct stat st;
		if (fs_stat_file(f, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
			rc = -EPERM;
			goto out;
		}
	}
	struct epoll *ep = ef->priv;
	libos_lock(&ep->lock);
	size_t i;
	for (i = 0; i < ep->n; i++)
		if (ep->items[i].fd == fd && ep->items[i].file == f)
			break;
	/* Drop entries whose descriptor now holds another file. */
	if (i == ep->n)
		for (size_t k = 0; k < ep->n; k++)
			if (ep->items[k].fd == fd) {
				ep->items[k] = ep->items[--ep->n];
				break;
			}
	for (i = 0; i < ep->n; i++)
		if (ep->items[i].fd == fd && ep->items[i].file == f)
			break;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (i < ep->n) {
			rc = -EEXIST;
			break;
		}
		if (ep->n == ep->cap) {
			size_t cap = ep->cap ? ep->cap * 2 : 8;
			struct ep_item *it = libos_realloc(ep->items, cap * sizeof(*it));
			if (!it) {
				rc = -ENOMEM;
				break;
			}
			ep->items = it;
			ep->cap = cap;
		}
		ep->items[ep->n++] = (struct ep_item){ fd, f, ev.events, ev.data, false, false, 0 };
		break;
	case EPOLL_CTL_MOD:
		if (i == ep->n) {
			rc = -ENOENT;
			break;
		}
		if (ev.events & EPOLLEXCLUSIVE) {
			rc = -EINVAL;
			break;
		}
		ep->items[i].events = ev.events;
		ep->items[i].data = ev.data;
		ep->items[i].disabled = false;
		ep->items[i].et_reported = false;
		break;
	case EPOLL_CTL_DEL:
		if (i == ep->n) {
			rc = -ENOENT;
			break;
		}
		ep->items[i] = ep->items[--ep->n];
		break;
	default:
		rc = -EINVAL;
	}
	libos_unlock(&ep->lock);
out:
	if (f)
		libos_file_put(f);
	libos_file_put(ef);
	return rc;
}

/* EPOLLET: a number that changes with every event that may make f ready
 * for events; false when f counts none. */
static bool et_key(struct libos_file *f, uint32_t events, uint64_t *key)
{
	uint64_t in, out;
	if (f->ops == &fs_pipe_ops)
		fs_pipe_seq(f, &in, &out);
	else if (fs_host_pipe_key(f, &in))
		out = 0;
	else if (f->ops == &fs_eventfd_ops)
		fs_eventfd_seq(f, &in, &out);
	else
		return false;
	*key = ((events & (EPOLLIN | EPOLLRDNORM | EPOLLRDHUP)) ? in : 0) +
	       ((events & (EPOLLOUT | EPOLLWRNORM)) ? out : 0);
	return true;
}

/* Collects up to max ready events (max 0: only whether any is ready). */
static long ep_collect(struct epoll *ep, struct epoll_event *out, int max, struct waitset *ws)
{
	long got = 0;
	libos_lock(&ep->lock);
	size_t n = ep->n;
	for (size_t k = 0; k < n && (max == 0 ? got == 0 : got < max); k++) {
		size_t i = (ep->cursor + k) % n;
		struct ep_item *it = &ep->items[i];
		if (it->disabled)
			continue;
		struct libos_file *f = libos_fd_get(it->fd);
		if (f != it->file) {
			if (f)
				libos_file_put(f);
			continue; /* closed: dropped at the next epoll_ctl on the fd */
		}
		DK_HANDLE h;
		uint64_t key = 0;
		bool et = (it->events & EPOLLET) && et_key(f, it->events, &key);
		int m = file_poll(f, (int)(it->events & ~(EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE |
							   EPOLLWAKEUP)), &h);
		if (m && et && it->et_reported && it->et_key == key) {
			/* Reported, and nothing happened since: its handle stays
			 * signalled, so look again in slices. */
			if (ws)
				ws->overflow = true;
		} else if (m) {
			if (max) {
				out[got].events = (uint32_t)m;
				out[got].data = it->data;
				if (it->events & EPOLLONESHOT)
					it->disabled = true;
				it->et_reported = et;
				it->et_key = key;
			}
			got++;
		} else {
			it->et_reported = false;
			if (ws)
				ws_add(ws, f, h);
		}
		libos_file_put(f);
	}
	if (max && n)
		ep->cursor = (ep->cursor + (size_t)got) % n;
	libos_unlock(&ep->lock);
	return got;
}

static int ep_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct waitset ws = { .n = 0 };
	long got = ep_collect(f->priv, NULL, 0, &ws);
	*wait = ws.n ? ws.h[0] : DK_HANDLE_NONE;
	return got ? POLLIN | POLLRDNORM : 0;
}

static long do_epoll_wait(int epfd, struct epoll_event *uev, int max, int64_t deadline)
{
	if (max <= 0 || max > 0x7fffffff / (int)sizeof(struct epoll_event))
		return -EINVAL;
	struct libos_file *ef = libos_fd_get(epfd);
	if (!ef)
		return -EBADF;
	if (ef->ops != &fs_epoll_ops) {
		libos_file_put(ef);
		return -EINVAL;
	}
	int cap = max < 256 ? max : 256;
	struct epoll_event *ev = libos_alloc((size_t)cap * sizeof(*ev));
	long rc;
	if (!ev) {
		libos_file_put(ef);
		return -ENOMEM;
	}
	for (;;) {
		struct waitset ws = { .n = 0 };
		long got = ep_collect(ef->priv, ev, cap, &ws);
		if (got) {
			rc = fs_to_user(uev, ev, (size_t)got * sizeof(*ev)) < 0 ? -EFAULT : got;
			break;
		}
		long w = ws_wait(&ws, deadline);
		if (w) {
			rc = w == 1 ? 0 : w;
			break;
		}
	}
	libos_free(ev);
	libos_file_put(ef);
	return rc;
}

LIBOS_SYSCALL(epoll_wait)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_epoll_wait((int)a0, (struct epoll_event *)a1, (int)a2, deadline_ms((int)a3));
}

static long pwait(long epfd, long uev, long max, int64_t deadline, const void *umask, size_t size)
{
	uint64_t mask;
	long rc;
	if (!umask)
		return do_epoll_wait((int)epfd, (struct epoll_event *)uev, (int)max, deadline);
	if ((rc = mask_in(umask, size, &mask)) < 0)
		return rc;
	uint64_t old = libos_signal_mask_swap(mask);
	rc = do_epoll_wait((int)epfd, (struct epoll_event *)uev, (int)max, deadline);
	return libos_signal_mask_restore(old, rc);
}

LIBOS_SYSCALL(epoll_pwait)
{
	return pwait(a0, a1, a2, deadline_ms((int)a3), (const void *)a4, (size_t)a5);
}

LIBOS_SYSCALL(epoll_pwait2)
{
	int64_t deadline;
	long rc = deadline_ts((const void *)a3, &deadline);
	if (rc < 0)
		return rc;
	return pwait(a0, a1, a2, deadline, (const void *)a4, (size_t)a5);
}

/* Host errno -> Dk error: the one place Linux error numbers are translated. */
#include "pal.h"
#include "linux/host.h"
#include <asm-generic/errno.h>

int pal_dk_error(long host_rc)
{
	switch (-host_rc) {
	case EINVAL: case EBADF: case ENXIO: case ESPIPE: case EDOM: case ERANGE:
		return -DK_E_INVALID;
	case EFAULT: return -DK_E_BAD_POINTER;
	case ENOMEM: case EMFILE: case ENFILE: return -DK_E_NO_MEMORY;
	case ENOENT: case ESRCH: case ENODEV: return -DK_E_NOT_FOUND;
	case EEXIST: return -DK_E_EXISTS;
	case EACCES: case EPERM: return -DK_E_DENIED;
	case ETIMEDOUT: return -DK_E_TIMEOUT;
	case EINTR: return -DK_E_INTERRUPTED;
	case EAGAIN: case EINPROGRESS: case EALREADY: return -DK_E_WOULD_BLOCK;
	case E2BIG: case EFBIG: case EOVERFLOW: case EMSGSIZE: return -DK_E_LIMIT;
	case ENOSYS: return -DK_E_NOT_IMPLEMENTED;
	case EOPNOTSUPP: case EAFNOSUPPORT: case EPROTONOSUPPORT: case ENOTSOCK:
	case ENOTTY: case EISCONN: case ENOTCONN:
		return -DK_E_UNSUPPORTED;
	case ENOTDIR: return -DK_E_NOT_DIRECTORY;
	case EISDIR: return -DK_E_IS_DIRECTORY;
	case ENOTEMPTY: return -DK_E_NOT_EMPTY;
	case ENOSPC: case EDQUOT: return -DK_E_NO_SPACE;
	case EPIPE: case ESHUTDOWN: return -DK_E_CLOSED;
	case ECONNREFUSED: case ENETUNREACH: case EHOSTUNREACH: return -DK_E_REFUSED;
	case ECONNRESET: case ECONNABORTED: return -DK_E_RESET;
	case EADDRINUSE: case EADDRNOTAVAIL: return -DK_E_ADDRESS_IN_USE;
	case ECHILD: return -DK_E_STILL_RUNNING;
	case ENAMETOOLONG: return -DK_E_NAME_TOO_LONG;
	case EXDEV: return -DK_E_CROSS_DEVICE;
	case EROFS: case ETXTBSY: return -DK_E_READ_ONLY;
	case ELOOP: return -DK_E_LOOP;
	case EBUSY: return -DK_E_BUSY;
	default: return -DK_E_IO;
	}
}

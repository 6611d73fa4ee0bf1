/*
 * The Linux host's stream providers, by URI scheme.  The common layer picks
 * the first whose scheme (with its colon) begins the URI.
 */
#include "pal.h"
#include "streams.h"

/* http.server: and http.application: need the monitor's HTTP
 * demultiplexer, which version 1 does not have. */
static int http_open(struct pal_object *obj, const char *rest, uint32_t access,
		     uint32_t create, uint32_t options, uint32_t mode)
{
	(void)obj, (void)rest, (void)access, (void)create, (void)options, (void)mode;
	return -DK_E_NOT_IMPLEMENTED;
}

const struct pal_stream_ops pal_http_server_ops = {
	.scheme = "http.server:",
	.open = http_open,
};

const struct pal_stream_ops pal_http_application_ops = {
	.scheme = "http.application:",
	.open = http_open,
};

const struct pal_stream_ops *const pal_host_providers[] = {
	&pal_file_ops,        &pal_null_ops,        &pal_stdin_ops,
	&pal_stdout_ops,      &pal_stderr_ops,      &pal_pipe_server_ops,
	&pal_pipe_client_ops, &pal_tcp_server_ops,  &pal_tcp_client_ops,
	&pal_tcp_ops,         &pal_dns_ops,         &pal_http_server_ops,
	&pal_http_application_ops, NULL,
};

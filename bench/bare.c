/*
 * bare.c - the yardstick: a bare evhttp handler answering a fixed JSON
 * body, on the same machine and loop design as lejrd, so benchmark
 * figures can be read as ratios.
 *
 *     bench/bare PORT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

static const char body[] =
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";

static void
answer(struct evhttp_request *req, void *arg)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", "application/json");
	evbuffer_add_reference(out, body, sizeof(body) - 1, NULL, NULL);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static void
stop(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

int
main(int argc, char **argv)
{
	struct event_base *base;
	struct evhttp *http;
	struct event *term;
	int port;

	if (argc != 2 || (port = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}

	base = event_base_new();
	http = evhttp_new(base);
	if (base == NULL || http == NULL ||
	    evhttp_bind_socket(http, "127.0.0.1", (unsigned short)port) != 0) {
		fprintf(stderr, "bare: cannot listen on 127.0.0.1:%d\n", port);
		return 1;
	}
	evhttp_set_gencb(http, answer, NULL);

	term = evsignal_new(base, SIGTERM, stop, base);
	event_add(term, NULL);
	event_base_dispatch(base);

	event_free(term);
	evhttp_free(http);
	event_base_free(base);
	return 0;
}

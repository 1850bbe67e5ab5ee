"""Serves Debian's python3-placement (OpenStack Placement 8.0) for the tests.

Usage: real-placement.py CONFIG_DIR. Placement reads CONFIG_DIR/placement.conf (written by
test/support/real-placement.ts: noauth2, its own SQLite file or database). Listens on a free
port of 127.0.0.1, prints "listening PORT" once it serves, and stops on SIGTERM or when its
standard input closes (so a test runner that dies never leaves it behind).
"""
import os
import signal
import socketserver
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ["OS_PLACEMENT_CONFIG_DIR"] = sys.argv[1]
from placement import wsgi  # noqa: E402  (reads the config directory at import)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass

    def get_environ(self):
        # wsgiref invents CONTENT_TYPE=text/plain for a request without one; mod_wsgi and uwsgi
        # leave it out, and Placement then says "media type None" in its 415s, as production does.
        env = super().get_environ()
        if self.headers.get("content-type") is None:
            env.pop("CONTENT_TYPE", None)
        return env


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


app = wsgi.init_application()
server = make_server("127.0.0.1", 0, app, server_class=ThreadingServer, handler_class=QuietHandler)


def stop(*_):
    threading.Thread(target=server.shutdown, daemon=True).start()


signal.signal(signal.SIGTERM, stop)
threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()

"""`tbms backup serve`: the backups' state over HTTP, for Prometheus (`/metrics`) and the gateway's 運用状況
page (`/status`, JSON), read from the backup target at each request (N06)."""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_PORT = 9187


StatusOf = Callable[[], dict[str, Any]]
MetricsOf = Callable[[dict[str, Any]], str]


def server(status_of: StatusOf, metrics_of: MetricsOf, address: tuple[str, int]) -> ThreadingHTTPServer:
    """An HTTP server answering GET /status and GET /metrics (nothing else, never a write)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path not in ("/status", "/metrics"):
                self.send_error(404)
                return
            state = status_of()
            if self.path == "/status":
                body, kind = json.dumps(state, ensure_ascii=False).encode(), "application/json; charset=utf-8"
            else:
                body, kind = (metrics_of(state) + "\n").encode(), "text/plain; version=0.0.4; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # scrapes every 15 s would drown the job's own log

    return ThreadingHTTPServer(address, Handler)


def serve(status_of: StatusOf, metrics_of: MetricsOf, address: tuple[str, int]) -> None:
    """Serves the backups' state until stopped."""
    with server(status_of, metrics_of, address) as httpd:
        httpd.serve_forever()

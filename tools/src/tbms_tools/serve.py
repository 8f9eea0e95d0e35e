"""Runs one service of the local stack on the IPv4 and the IPv6 loopback at once (N29).

    python -m tbms_tools.serve <module:factory> --port P [--workers N] [--timeout-keep-alive S]

uvicorn binds one address. Production listens on every address of both families (an empty host, see
deploy/docker/entrypoint.sh); a developer's machine must not, so the local stack binds 127.0.0.1 and ::1 as two
sockets and hands both to uvicorn. A machine whose IPv6 is switched off gets the IPv4 socket alone, with a warning.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys

from uvicorn import Config, Server
from uvicorn.supervisors import Multiprocess

LOOPBACKS = (("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET6))
log = logging.getLogger("tbms.serve")


def bind(port: int, addresses: tuple[tuple[str, socket.AddressFamily], ...] = LOOPBACKS) -> list[socket.socket]:
    """Listening sockets on `port` for each address that can be bound; the first (IPv4) one must be."""
    sockets = []
    for host, family in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            if not sockets:
                raise
            log.warning("not listening on [%s]:%d: %s", host, port, exc)
            continue
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tbms_tools.serve", description=__doc__.splitlines()[0])
    parser.add_argument("app", help="module:factory of the service's app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout-keep-alive", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    config = Config(
        args.app, factory=True, port=args.port, workers=args.workers, timeout_keep_alive=args.timeout_keep_alive
    )
    sockets = bind(args.port)
    if args.workers > 1:
        Multiprocess(config, sockets=sockets).run()
        return 0
    config.load_app()
    server = Server(config)
    server.run(sockets=sockets)
    return 0 if server.started else 3


if __name__ == "__main__":
    sys.exit(main())

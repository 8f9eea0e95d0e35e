"""N29: the local stack's services answer on the IPv4 and the IPv6 loopback, as production answers on both families
(every service is started by `tbms_tools.serve`, which binds 127.0.0.1 and ::1)."""

import socket

import httpx
import pytest
from tbms_tools import config
from tbms_tools.components import services_present
from tbms_tools.serve import bind


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.req("N29", partial=True)
@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_every_service_of_the_stack_answers_over_ipv4_and_ipv6() -> None:
    with httpx.Client(timeout=10) as client:
        for service in services_present():
            port = config.SERVICE_PORTS[service]
            for url in (f"http://127.0.0.1:{port}/health/live", f"http://[::1]:{port}/health/live"):
                assert client.get(url).status_code == 200, url


@pytest.mark.req("N29", partial=True)
def test_the_launcher_binds_the_loopbacks_only_and_keeps_ipv4_when_ipv6_is_missing() -> None:
    sockets = bind(0, (("127.0.0.1", socket.AF_INET),))
    port = sockets[0].getsockname()[1]
    for sock in sockets:
        sock.close()
    # an address this machine does not hold stands for an IPv6 that is switched off: IPv4 is still served
    sockets = bind(port, (("127.0.0.1", socket.AF_INET), ("2001:db8::1", socket.AF_INET6)))
    try:
        assert [sock.getsockname()[0] for sock in sockets] == ["127.0.0.1"]
    finally:
        for sock in sockets:
            sock.close()
    with pytest.raises(OSError):
        bind(port, (("192.0.2.1", socket.AF_INET),))

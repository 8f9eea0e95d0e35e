"""The reverse proxy of deploy/proxy run by the real nginx with ModSecurity and the OWASP Core Rule Set, in front of
the running gateway (tbms) and of a recording back end standing for Keycloak (HTTPS with the internal certificate):
TLS only, HSTS, injections refused before they reach tbms, ordinary Japanese input let through, an X-Forwarded-For
the client cannot forge, and Keycloak's certificate verified against the internal CA."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from tbms_testing.scratch import free_port, internal_certificates

TBMS_HOST, KEYCLOAK_HOST = "tbms.test", "auth.tbms.test"
GATEWAY = "127.0.0.1:8000"
PROXY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "proxy"
MODULE_DIRS = (Path("/usr/lib/nginx/modules"), Path("/usr/share/nginx/modules"))
INJECTIONS = {
    "SQL": "' OR '1'='1' --",
    "SQL union": "1 UNION SELECT username, password FROM users",
    "XSS": "<script>alert(document.cookie)</script>",
    "OS command": "; cat /etc/passwd",
    "path traversal": "../../../../etc/passwd",
}


class Recorder(BaseHTTPRequestHandler):
    """A back end standing for Keycloak: answers every request with the path and headers it received."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        """Records the request and echoes it as JSON."""
        record = {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
        Recorder.seen.append(record)
        body = json.dumps(record).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        """Quiet."""


@dataclass(frozen=True)
class Proxy:
    """The running proxy: its ports, and a TLS context that trusts its certificate."""

    http_port: int
    https_port: int
    tls: ssl.SSLContext
    logs: Path

    def https(self, host: str = TBMS_HOST) -> httpx.AsyncClient:
        """A client of the HTTPS port that says it is visiting `host`."""
        return httpx.AsyncClient(
            base_url=f"https://127.0.0.1:{self.https_port}", verify=self.tls, headers={"Host": host}, timeout=30
        )


def installed_nginx() -> tuple[str, Path]:
    """nginx and the folder of its ModSecurity module (scripts/bootstrap.sh installs both)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    modules = next((d for d in MODULE_DIRS if (d / "ngx_http_modsecurity_module.so").is_file()), None)
    assert Path(binary).is_file() and modules, "nginx with ModSecurity is missing: run scripts/bootstrap.sh"
    return binary, modules


@pytest.fixture(scope="module")
def internal_certs() -> Iterator[tuple[Path, Path]]:
    """The internal CA and certificates as deploy/certs/make-internal-certs.sh makes them, and another CA's."""
    with internal_certificates() as both:
        yield both


def _serve_tls(certs: Path) -> tuple[ThreadingHTTPServer, str]:
    """The recording back end over HTTPS with `certs`' Keycloak certificate, as Keycloak serves in compose."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs / "keycloak.crt", certs / "keycloak.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def recorder(internal_certs: tuple[Path, Path]) -> Iterator[str]:
    """The recording back end with the internal CA's Keycloak certificate, as host:port."""
    server, address = _serve_tls(internal_certs[0])
    try:
        yield address
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
async def running_proxy(recorder: str, internal_certs: tuple[Path, Path]) -> AsyncIterator[Proxy]:
    """nginx with the configuration of deploy/proxy, a throwaway certificate, and free ports."""
    async with _proxy(recorder, internal_certs[0] / "ca.crt") as proxy:
        yield proxy


@asynccontextmanager
async def _proxy(keycloak: str, internal_ca: Path) -> AsyncIterator[Proxy]:
    """nginx with deploy/proxy's configuration in front of the gateway and `keycloak`, on free ports."""
    binary, modules = installed_nginx()
    with tempfile.TemporaryDirectory(prefix="tbms-proxy-") as scratch:
        work = Path(scratch)
        os.chmod(work, 0o755)  # noqa: S103 (nginx's workers, as nobody, write their temporary files below)
        run, logs = work / "run", work / "logs"
        for folder in (run, logs):
            folder.mkdir(mode=0o777)
            os.chmod(folder, 0o777)  # noqa: S103 (a throwaway folder of this test)
        cert, key = work / "proxy.crt", work / "proxy.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={TBMS_HOST}",
             "-addext", f"subjectAltName=DNS:{TBMS_HOST},DNS:{KEYCLOAK_HOST}", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        http_port, https_port = free_port(), free_port()
        conf = work / "conf"
        conf.mkdir()
        settings = {
            "TBMS_PROXY_SOURCE": str(PROXY_DIR),
            "TBMS_PROXY_CONFIG": str(conf),
            "TBMS_PROXY_MODULES": str(modules),
            "TBMS_PROXY_RUN": str(run),
            "TBMS_PROXY_ACCESS_LOG": str(logs / "access.log"),
            "TBMS_PROXY_AUDIT_LOG": str(logs / "modsec_audit.log"),
            "TBMS_PROXY_HTTP_PORT": str(http_port),
            "TBMS_PROXY_HTTPS_PORT": str(https_port),
            "TBMS_PROXY_HTTPS_SUFFIX": f":{https_port}",
            "TBMS_PUBLIC_HOST": TBMS_HOST,
            "TBMS_KEYCLOAK_HOST": KEYCLOAK_HOST,
            "TBMS_PROXY_CERT": str(cert),
            "TBMS_PROXY_KEY": str(key),
            "TBMS_PROXY_GATEWAY": GATEWAY,
            "TBMS_PROXY_KEYCLOAK": keycloak,
            "TBMS_PROXY_INTERNAL_CA": str(internal_ca),
        }
        env = {"PATH": f"{Path(binary).parent}:{os.environ['PATH']}", **settings}
        made = subprocess.run(
            ["sh", str(PROXY_DIR / "entrypoint.sh"), "config"], env=env, capture_output=True, text=True
        )
        assert made.returncode == 0, made.stderr  # the container's own entrypoint filled and checked the files
        errors = (logs / "error.log").open("wb")  # ModSecurity's refusals go to nginx's error log (stderr)
        server = await asyncio.create_subprocess_exec(
            binary, "-c", str(conf / "nginx.conf"), "-p", str(run), "-g", "daemon off;", stderr=errors
        )
        tls = ssl.create_default_context(cafile=str(cert))
        tls.check_hostname = False  # the client dials 127.0.0.1 and names the host in the Host header
        try:
            async with httpx.AsyncClient(timeout=5) as probe:
                for _ in range(100):
                    try:
                        await probe.get(f"http://127.0.0.1:{http_port}/")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
            yield Proxy(http_port, https_port, tls, logs)
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=20)
            errors.close()


@pytest.mark.req("N13")
async def test_plain_http_only_redirects_to_the_same_address_over_https(running_proxy: Proxy) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_proxy.http_port}") as plain:
        answer = await plain.get("/patients?page=2", headers={"Host": TBMS_HOST})
    assert answer.status_code == 308
    assert answer.headers["location"] == f"https://{TBMS_HOST}:{running_proxy.https_port}/patients?page=2"


@pytest.mark.req("N13")
async def test_https_reaches_tbms_with_hsts_and_no_version_and_refuses_old_tls(running_proxy: Proxy) -> None:
    async with running_proxy.https() as browser:
        home = await browser.get("/health/live")
        login = await browser.get("/")
    assert home.status_code == 200
    assert login.status_code == 303 and login.headers["location"].startswith("/login")  # the gateway answered
    assert login.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert login.headers.get("server", "") == "nginx", "the server header names a version"

    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    with warnings.catch_warnings():  # offering an old version is the point here
        warnings.simplefilter("ignore", DeprecationWarning)
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.minimum_version = ssl.TLSVersion.TLSv1
    async with httpx.AsyncClient(verify=old, timeout=10) as legacy:
        with pytest.raises(httpx.ConnectError):
            await legacy.get(f"https://127.0.0.1:{running_proxy.https_port}/health/live", headers={"Host": TBMS_HOST})


@pytest.mark.req("N09", partial=True)
@pytest.mark.parametrize("kind", sorted(INJECTIONS))
async def test_the_waf_refuses_a_classic_injection_in_japanese_before_tbms_sees_it(
    running_proxy: Proxy, kind: str
) -> None:
    async with running_proxy.https() as browser:
        in_query = await browser.get("/search", params={"q": INJECTIONS[kind]})
        in_form = await browser.post("/patients", data={"name": "試験 花子", "note": INJECTIONS[kind]})
    for refused in (in_query, in_form):
        assert refused.status_code == 403, f"{kind} passed: {refused.status_code}"
        assert refused.headers.get("x-tbms-refused") == "waf"
        assert "要求を拒否しました" in refused.text and "セキュリティ上の理由" in refused.text
    audit = (running_proxy.logs / "modsec_audit.log").read_text(encoding="utf-8", errors="replace")
    assert "試験 花子" not in audit, "a refused request's body went into the WAF's log"


@pytest.mark.req("N09", partial=True)
async def test_ordinary_japanese_input_passes_the_waf(running_proxy: Proxy) -> None:
    ordinary = {
        "name": "試験 花子",
        "name_kana": "シケン ハナコ",
        "address": "東京都世田谷区見本町1丁目2番3号 見本ハイツ101",
        "note": "2週間前から咳と微熱。家族3人（夫・子2人）と同居、職場は飲食店（換気不良）。喀痰塗抹(2+)、培養待ち。",
        "birth_date": "S52.4.1",
    }
    async with running_proxy.https() as browser:
        searched = await browser.get("/search", params={"q": "世田谷 シケン 2026-00001"})
        posted = await browser.post("/patients", data=ordinary)
        help_text = await browser.post("/admin/help/faq", data={"text": "## よくある質問\n\n<kbd>/</kbd> で検索欄へ"})
    audit = (running_proxy.logs / "modsec_audit.log").read_text(encoding="utf-8", errors="replace")
    for answer in (searched, posted, help_text):
        assert answer.headers.get("x-tbms-refused") is None, f"{answer.request.url.path} refused: {audit[-3000:]}"
        assert answer.status_code in (303, 403), answer.status_code  # the gateway: to login, or its CSRF check


@pytest.mark.req("N13")
async def test_keycloak_is_reached_only_for_login_pages_with_an_address_the_client_cannot_forge(
    running_proxy: Proxy,
) -> None:
    Recorder.seen.clear()
    forged = {"X-Forwarded-For": "10.20.3.4", "X-Forwarded-Host": "evil.example"}
    async with running_proxy.https(KEYCLOAK_HOST) as browser:
        login = await browser.get("/realms/tbms/protocol/openid-connect/auth", headers=forged)
        admin = await browser.get("/admin/master/console/")
        master = await browser.get("/realms/master/protocol/openid-connect/auth")
    assert login.status_code == 200
    received = login.json()
    assert received["x-forwarded-for"] == "127.0.0.1", "the client's own X-Forwarded-For went through"
    assert received["x-forwarded-host"] == KEYCLOAK_HOST and received["x-forwarded-proto"] == "https"
    assert admin.status_code == 404 and master.status_code == 404
    assert [seen["path"] for seen in Recorder.seen] == ["/realms/tbms/protocol/openid-connect/auth"]


async def test_the_access_log_keeps_paths_without_their_query_strings(running_proxy: Proxy) -> None:
    async with running_proxy.https() as browser:
        await browser.get("/search", params={"q": "シケンハナコ"})
    await asyncio.sleep(0.2)
    log = (running_proxy.logs / "access.log").read_text(encoding="utf-8")
    assert '"GET /search"' in log
    assert "q=" not in log and "%E3%82%B7" not in log


@pytest.mark.req("N16", partial=True)
async def test_a_keycloak_without_the_internal_cas_certificate_is_not_reached(
    internal_certs: tuple[Path, Path],
) -> None:
    """A container that takes Keycloak's name with a certificate of another CA gets no login request."""
    server, address = _serve_tls(internal_certs[1])
    Recorder.seen.clear()
    try:
        async with _proxy(address, internal_certs[0] / "ca.crt") as proxy, proxy.https(KEYCLOAK_HOST) as browser:
            answer = await browser.get("/realms/tbms/protocol/openid-connect/auth")
    finally:
        server.shutdown()
    assert answer.status_code == 502
    assert Recorder.seen == []


@pytest.mark.req("N29", partial=True)
async def test_the_proxy_answers_over_ipv6_as_over_ipv4(running_proxy: Proxy) -> None:
    """The entrypoint adds a [::] listener to every server when the host has IPv6 (the test host has ::1)."""
    async with httpx.AsyncClient(base_url=f"http://[::1]:{running_proxy.http_port}") as plain:
        redirected = await plain.get("/help", headers={"Host": TBMS_HOST})
    assert redirected.status_code == 308
    assert redirected.headers["location"] == f"https://{TBMS_HOST}:{running_proxy.https_port}/help"
    async with httpx.AsyncClient(
        base_url=f"https://[::1]:{running_proxy.https_port}",
        verify=running_proxy.tls,
        headers={"Host": TBMS_HOST},
        timeout=30,
    ) as browser:
        home = await browser.get("/health/live")
        login = await browser.get("/")
    assert home.status_code == 200
    assert login.status_code == 303 and login.headers["location"].startswith("/login")
    assert login.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"

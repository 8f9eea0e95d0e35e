"""The processes of the local stack: PostgreSQL, NATS, MinIO, Keycloak and the tbms services."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from tbms_core import db_roles

from tbms_tools import config
from tbms_tools.config import HOST
from tbms_tools.procs import StackError, http_ok, log, read_pid, run, spawn, stop_pid_file, wait_until

THEME = "tbms"  # the realm's loginTheme: deploy/keycloak/themes/tbms


class Component:
    """A process started detached, with a pid file, a log file and an HTTP health check."""

    name = "component"
    port = 0
    start_timeout = 60.0
    stop_timeout = 20.0

    @property
    def log_file(self) -> Path:
        """Returns the log of this component."""
        return config.state_dir() / "logs" / f"{self.name}.log"

    @property
    def pid_file(self) -> Path:
        """Returns the pid file of this component."""
        return config.state_dir() / "run" / f"{self.name}.pid"

    def health_url(self) -> str:
        """Returns the URL that answers 200 when the component is ready."""
        raise NotImplementedError

    def command(self) -> tuple[list[str], dict[str, str], Path | None]:
        """Returns argv, environment and working directory of the process."""
        raise NotImplementedError

    def pid(self) -> int | None:
        """Returns the pid of the running process, if any."""
        return read_pid(self.pid_file)

    def healthy(self) -> bool:
        """True when the component answers its health check."""
        return http_ok(self.health_url())

    def stale(self) -> bool:
        """True when a healthy instance must be restarted (its configuration changed)."""
        return False

    def prepare(self) -> None:
        """Creates directories and data before the first start."""

    def after_healthy(self) -> None:
        """Runs idempotent set-up once the component is healthy."""

    def start(self) -> subprocess.Popen[bytes] | None:
        """Starts the process detached; returns it (None when started by another tool)."""
        self.prepare()
        argv, env, cwd = self.command()
        return spawn(argv, log_file=self.log_file, pid_file=self.pid_file, env=env, cwd=cwd)

    def wait(self, proc: subprocess.Popen[bytes] | None) -> float:
        """Waits until healthy; returns the seconds waited."""
        alive = (lambda: proc.poll() is None) if proc is not None else None
        return wait_until(self.name, self.healthy, timeout=self.start_timeout, log_file=self.log_file, alive=alive)

    def stop(self) -> bool:
        """Stops the process group (TERM, then KILL); True when something was running."""
        return stop_pid_file(self.pid_file, self.stop_timeout)


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _grant_traverse(target: Path, uid: int) -> None:
    """Adds o+x to ancestors of target that another user (postgres) could not pass through."""
    for directory in reversed(target.parents):
        info = directory.stat()
        if info.st_uid == uid or info.st_mode & stat.S_IXOTH:
            continue
        log(f"postgres: chmod o+x {directory} so that the postgres user can reach {target}")
        directory.chmod(stat.S_IMODE(info.st_mode) | stat.S_IXOTH)


class Postgres(Component):
    """PostgreSQL in $TBMS_STATE/pg, run by the postgres OS user when we are root."""

    name = "postgres"
    port = config.PG_PORT
    start_timeout = 60.0

    def __init__(self) -> None:
        bindir = config.postgres_bindir()
        if bindir is None:
            raise StackError("PostgreSQL binaries not found (run scripts/bootstrap.sh)")
        self.bindir = bindir
        self.data = config.state_dir() / "pg"

    def health_url(self) -> str:
        """Returns the connection URL (PostgreSQL has no HTTP health endpoint)."""
        return f"postgresql://{config.PG_USER}@{HOST}:{self.port}/postgres"

    def healthy(self) -> bool:
        """True when pg_isready accepts connections on our port."""
        argv = [str(self.bindir / "pg_isready"), "-q", "-h", HOST, "-p", str(self.port), "-U", config.PG_USER]
        return subprocess.run(argv, check=False).returncode == 0

    def pid(self) -> int | None:
        """Returns the postmaster pid from postmaster.pid when it is alive."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if Path(f"/proc/{pid}").exists() else None

    def prepare(self) -> None:
        """Runs initdb on first use, owned by the postgres user."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.touch()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            _grant_traverse(self.data, owner.pw_uid)
            os.chown(self.log_file, owner.pw_uid, owner.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        self._configure()

    def _initdb(self) -> None:
        log(f"postgres: initdb {self.data}")
        self.data.mkdir(parents=True, exist_ok=True)
        self.data.chmod(0o700)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.data, owner.pw_uid, owner.pw_gid)
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", config.PG_USER]
        run([*_as_postgres(), *initdb, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])

    def _configure(self) -> None:
        """Appends our settings to postgresql.conf once (the marker line makes it idempotent)."""
        conf = self.data / "postgresql.conf"
        marker = "# tbms local stack"
        if marker in conf.read_text():
            return
        settings = (
            f"\n{marker}\nlisten_addresses = '{HOST}'\nport = {self.port}\n"
            f"unix_socket_directories = '{self.data}'\nmax_connections = 200\n"
        )
        with conf.open("a") as handle:
            handle.write(settings)

    def start(self) -> subprocess.Popen[bytes] | None:
        """Starts the postmaster through pg_ctl, which waits for it and then detaches."""
        self.prepare()
        pg_ctl = [str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data)]
        run([*_as_postgres(), *pg_ctl, "-l", str(self.log_file)])
        return None

    def after_healthy(self) -> None:
        """Creates the database tbms_<service> of every service when missing."""
        psql = [str(self.bindir / "psql"), "-h", HOST, "-p", str(self.port), "-U", config.PG_USER]
        existing = set(run([*psql, "-d", "postgres", "-tAc", "SELECT datname FROM pg_database"]).split())
        for service in config.SERVICES:
            if (database := f"tbms_{service}") not in existing:
                log(f"postgres: create database {database}")
                run([*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{database}"'])

    def stop(self) -> bool:
        """Stops PostgreSQL with pg_ctl stop -m fast."""
        if self.pid() is None:
            return False
        run([*_as_postgres(), str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast"])
        return True


class Nats(Component):
    """nats-server with JetStream: the one node (`nats`), or a node of the local cluster (`nats-1` … `nats-N`, each
    with its own store under `nats-cluster/`)."""

    def __init__(self, node: config.NatsNode | None = None) -> None:
        self.node = node or config.NatsNode()
        self.name = "nats" if self.node.size == 1 else f"nats-{self.node.index + 1}"
        self.port = self.node.port

    def health_url(self) -> str:
        """Returns the monitoring health endpoint."""
        return f"http://{HOST}:{self.node.monitor_port}/healthz"

    def stale(self) -> bool:
        """True when the node runs another configuration (a cluster's size changed)."""
        conf, wanted = self._conf(), config.nats_server_config(self._store(), self.node)
        return not conf.is_file() or conf.read_text(encoding="utf-8") != wanted

    def _store(self) -> Path:
        return config.state_dir() / ("nats" if self.node.size == 1 else f"nats-cluster/{self.name}")

    def _conf(self) -> Path:
        return config.state_dir() / ("nats.conf" if self.node.size == 1 else f"nats-cluster/{self.name}.conf")

    def command(self) -> tuple[list[str], dict[str, str], Path | None]:
        """Returns the nats-server command line."""
        binary = config.find_binary("nats-server", [Path(sys.executable).parent / "nats-server"])
        if binary is None:
            raise StackError("nats-server not found (run scripts/bootstrap.sh)")
        store = self._store()
        store.mkdir(parents=True, exist_ok=True)
        conf = self._conf()
        conf.write_text(config.nats_server_config(store, self.node), encoding="utf-8")
        conf.chmod(0o600)
        return [str(binary), "-c", str(conf)], dict(os.environ), None


def nats_components(size: int | None = None) -> list[Nats]:
    """The nats-server nodes of the local stack (`size` defaults to the chosen cluster size)."""
    size = size or config.nats_cluster_size()
    return [Nats(config.NatsNode(index, size)) for index in range(size)]


class Minio(Component):
    """MinIO built from source into $TBMS_CACHE/bin."""

    name = "minio"
    port = config.MINIO_PORT

    def health_url(self) -> str:
        """Returns the liveness endpoint of the S3 API."""
        return f"http://{HOST}:{self.port}/minio/health/live"

    def command(self) -> tuple[list[str], dict[str, str], Path | None]:
        """Returns the minio server command line and its root credentials."""
        binary = config.find_binary("minio", [config.cache_dir() / "bin" / "minio"])
        cached = config.cache_dir() / "bin" / "minio"
        binary = cached if cached.is_file() else binary
        if binary is None:
            raise StackError(f"{cached} not found (run scripts/bootstrap.sh)")
        data = config.state_dir() / "minio"
        data.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(MINIO_ROOT_USER=config.S3_ACCESS_KEY, MINIO_ROOT_PASSWORD=config.S3_SECRET_KEY)
        env.update(MINIO_UPDATE="off", MINIO_BROWSER="on")
        env["MINIO_KMS_SECRET_KEY"] = config.minio_kms_secret_key()  # documents encrypted at rest (SSE-S3)
        addresses = ["--address", f"{HOST}:{self.port}", "--console-address", f"{HOST}:{config.MINIO_CONSOLE_PORT}"]
        return [str(binary), "server", str(data), *addresses], env, None


def file_digest(path: Path) -> str:
    """Returns the SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_development_realm(path: Path) -> Path:
    """Writes the local realm (production realm + demo users) where Keycloak imports it from; returns the path."""
    text = json.dumps(config.development_realm(), ensure_ascii=False, indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def realm_changed(realm: Path, hash_file: Path) -> bool:
    """True when the realm file differs from the one last imported (or none was recorded)."""
    try:
        return hash_file.read_text().strip() != file_digest(realm)
    except FileNotFoundError:
        return True


def record_realm_hash(realm: Path, hash_file: Path) -> None:
    """Remembers the realm file that Keycloak has imported."""
    hash_file.parent.mkdir(parents=True, exist_ok=True)
    hash_file.write_text(file_digest(realm) + "\n")


def install_theme(home: Path, source: Path | None = None) -> bool:
    """Installs the login theme deploy/keycloak/themes/tbms into Keycloak's themes/ (as compose mounts it);
    returns True when it changed anything. Run on every start: a theme already in place is left alone."""
    source = source or config.repo_root() / "deploy" / "keycloak" / "themes" / THEME
    target = home / "themes" / THEME
    if _tree_digest(source) == _tree_digest(target):
        return False
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return True


def _tree_digest(root: Path) -> str:
    if not root.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def java_home() -> str | None:
    """Returns the newest JDK >= 21 under /usr/lib/jvm, else None (the default java is used)."""
    home = config.newest_jdk(Path("/usr/lib/jvm"))
    return str(home) if home else None


class Keycloak(Component):
    """Keycloak start-dev (H2 in the distribution's data/h2) with the tbms realm imported."""

    name = "keycloak"
    port = config.KEYCLOAK_PORT
    start_timeout = 300.0
    stop_timeout = 30.0

    def __init__(self) -> None:
        self.home = config.keycloak_home()
        self.realm = write_development_realm(config.state_dir() / "keycloak" / "tbms-realm.json")
        self.hash_file = config.state_dir() / "keycloak-realm.sha256"

    def health_url(self) -> str:
        """Returns the OpenID discovery document of the tbms realm."""
        return f"http://{HOST}:{self.port}/realms/{config.REALM}/.well-known/openid-configuration"

    def stale(self) -> bool:
        """True when the realm file changed since the running Keycloak imported it."""
        return realm_changed(self.realm, self.hash_file)

    def prepare(self) -> None:
        """Installs the login theme, copies the realm into data/import; wipes data/h2 when the realm file changed."""
        if not (self.home / "bin" / "kc.sh").is_file():
            raise StackError(f"Keycloak not found in {self.home} (run scripts/bootstrap.sh)")
        if install_theme(self.home):
            log(f"keycloak: login theme {THEME!r} installed")
        if realm_changed(self.realm, self.hash_file):
            log("keycloak: realm file changed (or first start): wiping data/h2 to re-import it")
            shutil.rmtree(self.home / "data" / "h2", ignore_errors=True)
        imports = self.home / "data" / "import"
        imports.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.realm, imports / "tbms-realm.json")

    def command(self) -> tuple[list[str], dict[str, str], Path | None]:
        """Returns the kc.sh start-dev command line."""
        env = dict(os.environ)
        env.update(KC_BOOTSTRAP_ADMIN_USERNAME=config.KEYCLOAK_ADMIN[0])
        env.update(KC_BOOTSTRAP_ADMIN_PASSWORD=config.KEYCLOAK_ADMIN[1])
        if home := java_home():
            env["JAVA_HOME"] = home
        argv = [str(self.home / "bin" / "kc.sh"), "start-dev", f"--http-host={HOST}", f"--http-port={self.port}"]
        argv += [f"--http-management-port={config.KEYCLOAK_MANAGEMENT_PORT}", "--health-enabled=true"]
        return [*argv, "--import-realm"], env, self.home

    def after_healthy(self) -> None:
        """Records the hash of the imported realm file."""
        record_realm_hash(self.realm, self.hash_file)


class Service(Component):
    """A tbms FastAPI service run by uvicorn from the workspace virtualenv."""

    start_timeout = 90.0
    stop_timeout = 15.0

    def __init__(self, name: str) -> None:
        self.name = name
        self.port = config.SERVICE_PORTS[name]
        self.root = config.repo_root() / "services" / name

    def health_url(self) -> str:
        """Returns the readiness endpoint of the service."""
        return f"{config.service_url(self.name)}/health/ready"

    @property
    def code_file(self) -> Path:
        """Where the fingerprint of the code the running instance was started from is kept."""
        return config.state_dir() / "run" / f"{self.name}.code"

    def code_fingerprint(self) -> str:
        """A digest of the checkout, the service's settings (a NATS cluster chosen), and of the names, sizes and
        times of the service's and the libs' files."""
        digest = hashlib.sha256(str(config.repo_root()).encode())
        digest.update(json.dumps(config.service_env(self.name, runtime_role=True), sort_keys=True).encode())
        digest.update(f"processes={config.service_processes(self.name)}".encode())
        for base in (config.repo_root() / "libs", self.root / "src", self.root / "migrations"):
            for path in sorted(base.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and "tests" not in path.parts:
                    info = path.stat()
                    digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}".encode())
        return digest.hexdigest()

    def stale(self) -> bool:
        """True when the running instance was started from other code (an edit, or another checkout)."""
        return not self.code_file.is_file() or self.code_file.read_text() != self.code_fingerprint()

    def env(self) -> dict[str, str]:
        """Returns the process environment: ours plus the service's variables, connecting as its run-time role."""
        return {**os.environ, **config.service_env(self.name, runtime_role=True)}

    def prepare(self) -> None:
        """Upgrades the service's database to the newest Alembic revision as its owner, grants the run-time role
        its rights, and notes the code it runs."""
        self.code_file.parent.mkdir(parents=True, exist_ok=True)
        self.code_file.write_text(self.code_fingerprint())
        ini = self.root / "alembic.ini"
        if ini.is_file():
            log(f"{self.name}: alembic upgrade head")
            owner = {**os.environ, **config.service_env(self.name)}
            run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"], env=owner, cwd=self.root)
            owner_url = owner[f"TBMS_{self.name.upper()}_DATABASE_URL"]
            asyncio.run(db_roles.grant_runtime_role(owner_url, self.name))

    def command(self) -> tuple[list[str], dict[str, str], Path | None]:
        """Returns the uvicorn command line."""
        app = f"{self.name}.main:create_app"
        # on the IPv4 and the IPv6 loopback (N29): production listens on every address of both families
        argv = [sys.executable, "-m", "tbms_tools.serve", app, "--port", str(self.port)]
        # Idle connections outlive every client's (httpx drops its own after 5 s): a server that closed
        # first could race a request sent on the same connection ("Server disconnected").
        argv += ["--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)]
        if (processes := config.service_processes(self.name)) > 1:
            # processes sharing the port, the database and the durable consumers, as compose's replicas do
            argv += ["--workers", str(processes)]
        return argv, self.env(), config.repo_root()


KEEP_ALIVE_SECONDS = 75


def services_present() -> list[str]:
    """Returns the services, in start order, whose main.py exists in the repository."""
    root = config.repo_root() / "services"
    return [name for name in config.SERVICES if (root / name / "src" / name / "main.py").is_file()]

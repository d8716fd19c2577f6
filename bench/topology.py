"""The production topology of deploy/ on one machine: nginx, Rasa instances, action servers, PostgreSQL, Redis.

Everything listens on loopback and free ports; nginx runs as a non-daemon child
with its own prefix and configuration in a temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench import servers

DEPLOY = servers.ROOT / "deploy"
NGINX_TEMPLATE = DEPLOY / "nginx" / "assistant.conf.template"
PRODUCTION_ENDPOINTS = DEPLOY / "endpoints.production.yml"


# --- PostgreSQL and Redis ------------------------------------------------------------------


def fresh_database(admin_url: str) -> tuple[str, bool]:
    """A new empty database on the server of `admin_url`; (its URL, True), or (admin_url, False) if not allowed."""
    name = f"scale_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        engine.dispose()
        raise SystemExit(
            f"PostgreSQL not reachable at {make_url(admin_url).render_as_string(hide_password=True)}: "
            f"{error.__class__.__name__} (start it, or pass --postgres-url)"
        ) from error
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.SQLAlchemyError as error:
        print(f"cannot create a database ({error.__class__.__name__}); using {admin_url} itself", flush=True)
        return admin_url, False
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), True


def drop_database(admin_url: str, url: str) -> None:
    """Drop the temporary database (its servers are stopped first)."""
    name = make_url(url).database
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        engine.dispose()


def create_tracker_table(url: str) -> None:
    """Rasa's `events` table, made once before the instances start.

    Each instance creates it if missing; two doing so at the same moment on an
    empty PostgreSQL database can fail (both CREATE TABLE). Production does the
    same: first start with one instance, or create the table beforehand.
    """
    from rasa.core.tracker_store import SQLTrackerStore

    engine = sa.create_engine(url)
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
    finally:
        engine.dispose()


def check_redis(url: str) -> None:
    """Fail early, with a readable message, if Redis does not answer."""
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except redis.RedisError as error:
        raise SystemExit(f"Redis not reachable at {url}: {error} (start it, or pass --redis-url)") from error


def delete_redis_keys(url: str, prefix: str) -> int:
    """Remove the lock keys of this run (Rasa deletes them itself when a lock is released)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=3)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    return len(keys)


# --- processes -----------------------------------------------------------------------------


@dataclass
class Instance:
    """One started server: Rasa instance or action server."""

    name: str
    port: int
    process: subprocess.Popen
    log_path: Path
    cold_start_s: Optional[float] = None


@dataclass
class Topology:
    """Every process of the test topology, to measure and to stop."""

    workdir: Path
    env: dict
    rasa: List[Instance] = field(default_factory=list)
    actions: List[Instance] = field(default_factory=list)
    nginx: Optional["Nginx"] = None

    def stop(self) -> None:
        """Stop nginx, the Rasa instances and the action servers."""
        if self.nginx:
            self.nginx.stop()
        for instance in self.rasa + self.actions:
            servers.stop_group(instance.process)


def production_environment(
    model: Path, workdir: Path, database_url: str, redis_url: str, key_prefix: str, actions_listen: int, origin: str
) -> dict:
    """The variables deploy/endpoints.production.yml and bot/ read, as in deploy/assistant.env.example."""
    redis = make_url(redis_url)
    env = servers.assistant_environment(model, workdir / "var", database_url)
    env.update(
        {
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_listen}/webhook",
            "REDIS_HOST": redis.host or "127.0.0.1",
            "REDIS_PORT": str(redis.port or 6379),
            "REDIS_DB": str(redis.database or 0),
            "REDIS_PASSWORD": redis.password or "",
            "REDIS_KEY_PREFIX": key_prefix,
            "SANIC_WORKERS": "1",
            "SITE_ORIGINS": origin,
            # Every simulated visitor comes from 127.0.0.1 through nginx: one address, not one client's budget.
            "ADDRESS_MESSAGE_BURST": "100000",
            "ADDRESS_MESSAGES_PER_SECOND": "100000",
        }
    )
    return env


def rasa_command(port: int, env: dict) -> tuple[List[str], dict]:
    """`rasa run` as `python -m bot run` starts it (bot.cli.services), with the production endpoints and `env` on top."""
    rasa = servers.assistant_services({**env, "RASA_PORT": str(port)}, names=("rasa",))[0]
    command = list(rasa.command)
    command[command.index("--endpoints") + 1] = str(PRODUCTION_ENDPOINTS)
    return command, {**rasa.env, **env}


def start_rasa(topology: Topology, index: int, port: int) -> Instance:
    """Start Rasa instance `index` on `port`, its output in its own log."""
    log_path = topology.workdir / f"rasa-{index}.log"
    command, env = rasa_command(port, topology.env)
    process = servers.start_group(command, env, log_path, servers.ROOT)
    instance = Instance(f"rasa-{index}", port, process, log_path)
    topology.rasa.append(instance)
    return instance


def start_actions(topology: Topology, index: int) -> Instance:
    """Start action server `index` on a free port, loopback only."""
    port = servers.free_port()
    log_path = topology.workdir / f"actions-{index}.log"
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    process = servers.start_group(command, topology.env, log_path, servers.ROOT)
    instance = Instance(f"actions-{index}", port, process, log_path)
    topology.actions.append(instance)
    return instance


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float, what: str) -> None:
    """Wait until something accepts connections on `port`, or fail if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} is not listening on {port} after {timeout:.0f} s")


def wait_all_answer(instances: List[Instance], started: float, timeout: float) -> None:
    """Each Rasa instance answers a first message on its own port (cold start, all started together)."""
    for instance in instances:
        servers.wait_for_answer(
            f"http://127.0.0.1:{instance.port}",
            instance.process,
            "bonjour",
            max(1.0, timeout - (time.monotonic() - started)),
            instance.log_path,
        )
        if instance.cold_start_s is None:
            instance.cold_start_s = round(time.monotonic() - started, 1)


# --- nginx ---------------------------------------------------------------------------------

MAIN_CONF = """\
# Written by bench/scale_test.py: a private nginx around deploy/nginx/assistant.conf.template.
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    # The template's format, plus the conversation each REST message was routed on (checked by the test).
    log_format assistant_test '$remote_addr [$time_local] "$request_method $uri" $status $request_time '
                              'upstream=$upstream_addr route=$chat_route conversation=$rest_conversation';
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/assistant.conf;
}}
"""


ADDRESS_CONNECTIONS = re.compile(r"(limit_conn assistant_conn )(\d+);")
ADDRESS_RATE = re.compile(r"(limit_req_zone \$binary_remote_addr zone=assistant_chat:\S+ rate=)(\d+)r/s;")


def share_address_budget(config: str, visitors: int) -> str:
    """The template's per-address request budget, multiplied by the simulated visitors who share loopback.

    In production each visitor comes from an address of their own (or a few from an office's); here
    every simulated visitor comes from 127.0.0.1, where the budget of one address would refuse the
    load itself (seen at 27 msg/s with two instances: 429s on socket.io's polling requests).
    """
    rates = ADDRESS_RATE.findall(config)
    if len(rates) != 1:
        raise RuntimeError(
            "the nginx template should hold one per-address budget (limit_req_zone … zone=assistant_chat)"
        )
    config = ADDRESS_RATE.sub(lambda match: f"{match[1]}{int(match[2]) * max(1, visitors)}r/s;", config)
    # The same for the connections an address may hold open (two per simulated visitor at most).
    return ADDRESS_CONNECTIONS.sub(lambda match: f"{match[1]}{int(match[2]) * max(1, visitors)};", config)


def render_template(template: str, values: dict) -> str:
    """Each `${NAME}` of `values` replaced, as `envsubst '${A} ${B}'` does; nginx's own `$vars` and comments stay."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda match: values.get(match[1], match[0]), template)


@dataclass
class Nginx:
    """nginx as a foreground child with its own prefix; `stop()` asks it to quit."""

    binary: str
    prefix: Path
    listen: int
    process: Optional[subprocess.Popen] = None

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    @property
    def error_log(self) -> Path:
        return self.prefix / "error.log"

    def write(
        self, rasa_ports: List[int], actions_ports: List[int], actions_listen: int, web_port: int, visitors: int = 1
    ) -> None:
        """Render the template for these ports and this many visitors sharing loopback, inside a private main configuration."""
        self.prefix.mkdir(parents=True, exist_ok=True)
        values = {
            "LISTEN": f"127.0.0.1:{self.listen}",
            "SERVER_NAME": "localhost",
            "RASA_SERVERS": "\n    ".join(f"server 127.0.0.1:{port};" for port in rasa_ports),
            "ACTIONS_SERVERS": "\n    ".join(f"server 127.0.0.1:{port};" for port in actions_ports),
            "ACTIONS_LISTEN": f"127.0.0.1:{actions_listen}",
            "WEB_SERVER": f"127.0.0.1:{web_port}",
            "COOKIE_FLAGS": "",
            "ACCESS_LOG": f"{self.access_log} assistant_test",
        }
        config = share_address_budget(render_template(NGINX_TEMPLATE.read_text(), values), visitors)
        (self.prefix / "assistant.conf").write_text(config)
        # As root, nginx's workers would switch to `nobody`, who cannot write in our private temp folder.
        user = "user root;" if os.geteuid() == 0 else ""
        (self.prefix / "nginx.conf").write_text(MAIN_CONF.format(prefix=self.prefix, user=user))

    def start(self) -> None:
        """Check the configuration, start nginx in the foreground, wait until it listens."""
        command = [self.binary, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf")]
        checked = subprocess.run(command + ["-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refuses the configuration:\n{checked.stderr}")
        log = open(self.prefix / "nginx.out", "ab")
        try:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        wait_until_listening(self.listen, self.process, 10, "nginx")

    def stop(self) -> None:
        """Stop nginx (SIGTERM: fast shutdown)."""
        if self.process is not None:
            servers.stop_group(self.process, grace=10)
            self.process = None


def find_nginx(given: Optional[str]) -> str:
    """The nginx binary to run: --nginx, Debian's, or the one on PATH."""
    for candidate in (given, "/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("nginx not found: install Debian's nginx (apt-get install nginx-light) or pass --nginx")

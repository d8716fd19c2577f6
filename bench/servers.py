"""Start the servers under test on free loopback ports, time their start, read their memory from /proc.

psutil is not installed beside Rasa, so memory and listening sockets are read
from /proc (Linux only), which needs no dependency.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import httpx

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}
# Log lines the report counts: each is a visitor-facing failure or a sign of one.
LOG_PATTERNS = {
    "database is locked": "database is locked",
    "lock errors": "LockError",
    "lock not acquired": "Could not acquire lock",
    "tracebacks": "Traceback (most recent call last)",
    "reply timeouts": "no reply within",
}


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- /proc ---------------------------------------------------------------------------------


def _status_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> List[int]:
    """`pid` and all its children, grandchildren…"""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> dict:
    """Resident memory now and at its peak (VmHWM), in MB, of a process and its descendants."""
    pids = descendants(pid)
    return {
        "rss_mb": round(sum(_status_kb(p, "VmRSS") for p in pids) / 1024, 1),
        "peak_mb": round(sum(_status_kb(p, "VmHWM") for p in pids) / 1024, 1),
    }


def pid_listening_on(port: int) -> Optional[int]:
    """The process that listens on a local TCP port (from /proc/net/tcp and the fds in /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    parts = line.split()
                    if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                        inodes.add(parts[9])
        except OSError:
            continue
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{entry}/fd"):
                if os.readlink(f"/proc/{entry}/fd/{fd}") in targets:
                    return int(entry)
        except OSError:
            continue
    return None


def machine() -> dict:
    """What the figures were measured on."""
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "load_average_1min": round(load[0], 2),
        "python": sys.version.split()[0],
    }


# --- processes -----------------------------------------------------------------------------


@dataclass
class Server:
    """A started process group, its log, and the ports of the servers whose memory is reported."""

    name: str
    process: "subprocess.Popen | Group"
    log_path: Path
    base_url: str
    memory_ports: Dict[str, int] = field(default_factory=dict)
    cold_start_s: Optional[float] = None
    origin: Optional[str] = None
    log_offset: int = 0

    def memory(self) -> dict:
        """Resident memory of each server, found by the port it listens on."""
        figures = {}
        for name, port in self.memory_ports.items():
            pid = pid_listening_on(port)
            if pid is not None:
                figures[name] = rss_mb(pid)
        return figures

    def log_counts(self, since: int = 0) -> dict:
        """How often each watched pattern appears in the log (from byte `since`)."""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
        return {name: text.count(pattern) for name, pattern in LOG_PATTERNS.items()}

    def stop(self) -> None:
        """Stop every process of the server (SIGTERM, then SIGKILL)."""
        for process in getattr(self.process, "processes", [self.process]):
            stop_group(process)


def start_group(command: List[str], env: dict, log_path: Path, cwd: Path) -> subprocess.Popen:
    """A child in its own process group, so that it and its own children stop together."""
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **QUIET_ENV, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()


def stop_group(process: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM to the child's group, SIGKILL after the grace period."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # the group may keep children the leader did not wait for
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def wait_for_answer(url: str, process: subprocess.Popen, message: str, timeout: float, log_path: Path) -> float:
    """Poll the REST webhook until a non-empty answer; return the seconds since the process started."""
    started = time.monotonic()
    deadline = started + timeout
    with httpx.Client(timeout=30) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-4000:]
                raise RuntimeError(f"{url} exited with code {process.returncode} before answering:\n{tail}")
            try:
                response = http.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": "bench-cold-start", "message": message}
                )
                if response.status_code == 200 and response.json():
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s (log: {log_path})")


@dataclass
class Group:
    """Several processes started together and stopped together (the assistant's Rasa and action servers)."""

    processes: List[subprocess.Popen]

    def poll(self) -> Optional[int]:
        """The exit code of the first process that stopped, or None while all run."""
        for process in self.processes:
            if process.poll() is not None:
                return process.returncode
        return None

    @property
    def returncode(self) -> Optional[int]:
        return self.poll()

    @property
    def pid(self) -> int:
        return self.processes[0].pid


def assistant_environment(model: Path, var_dir: Path, database_url: str, **ports: int) -> dict:
    """What `python -m bot run` reads, for a throw-away instance: free ports, no mail server, default origins."""
    env = {name.upper(): str(port) for name, port in ports.items()}
    env.update({"VAR_DIR": str(var_dir), "DATABASE_URL": database_url, "MODEL_PATH": str(model)})
    env["SANIC_HOST"] = "127.0.0.1"  # rasa_sdk listens on 0.0.0.0 unless told otherwise: loopback only here
    for name in ("SMTP_HOST", "SMTP_PORT", "SITE_ORIGINS"):  # mails stay in var/outbox; origins of WEB_PORT
        env[name] = ""
    return env


def assistant_services(env: dict, names=("actions", "rasa")) -> list:
    """The commands and environments `python -m bot run` uses (bot.cli.services), for the servers a visitor meets.

    The web app and the outbox worker take no part in a conversation; leaving
    them out keeps the benchmark independent of them.
    """
    from bot.cli import services
    from bot.settings import load_settings

    settings = load_settings({**os.environ, **env})
    return [service for service in services(settings) if service.name in names]


def start_assistant(model: Path, workdir: Path, timeout: float = 300) -> Server:
    """The assistant's Rasa and action servers on free ports, a fresh SQLite database under `workdir`."""
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    var_dir = workdir / "var"
    env = assistant_environment(
        model,
        var_dir,
        f"sqlite:///{var_dir / 'bot.db'}",
        rasa_port=rasa_port,
        actions_port=actions_port,
        web_port=web_port,
    )
    log_path = workdir / "assistant.log"
    upgraded = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **QUIET_ENV, **env},
        capture_output=True,
        text=True,
    )
    if upgraded.returncode != 0:
        raise RuntimeError(f"python -m bot db upgrade failed: {upgraded.stderr[-2000:]}")
    started = time.monotonic()
    group = Group(
        [
            start_group(list(service.command), {**env, **service.env}, log_path, ROOT)
            for service in assistant_services(env)
        ]
    )
    server = Server(
        "assistant",
        group,
        log_path,
        f"http://127.0.0.1:{rasa_port}",
        {"rasa": rasa_port, "actions": actions_port},
        origin=f"http://127.0.0.1:{web_port}",
    )
    try:
        wait_for_answer(server.base_url, group, "bonjour", timeout, log_path)
    except BaseException:
        server.stop()
        raise
    server.cold_start_s = round(time.monotonic() - started, 1)
    return server


STARTER_CREDENTIALS = """\
# Written by bench/: the starter's own channels, REST and socket.io as our widget uses them.
rest:
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""


def starter_model(starter_dir: Path) -> Optional[Path]:
    """The newest trained model of the starter assistant, if any."""
    models = sorted(starter_dir.glob("models/*.tar.gz"), key=lambda path: path.stat().st_mtime)
    return models[-1] if models else None


def prepare_starter(starter_dir: Path) -> Path:
    """Rasa's starter assistant (`rasa init --no-prompt`, which trains it), made once and reused."""
    model = starter_model(starter_dir)
    if model:
        return model
    starter_dir.mkdir(parents=True, exist_ok=True)
    print(f"creating and training Rasa's starter assistant in {starter_dir} (about 1.5 min)…", flush=True)
    log_path = starter_dir.parent / f"{starter_dir.name}-init.log"
    with open(log_path, "wb") as log:
        done = subprocess.run(
            [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(starter_dir)],
            cwd=starter_dir,
            env={**os.environ, **QUIET_ENV},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    model = starter_model(starter_dir)
    if done.returncode != 0 or model is None:
        raise RuntimeError(f"rasa init failed (code {done.returncode}), see {log_path}")
    return model


def start_starter(starter_dir: Path, model: Path, workdir: Path, timeout: float = 300) -> Server:
    """The starter's Rasa server alone (it has no custom actions), stock in-memory tracker store."""
    port = free_port()
    credentials = workdir / "starter-credentials.yml"
    credentials.write_text(STARTER_CREDENTIALS)
    log_path = workdir / "starter.log"
    started = time.monotonic()
    process = start_group(
        [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--credentials",
            str(credentials),
            "--endpoints",
            str(starter_dir / "endpoints.yml"),
        ],
        {},
        log_path,
        starter_dir,
    )
    server = Server("starter", process, log_path, f"http://127.0.0.1:{port}", {"rasa": port})
    try:
        wait_for_answer(server.base_url, process, "hello", timeout, log_path)
    except BaseException:
        server.stop()
        raise
    server.cold_start_s = round(time.monotonic() - started, 1)
    return server


def time_training(project_dir: Path, workdir: Path, name: str) -> dict:
    """A full training (fresh, empty Rasa cache) into `workdir`; the project's models/ is left alone."""
    out = workdir / f"train-{name}"
    cache = workdir / f"cache-{name}"
    env = {"RASA_CACHE_DIRECTORY": str(cache)}
    log_path = workdir / f"train-{name}.log"
    print(f"training {name} from scratch (a few minutes)…", flush=True)
    started = time.monotonic()
    with open(log_path, "wb") as log:
        done = subprocess.run(
            [str(VENV_BIN / "rasa"), "train", "--out", str(out), "--fixed-model-name", name],
            cwd=project_dir,
            env={**os.environ, **QUIET_ENV, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    seconds = time.monotonic() - started
    model = out / f"{name}.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"training {name} failed (code {done.returncode}), see {log_path}")
    return {"training_s": round(seconds, 1), "trained_model_mb": round(model.stat().st_size / 1e6, 1)}

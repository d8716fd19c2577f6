"""Start the assistant's processes in one foreground command and stop them together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Sequence


@dataclass
class Service:
    """One child process: its log prefix, its command and its extra environment."""

    name: str
    command: Sequence[str]
    env: dict = field(default_factory=dict)


def _pump(name: str, stream: IO[bytes], out: IO[str], lock: threading.Lock) -> None:
    """Copy a child's output line by line, prefixed with the child's name."""
    width = 8
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", errors="replace").rstrip()
        with lock:
            out.write(f"{name:<{width}}| {line}\n")
            out.flush()


class Supervisor:
    """Run services; the first one to exit, or a signal, stops all of them."""

    def __init__(self, services: Sequence[Service], out: IO[str] = sys.stdout) -> None:
        self.services = list(services)
        self.out = out
        self.lock = threading.Lock()
        self.processes: dict[str, subprocess.Popen] = {}
        self._stopping = threading.Event()

    def log(self, message: str) -> None:
        """Write a line of the supervisor's own."""
        with self.lock:
            self.out.write(f"{'bot':<8}| {message}\n")
            self.out.flush()

    def start(self) -> None:
        """Start every service with its output piped through a prefixing thread."""
        for service in self.services:
            process = subprocess.Popen(
                list(service.command),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env={**os.environ, **service.env},
                start_new_session=True,  # our signal handler decides when children stop
            )
            self.processes[service.name] = process
            threading.Thread(
                target=_pump, args=(service.name, process.stdout, self.out, self.lock), daemon=True
            ).start()
            self.log(f"{service.name} démarré (pid {process.pid})")

    def stop(self, grace: float = 10.0) -> None:
        """Ask every child to stop, then kill those still running after the grace period."""
        self._stopping.set()
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def wait(self) -> int:
        """Block until a child exits or a signal arrives; return the exit code to use."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self._stopping.set())
        while not self._stopping.is_set():
            for name, process in self.processes.items():
                code = process.poll()
                if code is not None:
                    self.log(f"{name} s'est arrêté (code {code}) : arrêt des autres services")
                    self.stop()
                    return code or 1
            self._stopping.wait(0.5)
        self.log("arrêt demandé : arrêt des services")
        self.stop()
        return 0

"""`make shell`: the assistant in a terminal (Rasa's `rasa shell`), its action server started and stopped with it."""

import fcntl
import os
import pty
import select
import signal
import socket
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "assistant.tar.gz"


class Terminal:
    """A command run in a pseudo-terminal, as a person at a keyboard runs it."""

    def __init__(self, command: list, env: dict) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes the command
            os.chdir(ROOT)
            os.execvpe(command[0], command, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 400, 0, 0))  # wide: no wrapped lines
        self.screen = ""

    def read_until(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.screen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    self.screen += os.read(self.fd, 65536).decode("utf-8", errors="replace")
                except OSError:
                    return text in self.screen
        return text in self.screen

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\r").encode("utf-8"))

    def close(self) -> int:
        """Close the terminal (the window is closed) and wait for the command."""
        os.close(self.fd)
        try:
            os.kill(self.pid, signal.SIGHUP)
        except ProcessLookupError:
            pass
        for _ in range(60):
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.5)
        os.kill(self.pid, signal.SIGKILL)
        return os.waitpid(self.pid, 0)[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model (make train)")
def test_make_shell_answers_in_the_terminal_and_stops_its_action_server(tmp_path):
    rasa_port, actions_port = free_port(), free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port),
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "TERM": "xterm",
    }
    terminal = Terminal([sys.executable, "-m", "bot", "shell"], env)
    try:
        assert terminal.read_until("Bot loaded", 240), terminal.screen[-3000:]
        terminal.type("bonjour")
        assert terminal.read_until("Tester mon projet", 60), terminal.screen[-3000:]  # the greeting's first button
        assert listening(actions_port)
    finally:
        terminal.close()
    assert not listening(actions_port) and not listening(rasa_port)
    assert (tmp_path / "bot.db").exists()  # the conversation went to the database of VAR_DIR

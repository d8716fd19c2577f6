"""Memory of the Rasa server given back to the system (see bot/rasa_ext/tuning/__init__.py).

glibc keeps the memory freed after the model's loading (and after busy
minutes) inside the process. The REST channel calls `release_free_memory`
once the server has started and every minute after, a few milliseconds each
time; what it gives back to the system is measured in bench/README.md.
"""

from __future__ import annotations

import asyncio
import ctypes
from typing import Any, Optional

TRIM_EVERY_SECONDS = 60
_libc: Optional[Any] = None


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the system (glibc's malloc_trim); False without glibc."""
    global _libc
    try:
        _libc = _libc or ctypes.CDLL("libc.so.6")
        return bool(_libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


async def release_free_memory_every_minute(app: Any, _loop: Any) -> None:
    """Sanic listener (after_server_start): trim now that the model is loaded, then every minute."""

    async def keep_trimming() -> None:
        while True:
            await asyncio.sleep(TRIM_EVERY_SECONDS)
            release_free_memory()

    release_free_memory()
    app.ctx.memory_trimming = asyncio.ensure_future(keep_trimming())


async def stop_releasing_free_memory(app: Any, _loop: Any) -> None:
    """Sanic listener (before_server_stop): end the minute loop, which Rasa's shutdown would leave pending
    ("Task was destroyed but it is pending!" in the log at every stop)."""
    trimming = getattr(app.ctx, "memory_trimming", None)
    if trimming is not None:
        trimming.cancel()

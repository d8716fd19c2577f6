"""Failures of the actions in the log, without what the visitor wrote.

An exception's message may quote its input (a database error its values, a
KeyError the key typed by the visitor): the log gets the exception's type and
where it was raised, never its message.
"""

from __future__ import annotations

import logging
import traceback


def log_failure(logger: logging.Logger, what: str, error: BaseException) -> None:
    """Log `what` failed, with the exception's type and frames (source lines, no values)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("%s: %s (message left out of the log)\n%s", what, type(error).__name__, frames.rstrip())

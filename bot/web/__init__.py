"""The web app: the program page with the chat widget, and the staff app under /staff.

One FastAPI application served by uvicorn (`python -m bot web`, started by
`python -m bot run` on WEB_PORT). Every response carries the security headers
of `security.py`; the pages are Jinja templates with autoescaping on.
"""

from __future__ import annotations

from bot.web.app import create_app

__all__ = ["create_app"]

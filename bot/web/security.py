"""Security headers for every response of the web app."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request


def chat_server_url(request: Request, configured: str, rasa_port: int) -> str:
    """Where the widget reaches Rasa: CHAT_SERVER_URL, or the page's host on the Rasa port."""
    if configured:
        return configured
    host = request.url.hostname or "127.0.0.1"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{request.url.scheme}://{host}:{rasa_port}"


def content_security_policy(chat_server: str) -> str:
    """Only our own files, plus the chat server for socket.io (HTTP polling and WebSocket)."""
    parts = urlsplit(chat_server)
    websocket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self' {chat_server} {websocket}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


class SecurityHeaders(BaseHTTPMiddleware):
    """CSP on pages, and the usual hardening headers on everything."""

    def __init__(self, app, configured_chat_server: str, rasa_port: int) -> None:
        super().__init__(app)
        self.configured_chat_server = configured_chat_server
        self.rasa_port = rasa_port

    async def dispatch(self, request: Request, call_next):
        response = await call_next(request)
        server = chat_server_url(request, self.configured_chat_server, self.rasa_port)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(server))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.url.path.startswith("/staff"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

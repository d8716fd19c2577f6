"""Application factory: routes of the public page and the widget's files; the staff app is mounted under /staff."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from bot.settings import PROJECT_ROOT, Settings
from bot.web.privacy import retention_words
from bot.web.security import SecurityHeaders, chat_server_url
from bot.web.staff import mount_staff

HERE = Path(__file__).resolve().parent
SOCKET_IO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
templates = Jinja2Templates(directory=str(HERE / "templates"))

ERROR_MESSAGES = {
    400: "Requête invalide.",
    401: "Connexion requise.",
    403: "Accès refusé.",
    404: "Page introuvable.",
    405: "Méthode non autorisée.",
    413: "Requête trop volumineuse.",
    422: "Données invalides.",
    429: "Trop de requêtes : réessayez dans un moment.",
}


def create_app(settings: Settings) -> FastAPI:
    """The whole web app for these settings (tests build one per database)."""
    app = FastAPI(title="Appui-conseil à l'innovation sociale", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.add_middleware(
        CORSMiddleware, allow_origins=list(settings.site_origins), allow_methods=["GET"], allow_credentials=False
    )
    app.add_middleware(SecurityHeaders, configured_chat_server=settings.chat_server_url, rasa_port=settings.rasa_port)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def french_errors(request: Request, error: StarletteHTTPException):
        # Our own errors carry a French detail; Starlette's carry the English status phrase.
        own = isinstance(error.detail, str) and error.detail != HTTPStatus(error.status_code).phrase
        message = error.detail if own else ERROR_MESSAGES.get(error.status_code, "Erreur.")
        if request.url.path.startswith("/staff") or "text/html" in request.headers.get("accept", ""):
            return templates.TemplateResponse(
                request,
                "error.html",
                {"status": error.status_code, "message": message},
                status_code=error.status_code,
                headers=getattr(error, "headers", None),
            )
        return JSONResponse({"error": message}, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.get("/", include_in_schema=False)
    async def program_page(request: Request):
        return templates.TemplateResponse(
            request,
            "program.html",
            {
                "chat_server": chat_server_url(request, settings.chat_server_url, settings.rasa_port),
                "help_email": settings.help_email,
                "applications_email": settings.applications_email,
            },
        )

    @app.get("/confidentialite", include_in_schema=False)
    async def privacy_page(request: Request):
        return templates.TemplateResponse(
            request, "privacy.html", {**retention_words(settings), "help_email": settings.help_email}
        )

    @app.get("/widget/privacy.json", include_in_schema=False)
    async def privacy_line():
        """What the widget says under the conversation: how long it is kept, and where to read more."""
        words = retention_words(settings)
        return {
            "text": f"Assistant automatique : vos échanges sont conservés {words['conversations']}, "
            f"{words['leads']} si vous demandez à être recontacté. N'indiquez pas de données sensibles.",
            "link": "/confidentialite",
        }

    @app.get("/widget/socket.io.min.js", include_in_schema=False)
    async def socket_io_client():
        if not SOCKET_IO_CLIENT.exists():
            return PlainTextResponse(
                "socket.io-client n'est pas installé : lancez `make run` (qui exécute npm ci).", status_code=503
            )
        return FileResponse(
            SOCKET_IO_CLIENT, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/widget/{name}", include_in_schema=False)
    async def widget_file(name: str):
        if name not in ("widget.js", "widget.css"):
            raise StarletteHTTPException(404)
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return FileResponse(HERE / "static" / name, media_type=media, headers={"Cache-Control": "no-cache"})

    @app.get("/healthz", include_in_schema=False)
    async def health():
        return {"status": "ok"}

    @app.exception_handler(RequestValidationError)
    async def french_validation_errors(request: Request, error: RequestValidationError):
        return JSONResponse({"error": ERROR_MESSAGES[422]}, status_code=422)

    mount_staff(app, settings)
    return app


def run(settings: Settings) -> None:
    """Serve the app with uvicorn on BIND_HOST:WEB_PORT (one worker; the database is shared)."""
    import uvicorn

    uvicorn.run(
        create_app(settings),
        host=settings.bind_host,
        port=settings.web_port,
        log_level="info",
        access_log=False,
        proxy_headers=True,
        server_header=False,
    )

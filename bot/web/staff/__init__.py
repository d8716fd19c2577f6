"""Staff app under /staff: log-in, conversations, leads, data protection, audit log.

Modules by concern: `accounts` (passwords, lock-out), `auth` (cookies, CSRF),
`conversations`, `transcript`, `stats` (reading Rasa's tracker store),
`reviews`, `lead_admin`, `protection`, `audit` (the staff's own tables in
bot.records.staff_models), `rendering` (Jinja), and one `views_*`/`login` module of
routes per page group. The routes are imported and built only when an app is made.
"""

from __future__ import annotations


def mount_staff(app, settings) -> None:
    """Add the /staff routes, and the answers to a missing session (302 to log-in) or CSRF token (403)."""
    from urllib.parse import quote

    from fastapi import Request
    from starlette.responses import RedirectResponse

    from bot.web.staff import login, views_conversations, views_data, views_home, views_leads
    from bot.web.staff.auth import CsrfRejected, LoginRequired, StaffAuth, staff_auth
    from bot.web.staff.rendering import render
    from bot.web.staff.throttle import LoginThrottle

    app.state.staff_auth = StaffAuth(settings)
    app.state.login_throttle = LoginThrottle()

    async def to_login(request: Request, error: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        next_page = target if request.method == "GET" else "/staff"
        response = RedirectResponse(f"/staff/login?next={quote(next_page, safe='/')}", status_code=302)
        staff_auth(request).close_session(response)
        return response

    async def refuse_form(request: Request, error: CsrfRejected):
        return render(
            request,
            "error.html",
            status_code=403,
            status=403,
            message="Ce formulaire a expiré ou ne vient pas de cette application : rechargez la page et recommencez.",
        )

    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(CsrfRejected, refuse_form)

    for module in (views_home, login, views_conversations, views_leads, views_data):
        app.include_router(module.router, prefix="/staff")
    # Last: any other /staff address (a session first, then a 404 of our own).
    app.include_router(views_home.unknown_router, prefix="/staff")

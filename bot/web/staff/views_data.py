"""Data-protection pages: erase a person, retention purge (each after a confirmation), the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from bot.records import personal_data
from bot.records.db import session_scope
from bot.records.personal_data import Retention, parse_age
from bot.web.privacy import duration_words
from bot.web.staff import audit, protection
from bot.web.staff.auth import StaffSession, require_staff, require_staff_form, staff_auth
from bot.web.staff.rendering import render
from bot.web.staff.views_conversations import page_number

router = APIRouter()
DONE = {"erase": "Effacement effectué.", "purge": "Purge effectuée."}


def _counts(erasure) -> str:
    return f"{erasure.leads} fiche(s), {erasure.mails} courriel(s), {erasure.events} événement(s) de conversation"


def _data_page(request: Request, status_code: int = 200, **context):
    with session_scope(staff_auth(request).settings.database_url) as db:
        settings = staff_auth(request).settings
        context.setdefault("age", settings.retention_leads)
        context["default_age"] = settings.retention_leads
        context["default_words"] = duration_words(settings.retention_leads).replace("\u00a0", " ")
        return render(
            request,
            "data.html",
            status_code=status_code,
            erasures=protection.past_erasures(db),
            done=DONE.get(request.query_params.get("ok", ""), ""),
            **context,
        )


@router.get("/data")
def data(request: Request, staff: StaffSession = Depends(require_staff)):
    return _data_page(request)


@router.post("/data/erase")
def erase(
    request: Request, email: str = Form(""), confirm: str = Form(""), staff: StaffSession = Depends(require_staff_form)
):
    email = email.strip()
    if "@" not in email:
        return _data_page(request, 400, erase_error="Saisissez l'adresse électronique de la personne.", email=email)
    settings = staff_auth(request).settings
    with session_scope(settings.database_url) as db:
        if confirm != "yes":
            return render(request, "erase_confirm.html", email=email, preview=protection.erase_preview(db, email))
        erasure = protection.erase(db, email, settings.mail.outbox_dir)
        audit.record(db, staff.email, "erase", f"effacement n° {erasure.id}", _counts(erasure))
    return RedirectResponse("/staff/data?ok=erase", status_code=303)


@router.post("/data/export")
def export(request: Request, email: str = Form(""), staff: StaffSession = Depends(require_staff_form)):
    email = email.strip()
    if "@" not in email:
        return _data_page(
            request, 400, export_error="Saisissez l'adresse électronique de la personne.", export_email=email
        )
    settings = staff_auth(request).settings
    with session_scope(settings.database_url) as db:
        copy = personal_data.export_person(db, email, settings.mail.outbox_dir)
        held = f"{len(copy['leads'])} fiche(s), {len(copy['conversations'])} conversation(s)"
        audit.record(db, staff.email, "person_export", None, held)  # who asked for a copy, never whose
    return Response(
        personal_data.export_text(copy),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="donnees-personne.txt"', "Cache-Control": "no-store"},
    )


@router.post("/data/purge")
def purge(
    request: Request, age: str = Form(""), confirm: str = Form(""), staff: StaffSession = Depends(require_staff_form)
):
    try:
        duration = parse_age(age)
    except ValueError as error:
        return _data_page(request, 400, purge_error=f"Durée invalide : {error}.", age=age)
    settings = staff_auth(request).settings
    retention = Retention.from_settings(settings).with_age(duration)
    with session_scope(settings.database_url) as db:
        if confirm != "yes":
            return render(
                request,
                "purge_confirm.html",
                age=age.strip(),
                days=duration.days,
                preview=protection.purge_preview(db, retention),
            )
        erasure = protection.purge(db, retention, settings.mail.outbox_dir)
        audit.record(
            db, staff.email, "purge", f"purge n° {erasure.id}", f"plus de {duration.days} jours : {_counts(erasure)}"
        )
    return RedirectResponse("/staff/data?ok=purge", status_code=303)


@router.get("/audit")
def audit_log(request: Request, staff: StaffSession = Depends(require_staff)):
    with session_scope(staff_auth(request).settings.database_url) as db:
        rows, total = audit.entries(db, page_number(request.query_params.get("page")))
        page = page_number(request.query_params.get("page"))
        return render(
            request,
            "audit.html",
            rows=rows,
            total=total,
            page=page,
            pages=max(1, -(-total // 50)),
            labels=audit.ACTION_LABELS,
        )

"""Pages of the leads: list by status, one lead with its status and note, CSV export."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from bot.records.db import session_scope
from bot.records.models import Lead
from bot.web.staff import audit
from bot.web.staff.auth import StaffSession, require_staff, require_staff_form, staff_auth
from bot.web.staff.lead_admin import STATUS_LABELS, export_csv, list_leads, notes_of, update_lead
from bot.web.staff.rendering import render
from bot.web.staff.views_conversations import not_found, page_number

router = APIRouter()


def _lead(db, lead_id: str) -> Lead | None:
    return db.get(Lead, int(lead_id)) if lead_id.isascii() and lead_id.isdigit() and len(lead_id) < 10 else None


@router.get("/leads")
def leads(request: Request, staff: StaffSession = Depends(require_staff)):
    status = request.query_params.get("status", "")
    with session_scope(staff_auth(request).settings.database_url) as db:
        page = list_leads(db, status, page_number(request.query_params.get("page")))
        return render(
            request,
            "leads.html",
            page=page,
            status=status if status in STATUS_LABELS else "",
            notes=notes_of(db, [lead.id for lead in page.rows]),
        )


@router.get("/leads/export.csv")
def export(request: Request, staff: StaffSession = Depends(require_staff)):
    with session_scope(staff_auth(request).settings.database_url) as db:
        body, count = export_csv(db)
        audit.record(db, staff.email, "leads_export", None, f"{count} fiche(s)")
    name = f"fiches-contact-{datetime.now():%Y-%m-%d}.csv"
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/leads/{lead_id}")
def lead(request: Request, lead_id: str, staff: StaffSession = Depends(require_staff)):
    with session_scope(staff_auth(request).settings.database_url) as db:
        found = _lead(db, lead_id)
        if found is None:
            return not_found(request, "Cette fiche n'existe pas ou a été effacée.")
        return render(
            request,
            "lead.html",
            lead=found,
            note=notes_of(db, [found.id]).get(found.id, ""),
            saved=request.query_params.get("ok") == "1",
        )


@router.post("/leads/{lead_id}")
def save_lead(
    request: Request,
    lead_id: str,
    status: str = Form(""),
    note: str = Form(""),
    staff: StaffSession = Depends(require_staff_form),
):
    with session_scope(staff_auth(request).settings.database_url) as db:
        found = _lead(db, lead_id)
        if found is None:
            return not_found(request, "Cette fiche n'existe pas ou a été effacée.")
        if status not in STATUS_LABELS:
            return render(
                request,
                "lead.html",
                status_code=400,
                lead=found,
                note=note,
                error="Choisissez un statut dans la liste.",
            )
        update_lead(db, found, status, note, staff.email)
        audit.record(db, staff.email, "lead_update", f"fiche n° {found.id}", f"statut : {STATUS_LABELS[status]}")
        target = f"/staff/leads/{found.id}?ok=1"
    return RedirectResponse(target, status_code=303)

"""Pages of the conversations: the filtered list, one transcript, and its review form."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse

from bot.records.db import session_scope
from bot.web.staff import audit, reviews
from bot.web.staff.auth import StaffSession, require_staff, require_staff_form, staff_auth
from bot.web.staff.conversations import Filters, all_tags, list_conversations, tags_of
from bot.web.staff.rendering import render
from bot.web.staff.transcript import load_transcript

router = APIRouter()


def page_number(raw: str | None) -> int:
    """?page=… as a positive number (anything else is page 1)."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def not_found(request: Request, message: str):
    """The staff's own 404 page."""
    return render(request, "error.html", status_code=404, status=404, message=message)


@router.get("/conversations")
def conversations(request: Request, staff: StaffSession = Depends(require_staff)):
    filters = Filters.from_query(request.query_params)
    with session_scope(staff_auth(request).settings.database_url) as db:
        page = list_conversations(db, filters, page_number(request.query_params.get("page")))
        return render(request, "conversations.html", page=page, filters=filters, tags=all_tags(db))


@router.get("/conversations/{sender_id:path}")
def conversation(request: Request, sender_id: str, staff: StaffSession = Depends(require_staff)):
    with session_scope(staff_auth(request).settings.database_url) as db:
        transcript = load_transcript(db, sender_id)
        if transcript is None:
            return not_found(request, "Cette conversation n'existe pas ou a été effacée.")
        return render(
            request,
            "conversation.html",
            t=transcript,
            review=reviews.get_review(db, sender_id),
            tags=tags_of(db, [sender_id]).get(sender_id, []),
            saved=request.query_params.get("ok") == "1",
        )


@router.post("/conversations/{sender_id:path}/review")
def review(
    request: Request,
    sender_id: str,
    reviewed: str = Form(""),
    tags: str = Form(""),
    note: str = Form(""),
    staff: StaffSession = Depends(require_staff_form),
):
    with session_scope(staff_auth(request).settings.database_url) as db:
        if load_transcript(db, sender_id) is None:
            return not_found(request, "Cette conversation n'existe pas ou a été effacée.")
        tag_list = reviews.parse_tags(tags)
        reviews.save_review(db, sender_id, bool(reviewed), tag_list, note, staff.email)
        detail = ("relue" if reviewed else "non relue") + (f" ; étiquettes : {', '.join(tag_list)}" if tag_list else "")
        audit.record(db, staff.email, "review", f"conversation {sender_id}", detail)
    return RedirectResponse(f"/staff/conversations/{quote(sender_id, safe='')}?ok=1", status_code=303)

"""Leads on SQLite and on PostgreSQL: checks of what visitors type, save, export."""

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from bot.records import leads
from bot.records.db import session_scope


@pytest.mark.parametrize(
    "text,value,problem,suggestion",
    [
        ("marie.durand@asso-lien.fr", "marie.durand@asso-lien.fr", None, None),
        ("mon mail c'est Paul@Exemple.FR merci", "Paul@exemple.fr", None, None),
        ("marie.durand.gmail.com", None, "missing_at", None),
        ("marie@gmial.com", None, "typo", "marie@gmail.com"),
        ("jean@hotmial.com", None, "typo", "jean@hotmail.com"),
        ("jean@localhost", None, "invalid", None),
        ("a@b.fr\r\nBcc: victime@example.com", None, "invalid", None),
    ],
)
def test_check_email(text, value, problem, suggestion):
    check = leads.check_email(text)
    assert (check.value, check.problem, check.suggestion) == (value, problem, suggestion)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("04 72 10 20 30", "04 72 10 20 30"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("12", None),
        ("appelez-moi", None),
    ],
)
def test_check_phone(text, expected):
    assert leads.check_phone(text) == expected


def lead_data(**changes) -> leads.LeadData:
    values = dict(
        name="Élodie Martin",
        email="elodie@coop-exemple.fr",
        consent_text="Vos coordonnées seront conservées…",
        consent_at=datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc),
        conversation_id="conv-1",
        organisation="Coop Exemple",
        project="Un atelier partagé 🌱 pour l'équipe",
        structure_type="association",
        headcount=40,
        eligibility={"verdict": "eligible", "reasons": [], "answers": {"structure_type": "association"}},
        funding={"support": "long", "days": 10, "company_eur": 2000},
    )
    values.update(changes)
    return leads.LeadData(**values)


def test_a_lead_is_saved_with_its_consent_and_exported_intact(database_url):
    with session_scope(database_url) as session:
        leads.save_lead(session, lead_data(project="'); DROP TABLE leads;--  " + "é" * 10_000))
    with session_scope(database_url) as session:
        stored = leads.all_leads(session)
        assert len(stored) == 1 and stored[0].consent_text.startswith("Vos coordonnées")
        assert stored[0].project.startswith("'); DROP TABLE leads;--")  # stored verbatim, tables intact
        assert len(stored[0].project) > 10_000
        rows = list(csv.DictReader(io.StringIO(leads.export_leads(stored, "csv"))))
        as_json = json.loads(leads.export_leads(stored, "json"))
    assert rows[0]["name"] == "Élodie Martin" and rows[0]["funding_company_eur"] == "2000"
    assert as_json[0]["organisation"] == "Coop Exemple"


def test_the_command_line_csv_keeps_formulas_from_running_and_the_json_keeps_them_as_typed(database_url):
    with session_scope(database_url) as session:
        leads.save_lead(session, lead_data(organisation='=HYPERLINK("http://x","clic")', phone="+33 6 12 34 56 78"))
    with session_scope(database_url) as session:
        (row,) = csv.DictReader(io.StringIO(leads.export_leads(leads.all_leads(session), "csv")))
        (as_json,) = json.loads(leads.export_leads(leads.all_leads(session), "json"))
    assert row["organisation"] == '\'=HYPERLINK("http://x","clic")' and row["phone"] == "+33 6 12 34 56 78"
    assert as_json["organisation"] == '=HYPERLINK("http://x","clic")'


def test_emoji_and_accents_survive_the_csv(database_url):
    with session_scope(database_url) as session:
        leads.save_lead(session, lead_data(project="Projet « bien-être » 🌱 à Saint-Étienne"))
    with session_scope(database_url) as session:
        exported = leads.export_leads(leads.all_leads(session))
    assert "Projet « bien-être » 🌱 à Saint-Étienne" in exported


def test_giving_details_twice_updates_the_same_lead(database_url):
    with session_scope(database_url) as session:
        leads.save_lead(session, lead_data())
        leads.save_lead(session, lead_data(phone="04 72 10 20 30"))
    with session_scope(database_url) as session:
        assert [lead.phone for lead in leads.all_leads(session)] == ["04 72 10 20 30"]


def test_single_line_fields_lose_their_line_breaks_but_the_project_keeps_them():
    assert leads.clean_text("Jean\r\nBcc: victime@example.com") == "Jean  Bcc: victime@example.com"
    assert leads.clean_text("ligne 1\nligne 2 🌱", multiline=True) == "ligne 1\nligne 2 🌱"

"""The staff app's query functions on conversations written by Rasa's own tracker store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bot.records.db import session_scope
from bot.records.models import Lead
from bot.records.personal_data import Retention
from bot.settings import load_settings
from bot.web.staff import protection, reviews, stats
from bot.web.staff.conversations import Filters, list_conversations, senders_matching
from bot.web.staff.lead_admin import export_csv, update_lead
from bot.web.staff.transcript import load_transcript
from tests.staff.data import NOW, XSS, Chat, paris_day, tracker_store


def senders(url: str, **filters) -> list[str]:
    with session_scope(url) as session:
        return [row.sender_id for row in list_conversations(session, Filters(**filters)).rows]


def test_list_is_newest_first_and_skips_chats_without_a_visitor_message(database_url, conversations):
    assert senders(database_url) == [
        "conv-eligible",
        "conv-dialogue",
        "conv-fallback",
        "conv-redo",
        "conv-xss",
        "conv-old",
    ]


def test_each_row_summarises_its_conversation(database_url, conversations):
    with session_scope(database_url) as session:
        rows = {row.sender_id: row for row in list_conversations(session, Filters()).rows}
    full = rows["conv-eligible"]
    assert (full.turns, full.verdict, full.leads, full.handoffs, full.fallback, full.quiz, full.reviewed) == (
        4,
        "eligible",
        1,
        1,
        False,
        True,
        False,
    )
    assert full.started < full.last and full.first_message == "bonjour"
    assert rows["conv-xss"].first_message == XSS
    assert (rows["conv-fallback"].fallback, rows["conv-fallback"].verdict) == (True, None)
    assert (rows["conv-xss"].verdict, rows["conv-xss"].fallback) == ("not_eligible", True)
    # A lead whose mail is still pending is a lead, not a handoff.
    assert (rows["conv-old"].verdict, rows["conv-old"].leads, rows["conv-old"].handoffs) == ("to_check", 1, 0)
    assert rows["conv-redo"].verdict == "eligible", "the last verdict of a redone quiz wins"


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"verdict": "eligible"}, ["conv-eligible", "conv-redo"]),
        ({"verdict": "not_eligible"}, ["conv-xss"]),
        ({"verdict": "to_check"}, ["conv-old"]),
        ({"verdict": "none"}, ["conv-dialogue", "conv-fallback"]),
        ({"lead": "yes"}, ["conv-eligible", "conv-old"]),
        ({"lead": "no"}, ["conv-dialogue", "conv-fallback", "conv-redo", "conv-xss"]),
        ({"handoff": "yes"}, ["conv-eligible"]),
        ({"fallback": "yes"}, ["conv-dialogue", "conv-fallback", "conv-xss"]),
        ({"fallback": "no", "lead": "yes"}, ["conv-eligible", "conv-old"]),
        (
            {"date_from": paris_day(NOW - timedelta(days=4)), "date_to": paris_day(NOW - timedelta(days=2))},
            ["conv-redo", "conv-xss"],
        ),
        ({"date_to": paris_day(NOW - timedelta(days=10))}, ["conv-old"]),
        ({"date_from": date(2000, 1, 1), "date_to": date(2000, 1, 2)}, []),
    ],
)
def test_filters(database_url, conversations, filters, expected):
    assert senders(database_url, **filters) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cheval blanc", ["conv-fallback"]),
        ("ÉTÉ COMME", ["conv-fallback"]),  # accents and case, although Rasa stores \u00e9
        ("Été", ["conv-fallback"]),  # message text only, not the lead's organisation
        ("<script>", ["conv-xss"]),
        ("720 € HT", ["conv-eligible"]),  # the assistant's replies too
        ("100%_", []),  # LIKE wildcards are searched literally
        ("conv-old", ["conv-old"]),  # a conversation id pasted by the staff
        ("greet", []),  # intent names are not message text
    ],
)
def test_text_search(database_url, conversations, text, expected):
    assert senders(database_url, text=text) == expected


def test_reviews_and_tags_filter_the_list(database_url, conversations):
    with session_scope(database_url) as session:
        reviews.save_review(
            session, "conv-xss", True, reviews.parse_tags("Sécurité, relance , sécurité"), "vu", "a@b.fr"
        )
    assert senders(database_url, reviewed="yes") == ["conv-xss"]
    assert "conv-xss" not in senders(database_url, reviewed="no")
    assert senders(database_url, tag="sécurité") == ["conv-xss"]
    with session_scope(database_url) as session:
        assert list_conversations(session, Filters(reviewed="yes")).rows[0].tags == ["relance", "sécurité"]


def test_paging(database_url):
    store = tracker_store(database_url)
    for number in range(30):
        Chat(f"visitor-{number:02d}", NOW - timedelta(minutes=number)).user("bonjour", "greet").save(store)
    store.engine.dispose()
    with session_scope(database_url) as session:
        first = list_conversations(session, Filters(), page=1, per_page=25)
        second = list_conversations(session, Filters(), page=2, per_page=25)
        beyond = list_conversations(session, Filters(), page=9, per_page=25)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (30, 2, 25, 5)
    assert first.rows[0].sender_id == "visitor-00" and second.rows[-1].sender_id == "visitor-29"
    assert beyond.page == 2


def test_no_tracker_table_yet_means_no_conversation(database_url):
    with session_scope(database_url) as session:
        assert list_conversations(session, Filters()).total == 0
        assert load_transcript(session, "anyone") is None
        assert stats.dashboard(session).conversations == 0


def test_transcript(database_url, conversations):
    with session_scope(database_url) as session:
        transcript = load_transcript(session, "conv-eligible")
        lead_names = [lead.name for lead in transcript.leads]
        mails = [mail.status for lead in transcript.leads for mail in lead.mails]
    visitor = [m for m in transcript.messages if m.kind == "visitor"]
    assert [(m.text, m.intent, m.confidence) for m in visitor][:2] == [
        ("bonjour", "greet", 0.98),
        ("/start_quiz", "start_quiz", 1.0),
    ]
    assert transcript.messages[1].kind == "assistant" and transcript.messages[1].buttons == [
        "Tester mon projet",
        "Combien ça coûte ?",
    ]
    assert transcript.eligibility["verdict"] == "eligible" and transcript.funding["company_eur"] == 720
    assert (lead_names, mails) == (["Élodie Müller"], ["sent"])
    assert not any(m.not_understood for m in visitor)


def test_transcript_marks_what_was_not_understood(database_url, conversations):
    with session_scope(database_url) as session:
        transcript = load_transcript(session, "conv-fallback")
    visitor = [m for m in transcript.messages if m.kind == "visitor"]
    assert [m.not_understood for m in visitor] == [True, True]
    assert visitor[1].intent == "faq" and visitor[1].confidence == pytest.approx(0.34)


def test_a_dialogue_turn_record_says_what_was_understood(database_url, conversations):
    with session_scope(database_url) as session:
        rows = {row.sender_id: row for row in list_conversations(session, Filters()).rows}
        transcript = load_transcript(session, "conv-dialogue")
    assert (rows["conv-dialogue"].fallback, rows["conv-dialogue"].quiz) == (True, True)
    visitor = [m for m in transcript.messages if m.kind == "visitor"]
    assert [(m.text, m.not_understood) for m in visitor] == [
        ("je veux tester notre projet", False),
        ("une asso", False),
        ("zzkq wxv", True),
        ("Camille Roux", False),
    ]


def test_dashboard(database_url, conversations):
    with session_scope(database_url) as session:
        board = stats.dashboard(session, days=7)
        longer = stats.dashboard(session, days=60)  # conv-old is 40 days old
    assert (board.conversations, board.quiz_taken) == (5, 4)
    assert board.verdicts == {"eligible": 2, "not_eligible": 1, "to_check": 0}
    assert (board.leads, board.handoffs, board.pending_mails) == (1, 1, 1)
    # 14 visitor messages in the week, 4 not understood: an nlu_fallback answered by a fallback action counts once,
    # and a name the model read as nlu_fallback but the dialogue took as the answer it was does not count.
    assert (board.visitor_messages, board.not_understood) == (14, 4)
    assert board.fallback_rate == pytest.approx(4 / 14)
    assert [m.text for m in board.misunderstood] == [
        "zzkq wxv",
        "et pour les coopératives été comme hiver ?",
        "quelle est la couleur du cheval blanc d'Henri IV ?",
        XSS,
    ]
    assert (longer.conversations, longer.verdicts["to_check"], longer.leads) == (6, 1, 2)


def test_csv_export_for_a_french_spreadsheet(database_url, conversations):
    with session_scope(database_url) as session:
        update_lead(
            session,
            session.get(Lead, conversations["leads"]["eligible"]),
            "contacted",
            "Rappelée le 2/12 ; OK",
            "a@b.fr",
        )
        text, count = export_csv(session)
    assert count == 2 and text.startswith("\ufeff")
    lines = text[1:].split("\r\n")
    assert lines[0].startswith("n°;date;statut;nom;courriel;structure;téléphone")
    assert lines[0].endswith(";note de l'équipe")
    assert "Élodie Müller;elodie@exemple.fr;Les Ateliers d'Été;+33 6 12 34 56 78" in text
    assert ";contacté;" in text and ";éligible;720;" in text and '"Rappelée le 2/12 ; OK"' in text
    # Visitor text that a spreadsheet would run as a formula is kept as text.
    assert "'=HYPERLINK" in text and ";'-2+3;" in text


def test_erase_removes_the_person_and_the_staff_notes_about_them(database_url, conversations):
    lead_id = conversations["leads"]["eligible"]
    with session_scope(database_url) as session:
        update_lead(session, session.get(Lead, lead_id), "contacted", "note", "a@b.fr")
        reviews.save_review(session, "conv-eligible", True, ["à rappeler"], "note", "a@b.fr")
        reviews.save_review(session, "conv-xss", True, ["autre"], "", "a@b.fr")
        preview = protection.erase_preview(session, " Elodie@Exemple.fr ")
    assert (preview.leads, preview.mails, preview.conversations) == (1, 1, 1) and preview.events > 10
    with session_scope(database_url) as session:
        erasure = protection.erase(session, "elodie@exemple.fr")
        assert (erasure.leads, erasure.mails, erasure.events) == (1, 1, preview.events)
    with session_scope(database_url) as session:
        assert load_transcript(session, "conv-eligible") is None
        assert reviews.get_review(session, "conv-eligible") is None and reviews.get_review(session, "conv-xss")
        assert session.execute(sa.text("SELECT count(*) FROM staff_lead_notes")).scalar_one() == 0
        assert session.execute(sa.text("SELECT count(*) FROM staff_tags")).scalar_one() == 1
        assert senders_matching(session, "Élodie") == set()


def test_purge_keeps_recent_data(database_url, conversations):
    with session_scope(database_url) as session:
        reviews.save_review(session, "conv-old", True, ["ancien"], "", "a@b.fr")
        update_lead(session, session.get(Lead, conversations["leads"]["old"]), "closed", "", "a@b.fr")
        retention = Retention.from_settings(load_settings({})).with_age(timedelta(days=30))
        preview = protection.purge_preview(session, retention)
        assert (preview.leads, preview.mails, preview.conversations) == (1, 1, 1)
        erasure = protection.purge(session, retention)
        assert (erasure.leads, erasure.mails, erasure.events) == (1, 1, preview.events)
    assert senders(database_url) == ["conv-eligible", "conv-dialogue", "conv-fallback", "conv-redo", "conv-xss"]
    with session_scope(database_url) as session:
        assert reviews.get_review(session, "conv-old") is None
        assert session.execute(sa.text("SELECT count(*) FROM staff_lead_notes")).scalar_one() == 0
        assert [erasure.reason for erasure in protection.past_erasures(session)] == ["retention"]


@pytest.mark.parametrize(
    "text, tags",
    [
        ("", []),
        ("Relance, FAQ manquante , relance,", ["faq manquante", "relance"]),
        ("a\nb, c", ["a b", "c"]),
    ],
)
def test_parse_tags(text, tags):
    assert reviews.parse_tags(text) == tags

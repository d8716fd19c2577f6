"""Realistic conversations written by Rasa's own SQLTrackerStore, plus the leads and mails they led to."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from bot.records.db import session_scope
from bot.records.leads import LeadData, save_lead
from bot.records.models import OutboxMail

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(timezone.utc)


def paris_day(moment: datetime) -> date:
    """The calendar day of `moment` in Paris, as the staff app's date filters count days (not UTC's)."""
    return moment.astimezone(ZoneInfo("Europe/Paris")).date()


XSS = '<script>alert("xss")</script> Bonjour, c\'est pour <b>mon</b> projet'
ELIGIBLE = {
    "verdict": "eligible",
    "reasons": [
        {"criterion": "structure", "ok": True, "message": "Les associations de moins de 250 salariés sont éligibles."},
        {
            "criterion": "novelty",
            "ok": True,
            "message": "Le projet doit avoir une dimension novatrice : c'est votre cas.",
        },
    ],
    "answers": {
        "structure_type": "association",
        "headcount": 40,
        "in_region": True,
        "place": "Lyon (69)",
        "role": "dirigeant",
        "agreement": None,
        "novelty": "yes",
        "working_life": "yes",
        "lasting_change": "yes",
        "stakeholders": "yes",
    },
}
NOT_ELIGIBLE = {
    "verdict": "not_eligible",
    "reasons": [{"criterion": "structure", "ok": False, "message": "Les grandes entreprises ne sont pas concernées."}],
    "answers": {"structure_type": "grande_entreprise"},
}
TO_CHECK = {
    "verdict": "to_check",
    "reasons": [{"criterion": "region", "ok": None, "message": "Lieu à confirmer."}],
    "answers": {"structure_type": "pme", "headcount": 12},
}
FUNDING = {
    "support": "court",
    "days": 4,
    "day_rate_eur": 900,
    "total_eur": 3600,
    "funded_eur": 2880,
    "company_eur": 720,
}


@lru_cache(maxsize=1)
def domain():
    """The assistant's own domain, loaded once."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain"))


def tracker_store(url: str):
    """Rasa's SQLTrackerStore on the test database (it creates its `events` table if needed)."""
    from rasa.core.tracker_store import SQLTrackerStore

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SQLTrackerStore(domain(), dialect="sqlite", db=parsed.database)
    return SQLTrackerStore(
        domain(),
        dialect="postgresql",
        host=parsed.host,
        port=parsed.port,
        db=parsed.database,
        username=parsed.username,
        password=parsed.password,
    )


class Chat:
    """Builds one conversation event by event, a few seconds apart, as Rasa would store it."""

    def __init__(self, sender_id: str, start: datetime) -> None:
        from rasa.shared.core.trackers import DialogueStateTracker

        self.tracker = DialogueStateTracker(sender_id, domain().slots)
        self.clock = start.timestamp()
        self.session()

    def _tick(self) -> float:
        self.clock += 3
        return self.clock

    def session(self) -> "Chat":
        from rasa.shared.core.events import ActionExecuted, SessionStarted

        at = self._tick()
        for event in (
            ActionExecuted("action_session_start", timestamp=at),
            SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
        ):
            self.tracker.update(event)
        return self

    def user(self, text: str, intent: str, confidence: float = 0.95, entities: list | None = None) -> "Chat":
        from rasa.shared.core.events import UserUttered

        parse_data = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
        self.tracker.update(UserUttered(text, parse_data["intent"], entities or [], parse_data, timestamp=self._tick()))
        return self

    def action(self, name: str) -> "Chat":
        from rasa.shared.core.events import ActionExecuted

        self.tracker.update(ActionExecuted(name, policy="RulePolicy", confidence=1.0, timestamp=self._tick()))
        return self

    def bot(
        self, text: str | None, action: str | None = None, buttons: list | None = None, custom: dict | None = None
    ) -> "Chat":
        from rasa.shared.core.events import BotUttered

        if action:
            self.action(action)
        data = {
            "elements": None,
            "quick_replies": None,
            "buttons": buttons,
            "attachment": None,
            "image": None,
            "custom": custom,
        }
        self.tracker.update(BotUttered(text, data, {"utter_action": action} if action else {}, timestamp=self.clock))
        return self

    def slot(self, name: str, value) -> "Chat":
        from rasa.shared.core.events import SlotSet

        self.tracker.update(SlotSet(name, value, timestamp=self.clock))
        return self

    def turn(self, understood: bool = True, **slots) -> "Chat":
        """The dialogue's one action, its slots, and its record of the turn (as action_turn returns them)."""
        self.action("action_turn")
        for name, value in slots.items():
            self.slot(name, value)
        return self.slot("last_turn", {"move": "answer" if understood else "not_understood", "understood": understood})

    def form(self, name: str) -> "Chat":
        from rasa.shared.core.events import ActiveLoop

        self.action(name)
        self.tracker.update(ActiveLoop(name, timestamp=self.clock))
        return self

    def listen(self) -> "Chat":
        return self.action("action_listen")

    def save(self, store) -> None:
        # In a thread of its own: Playwright's sync API keeps an event loop running in the test's thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(lambda: asyncio.run(store.save(self.tracker))).result()


def add_lead(
    url: str,
    sender_id: str,
    name: str,
    email: str,
    eligibility: dict | None,
    funding: dict | None,
    mail_status: str | None,
    created: datetime,
    organisation: str = "Les Ateliers d'Été",
) -> int:
    """A lead of this conversation (bot.records.leads.save_lead) and its handoff mail."""
    with session_scope(url) as session:
        lead = save_lead(
            session,
            LeadData(
                name=name,
                email=email,
                consent_text="J'accepte d'être recontacté·e par l'Aract.",
                consent_at=created,
                conversation_id=sender_id,
                organisation=organisation,
                phone="+33 6 12 34 56 78",
                project="Réorganiser le travail de l'équipe d'aide à domicile\navec les salariés.",
                structure_type=(eligibility or {}).get("answers", {}).get("structure_type"),
                headcount=40,
                eligibility=eligibility,
                funding=funding,
            ),
        )
        lead.created_at = created
        if mail_status:
            session.add(
                OutboxMail(
                    lead_id=lead.id,
                    recipient="v.semavoine@anact.fr",
                    reply_to=email,
                    subject=f"[Assistant innovation sociale] Demande de contact : {name}",
                    body="…",
                    status=mail_status,
                    tries=1,
                    created_at=created,
                    sent_at=created if mail_status != "pending" else None,
                )
            )
        return lead.id


GREET = "Bonjour ! Je suis l'assistant du dispositif « Appui-conseil à l'innovation sociale »."
MENU = [
    {"title": "Tester mon projet", "payload": "/start_quiz"},
    {"title": "Combien ça coûte ?", "payload": "Combien coûte l'accompagnement ?"},
]
NOT_UNDERSTOOD = "Je ne suis pas sûr d'avoir bien compris. Pouvez-vous reformuler votre question ?"


def build_conversations(url: str) -> dict:
    """Seven conversations covering every column of the list; returns their ids and lead ids."""
    store = tracker_store(url)
    # 1. The full journey: quiz, eligible, estimate, lead, handoff sent.
    quiz = Chat("conv-eligible", NOW - timedelta(hours=2))
    quiz.user("bonjour", "greet", 0.98).bot(GREET, "utter_greet", MENU).listen()
    quiz.user("/start_quiz", "start_quiz", 1.0).action("action_quiz_start").form("eligibility_form")
    quiz.bot("Question 1 sur 9 : quel type de structure portez-vous ?", "utter_ask_structure_type").listen()
    quiz.user("une association de 40 salariés à Lyon", "inform", 0.91).action("eligibility_form")
    quiz.action("action_eligibility_verdict").bot("Votre projet semble éligible au dispositif.")
    quiz.bot(None, custom={"eligibility": ELIGIBLE})
    quiz.listen().user("combien ça coûte pour 4 jours ?", "ask_estimate", 0.87).action("action_funding_estimate")
    quiz.bot("Pour un appui court de 4 jours, votre structure paierait 720 € HT.").bot(
        None, custom={"funding": FUNDING}
    )
    quiz.listen().save(store)
    # 2. Two misunderstandings: one read as nlu_fallback, one answered by action_not_understood.
    lost = Chat("conv-fallback", NOW - timedelta(days=1))
    lost.user("quelle est la couleur du cheval blanc d'Henri IV ?", "nlu_fallback", 0.21)
    lost.action("action_not_understood").bot(NOT_UNDERSTOOD, "utter_default").listen()
    lost.user("et pour les coopératives été comme hiver ?", "faq", 0.34).action("action_not_understood")
    lost.bot(NOT_UNDERSTOOD).listen().save(store)
    # 3. A visitor who types HTML; not eligible; not understood first.
    html = Chat("conv-xss", NOW - timedelta(days=3))
    html.user(XSS, "nlu_fallback", 0.1).action("action_not_understood").bot(NOT_UNDERSTOOD).listen()
    html.user("je suis une grande entreprise", "inform", 0.9).action("action_eligibility_verdict")
    html.bot("Votre structure ne semble pas éligible.").bot(None, custom={"eligibility": NOT_ELIGIBLE}).listen()
    html.save(store)
    # 4. Older: to check, lead left, mail still pending.
    old = Chat("conv-old", NOW - timedelta(days=40))
    old.user("une PME de 12 salariés", "inform", 0.8).action("action_eligibility_verdict")
    old.bot("À confirmer avec l'Aract.").bot(None, custom={"eligibility": TO_CHECK}).listen().save(store)
    # 5. The chat was opened, nothing typed: not a conversation for the staff.
    Chat("conv-empty", NOW - timedelta(minutes=5)).save(store)
    # 6. A visitor who redid the quiz: the last verdict (eligible) wins over the first (to check).
    redo = Chat("conv-redo", NOW - timedelta(days=2))
    redo.user("tester mon projet", "start_quiz", 0.97).action("action_eligibility_verdict")
    redo.bot(None, custom={"eligibility": TO_CHECK}).listen()
    redo.user("on recommence", "restart_quiz", 0.93).action("action_eligibility_verdict")
    redo.bot(None, custom={"eligibility": ELIGIBLE}).listen().save(store)
    # 7. Through the dialogue's one action: a quiz answer, one message not understood, a name read as nlu_fallback
    # by the model but understood as the answer to the contact question.
    turns = Chat("conv-dialogue", NOW - timedelta(hours=5))
    turns.user("je veux tester notre projet", "start_quiz", 0.96).turn().bot(
        "Question 1 sur 8 — Quel type de structure ?"
    )
    turns.listen().user("une asso", "inform", 0.88).turn(structure_type="association").bot("Question 2 sur 8").listen()
    turns.user("zzkq wxv", "nlu_fallback", 0.12).turn(understood=False).bot(NOT_UNDERSTOOD).listen()
    turns.user("Camille Roux", "nlu_fallback", 0.31).turn(contact_name="Camille Roux").bot("Votre adresse ?").listen()
    turns.save(store)
    store.engine.dispose()
    leads = {
        "eligible": add_lead(
            url,
            "conv-eligible",
            "Élodie Müller",
            "elodie@exemple.fr",
            ELIGIBLE,
            FUNDING,
            "sent",
            NOW - timedelta(hours=1),
        ),
        "old": add_lead(
            url,
            "conv-old",
            '=HYPERLINK("http://x")',
            "jean@exemple.fr",
            TO_CHECK,
            None,
            "pending",
            NOW - timedelta(days=40),
            organisation="-2+3",
        ),
    }
    return {"leads": leads}

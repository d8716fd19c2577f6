"""Visitors talking to the real servers over REST; what the tracker store kept is read back from the database."""

from __future__ import annotations

import json
import time
import uuid

import sqlalchemy as sa

from tests.conversations.moves import Move
from tests.conversations.walk import Reply
from tests.http import CLIENT


class RestTalker:
    """One conversation over the REST channel; slots and response names read from the tracker store."""

    def __init__(self, assistant: dict, sender: str | None = None) -> None:
        self.url = f"{assistant['url']}/webhooks/rest/webhook"
        self.engine = _engine(assistant["env"]["DATABASE_URL"])
        self.sender = sender or f"walk-{uuid.uuid4().hex[:12]}"
        self.cursor = 0
        self.slots: dict = {}

    def send(self, move: Move, buttons: list[dict], old_buttons: list[dict]) -> Reply:
        if move.click is not None and (buttons if move.family == "click" else old_buttons):
            pool = buttons if move.family == "click" else old_buttons
            text = pool[int(move.click) % len(pool)]["payload"]
        else:
            text = move.text or "oui"
        return self.say(text)

    def say(self, text: str) -> Reply:
        response = CLIENT.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        for _ in range(5):  # a walk types faster than any visitor: it waits as the budget's refusal says
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After", 1)))
            response = CLIENT.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        replies = response.json()
        keys, customs = self._read_events()
        return Reply(
            texts=[r["text"] for r in replies if r.get("text")],
            keys=keys,
            buttons=[b for r in replies for b in r.get("buttons") or []],
            customs=[r["custom"] for r in replies if r.get("custom")],
            slots=dict(self.slots),
            sent=text,
        )

    def _read_events(self) -> tuple[list[str], list[dict]]:
        """Events added since the last turn: the bot's response names and payloads, the slots."""
        query = sa.text("SELECT id, type_name, data FROM events WHERE sender_id = :s AND id > :c ORDER BY id")
        keys, customs = [], []
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"s": self.sender, "c": self.cursor}).all()
        for row_id, kind, raw in rows:
            self.cursor = row_id
            data = json.loads(raw)
            if kind == "slot":
                self.slots[data["name"]] = data["value"]
            elif kind in ("restart", "session_started"):
                self.slots = {}
            elif kind == "bot":
                custom = (data.get("data") or {}).get("custom")
                keys.append("custom" if custom else (data.get("metadata") or {}).get("utter_action") or "")
                if custom:
                    customs.append(custom)
        return keys, customs


_ENGINES: dict = {}


def _engine(url: str):
    if url not in _ENGINES:
        _ENGINES[url] = sa.create_engine(url)
    return _ENGINES[url]

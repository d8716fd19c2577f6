"""The action server's answers are accepted and refused as by Rasa, over kept connections, with the same JSON."""

from __future__ import annotations

import json

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext.tuning import action_server

GOOD = {
    "events": [
        {"event": "slot", "name": "headcount", "value": 42},
        {"event": "slot", "name": "requested_slot", "value": "place"},
    ],
    "responses": [{"response": "utter_ask_place", "progress": "Question 3 sur 9"}],
}


BAD = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "slot", "name": "headcount"}]},  # a slot event without its value
    {"events": [{"event": "slot", "name": "headcount", "value": 1, "timestamp": "hier"}]},
    {"events": [{"name": "headcount", "value": 1}]},  # no event name
    {"events": [{"event": 7}]},
    {"events": ["slot"]},
    {"events": None, "responses": []},
    {"events": [{"event": "slot", "name": "headcount", "value": 1, "metadata": "texte"}]},
    {"events": [GOOD["events"][0], {"event": "user", "text": 5}]},  # one bad event after a good one
    ["not", "an", "object"],
]


MORE_GOOD = [
    {"events": [], "responses": []},
    {},
    {
        "events": [
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "eligibility_form"},
            {"event": "slot", "name": "quiz_retry", "value": True, "timestamp": None, "metadata": {"a": 1}},
        ]
    },
    {
        "events": [
            {"event": "bot", "text": "Bonjour", "data": {}},
            {"event": "action_execution_rejected", "name": "x"},
        ],
        "responses": [{"text": "Bonjour", "buttons": [{"title": "Oui", "payload": "/affirm"}]}],
    },
]


@pytest.mark.parametrize("answer", [GOOD, *MORE_GOOD])
def test_valid_action_server_answers_pass(answer, tuned):
    assert action_server.rasa_validate_action_result(RemoteAction("action_x", None), answer)  # Rasa agrees
    assert RemoteAction("action_x", None)._validate_action_result(answer)


def test_valid_answers_take_the_per_event_check_only(tuned, monkeypatch):
    """The full oneOf check (0.65 ms per event) runs only for answers the per-event check refuses."""

    def full_check(_action):
        raise AssertionError("full schema check used for a valid answer")

    monkeypatch.setattr(action_server, "_response_validator", full_check)
    for answer in [GOOD, *MORE_GOOD]:
        assert RemoteAction("action_x", None)._validate_action_result(answer)


def test_remembered_event_checks_give_the_same_verdicts(tuned):
    """Each event's check is remembered by its JSON text: a seen event keeps its verdict, a near one gets its own."""
    checks = action_server._fast_checks(RemoteAction("action_x", None))
    good = {"event": "slot", "name": "headcount", "value": 1, "timestamp": 1.5}
    bad = {"event": "slot", "name": "headcount", "value": 1, "timestamp": "hier"}
    other_value = {"event": "slot", "name": "headcount", "value": "1", "timestamp": 1.5}
    for _ in range(2):  # the second round comes from memory
        for event, valid in (
            (good, True),
            (bad, False),
            (other_value, True),
            ({"event": "slot", "name": 3, "value": 1}, False),
        ):
            assert checks.is_valid({"events": [event]}) is valid
            assert checks.by_name["slot"].is_valid(event) is valid  # what jsonschema says
    assert len(checks.known) >= 4


@pytest.mark.parametrize("answer", BAD)
def test_invalid_answers_are_refused_with_the_error_rasa_would_give(answer, tuned):
    action = RemoteAction("action_x", None)
    with pytest.raises(jsonschema.ValidationError) as original:
        action_server.rasa_validate_action_result(action, answer)
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(answer)
    assert ours.value.message == original.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_an_answer_schema_of_another_shape_is_checked_the_full_way(tuned, monkeypatch):
    class OtherAction(RemoteAction):
        @staticmethod
        def action_response_format_spec():
            return {"type": "object", "properties": {"events": {"type": "array"}}}  # no per-event alternatives

    action = OtherAction("action_x", None)
    assert action_server._fast_checks(action) is None
    assert action._validate_action_result({"events": [{"anything": 1}]})
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result({"events": "not a list"})


def test_action_server_calls_reuse_one_connection_with_rasas_request(tuned):
    """Two actions in a row go over one kept connection (Rasa's own session opens one per call), same answers."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    async def scenario():
        seen = []

        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            seen.append(
                (
                    request.transport.get_extra_info("peername")[1],
                    request.headers.get("Authorization"),
                    request.headers.get("X-Site"),
                )
            )
            return web.json_response({"events": [], "responses": [{"text": body["next_action"]}]})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(
            f"http://127.0.0.1:{port}/webhook",
            headers={"X-Site": "aract"},
            basic_auth={"username": "rasa", "password": "secret"},
        )
        answers = [await endpoint.request(json={"next_action": name}, method="post") for name in ("a", "b")]
        kept = list(seen)
        await action_server.close_kept_sessions()
        EndpointConfig.session = action_server.rasa_endpoint_session  # Rasa's own, to compare
        seen.clear()
        rasa_answers = [await endpoint.request(json={"next_action": name}, method="post") for name in ("a", "b")]
        EndpointConfig.session = action_server.endpoint_session
        await runner.cleanup()
        return answers, kept, rasa_answers, list(seen)

    answers, kept, rasa_answers, rasa_seen = asyncio.run(scenario())
    assert (
        answers
        == rasa_answers
        == [{"events": [], "responses": [{"text": "a"}]}, {"events": [], "responses": [{"text": "b"}]}]
    )
    assert kept[0][1:] == rasa_seen[0][1:] and kept[0][1].startswith("Basic ") and kept[0][2] == "aract"
    assert kept[0][0] == kept[1][0]  # the same client port: one connection for both calls
    assert rasa_seen[0][0] != rasa_seen[1][0]  # what the fix saves: Rasa connects again for each call


@pytest.mark.parametrize(
    "value",
    [
        {
            "next_action": "validate_eligibility_form",
            "tracker": {
                "events": [
                    {
                        "event": "user",
                        "text": "on est 42 à Clermont-Ferrand, l'équipe € / « ok »",
                        "timestamp": 1732745712.1234567,
                        "parse_data": {"intent": {"name": "inform", "confidence": 0.30000000000000004}, "entities": []},
                    }
                ],
                "slots": {"headcount": 42, "rate": 1e-07, "none": None, "flag": True},
            },
        },
        {1: "une clé entière", "big": 2**70, "nan": float("nan"), "inf": float("inf")},
        ["\u2028", 'a"b', "\\", ""],
    ],
)
def test_request_bodies_carry_the_same_json_data(value):
    ours = json.loads(action_server.dumps_json(value))
    theirs = json.loads(json.dumps(value))
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)  # NaN-safe comparison


def test_what_ujson_refuses_gets_jsons_own_answer():
    with pytest.raises(TypeError):  # what Rasa's json.dumps raises for an object it cannot write
        action_server.dumps_json({"when": object()})
    assert json.loads(action_server.dumps_json({"huge": 2**200})) == {"huge": 2**200}


def test_kept_sessions_are_closed_when_the_server_stops():
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    async def scenario():
        session = action_server.endpoint_session(EndpointConfig("http://127.0.0.1:9/webhook")).session
        again = action_server.endpoint_session(EndpointConfig("http://127.0.0.1:9/other")).session
        await action_server.close_kept_sessions()
        return session is again, session.closed

    assert asyncio.run(scenario()) == (True, True)  # one session for the same settings, closed at the stop

"""`python -m bench.tuning_shares`: what each method replacement of bot/rasa_ext/tuning saves, as a share of the server's time.

The assistant's Rasa server runs twice, with the replacements (RASA_TUNING=on)
and without (off). Each time every replaced method, ours or Rasa's, is wrapped
in a clock that counts its own time (the time of another replaced method it
calls is left to that one), while one visitor plays the benchmark's
conversations over REST, the same ones in both runs (same seed). The saving of
a replacement is Rasa's method's time per message minus ours, divided by the
server's CPU time per message with the replacements on. A replacement run only
at start (loading spaCy or TensorFlow models) saves start time and memory, and
is reported by its start time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import loads, servers
from bench.scenarios import MIXES

DEFAULT_MODEL = servers.ROOT / "models" / "assistant.tar.gz"


# --- inside the Rasa server ------------------------------------------------------------------


def _timed(name: str, function, stats: dict, stack: list):
    """`function` with its own time and calls counted in stats[name]."""

    def timed(*args, **kwargs):
        stack.append(0.0)
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            inner = stack.pop()
            entry = stats.setdefault(name, [0.0, 0])
            entry[0] += elapsed - inner
            entry[1] += 1
            stack[-1] += elapsed

    return timed


def timed_places() -> list:
    """(row of the table, where its code is found with the fixes and without): the replaced methods, and the
    fixes the NLU components of bot/rasa_ext/nlu_components.py call (`nlu.…`) in place of Rasa's methods."""
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.utils.tensorflow.models import RasaModel

    from bot.rasa_ext import tuning
    from bot.rasa_ext.tuning import nlu

    places = [
        (f"{getattr(owner, '__name__', owner)}.{name}", [(owner, name)]) for owner, name, _ in tuning.replacements()
    ]
    return places + [
        (
            "component: DIETClassifier._create_model_data",
            [(nlu, "create_model_data"), (DIETClassifier, "_create_model_data")],
        ),
        ("component: RasaModel._rasa_predict", [(nlu, "rasa_predict")]),  # the components always call nlu's,
        ("component: RasaModel.run_inference", [(nlu, "run_inference")]),  # which falls back to Rasa's
        ("component: RasaModel.load", [(nlu, "load_model_for_inference"), (RasaModel, "load")]),
        ("component: SpacyNLP.load_model", [(nlu, "load_spacy_model"), (SpacyNLP, "load_model")]),
    ]


def serve(argv: list) -> None:
    """Rasa's server (as bot.rasa_ext.rasa_server runs it) with every replaced method timed.

    SIGUSR1 starts the count afresh (after the warm-up), SIGUSR2 writes it to $TUNING_SHARES_OUT."""
    from bot.rasa_ext import (
        rasa_server,  # keeps jax out, as the real server does
        tuning,
    )
    from bot.settings import rasa_tuning_enabled

    if rasa_tuning_enabled():
        tuning.apply()
    stats: dict = {}
    stack = [0.0]
    for label, places in timed_places():
        for owner, name in places:
            current = vars(owner)[name] if isinstance(owner, type) else getattr(owner, name)
            if isinstance(current, (staticmethod, classmethod)):
                setattr(owner, name, type(current)(_timed(label, current.__func__, stats, stack)))
            else:
                setattr(owner, name, _timed(label, current, stats, stack))
    marks = {"cpu": time.process_time(), "start": {}}

    def reset(*_):
        marks["start"] = {name: list(entry) for name, entry in stats.items()}
        stats.clear()
        marks["cpu"] = time.process_time()

    def write(*_):
        figures = {"cpu": time.process_time() - marks["cpu"], "methods": stats, "start": marks["start"]}
        Path(os.environ["TUNING_SHARES_OUT"]).write_text(json.dumps(figures), encoding="utf-8")

    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, write)
    sys.argv = ["rasa", *argv]
    rasa_server.main()


# --- the driver ------------------------------------------------------------------------------


def measure(switch: str, model: Path, conversations: int, workdir: Path) -> dict:
    """One run of the server with RASA_TUNING=`switch`: the figures written by `serve`, and the messages sent."""
    rasa_port, actions_port, web_port = servers.free_port(), servers.free_port(), servers.free_port()
    var_dir = workdir / switch
    out = workdir / f"{switch}.json"
    env = servers.assistant_environment(
        model,
        var_dir,
        f"sqlite:///{var_dir / 'bot.db'}",
        rasa_port=rasa_port,
        actions_port=actions_port,
        web_port=web_port,
    )
    env.update({"RASA_TUNING": switch, "TUNING_SHARES_OUT": str(out)})
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=servers.ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    log_path = workdir / f"{switch}.log"
    processes = []
    for service in servers.assistant_services(env):
        command = list(service.command)
        if service.name == "rasa":
            command = [sys.executable, "-m", "bench.tuning_shares", "serve", *command[3:]]
        processes.append(servers.start_group(command, {**env, **service.env}, log_path, servers.ROOT))
    group = servers.Group(processes)
    rasa = processes[-1]
    try:
        url = f"http://127.0.0.1:{rasa_port}"
        servers.wait_for_answer(url, group, "bonjour", 300, log_path)
        endpoint = loads.Endpoint(url, origin=f"http://127.0.0.1:{web_port}")
        asyncio.run(loads.sequential("rest", endpoint, MIXES["assistant"], 1, 40, 60, seed=99))  # warm-up
        os.kill(rasa.pid, signal.SIGUSR1)
        time.sleep(0.5)
        result = asyncio.run(loads.sequential("rest", endpoint, MIXES["assistant"], conversations, 100000, 3600))
        os.kill(rasa.pid, signal.SIGUSR2)
        for _ in range(50):
            if out.exists():
                break
            time.sleep(0.2)
        figures = json.loads(out.read_text(encoding="utf-8"))
        figures["messages"] = len([turn for turn in result.turns if not turn.error])
        return figures
    finally:
        for process in processes:
            servers.stop_group(process)


def table(on: dict, off: dict) -> str:
    """Per replacement: Rasa's and our time per message, the saving as a share of the server's time (tuned)."""
    per_message_on = on["cpu"] / on["messages"] * 1000
    per_message_off = off["cpu"] / off["messages"] * 1000
    rows = [
        f"server CPU per message: {per_message_off:.1f} ms without the replacements, {per_message_on:.1f} ms with "
        f"({on['messages']} and {off['messages']} messages)",
        "",
        f"{'replacement':<48} {'calls/msg':>9} {'Rasa ms':>8} {'ours ms':>8} {'saving':>7}",
    ]
    names = sorted(set(on["methods"]) | set(off["methods"]) | set(on["start"]) | set(off["start"]))
    rows.append(
        "(spaCy without its entity recogniser saves time in spaCy's own processing of each message, which no row"
    )
    rows.append(" shows; the kept connections of EndpointConfig.session save time in aiohttp's requests, idem.)")
    for name in names:
        theirs = off["methods"].get(name, [0.0, 0])
        ours = on["methods"].get(name, [0.0, 0])
        rasa_ms = theirs[0] / off["messages"] * 1000
        ours_ms = ours[0] / on["messages"] * 1000
        share = (rasa_ms - ours_ms) / per_message_on * 100
        calls = theirs[1] / off["messages"]
        start = ""
        if off["start"].get(name) or on["start"].get(name):
            start = f"   at start: {off['start'].get(name, [0])[0]:.2f} s → {on['start'].get(name, [0])[0]:.2f} s"
        rows.append(f"{name:<48} {calls:>9.2f} {rasa_ms:>8.2f} {ours_ms:>8.2f} {share:>6.1f}%{start}")
    return "\n".join(rows)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        serve(argv[1:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.tuning_shares", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--conversations", type=int, default=12, help="conversations of the one visitor, per run")
    parser.add_argument("--json", dest="json_path", help="write both runs' figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tuning-shares-") as folder:
        runs = {switch: measure(switch, args.model, args.conversations, Path(folder)) for switch in ("on", "off")}
    print(table(runs["on"], runs["off"]))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(runs, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

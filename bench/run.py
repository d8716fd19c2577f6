"""`python -m bench`: drive the running assistant as real visitors would, and print its figures.

By default it starts the assistant itself (`python -m bot run` on free loopback
ports, a fresh SQLite database in a temporary folder), which also gives its
cold start; `--url` measures an assistant that is already running instead.
`--baseline` runs the same loads on Rasa's starter assistant and prints our
figures as ratios to it. See bench/README.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from bench import loads, report, servers
from bench.scenarios import MIXES

DEFAULT_MODEL = servers.ROOT / "models" / "assistant.tar.gz"


def default_starter_dir() -> Path:
    """Where the starter assistant is made once per Rasa version and reused."""
    import rasa

    return Path(tempfile.gettempdir()) / f"rasa-starter-{rasa.__version__}"


def build_parser() -> argparse.ArgumentParser:
    """Options of `python -m bench`."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--baseline", action="store_true", help="also measure Rasa's starter assistant and print ratios")
    parser.add_argument("--targets", default=None, help="assistant, starter or both (comma-separated); default: assistant, plus starter with --baseline")
    parser.add_argument("--url", help="measure the assistant already running at this Rasa URL instead of starting one")
    parser.add_argument("--origin", help="Origin header of socket.io visitors with --url (the site's page)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained model of the assistant")
    parser.add_argument("--starter-dir", type=Path, default=None, help="where the starter assistant is made once and reused (default: <tmp>/rasa-starter-<rasa version>)")
    parser.add_argument("--channels", default="rest,socketio", help="rest, socketio or both")
    parser.add_argument("--modes", default="sequential,throughput,steady", help="which loads to run")
    parser.add_argument("--visitors", type=int, default=20, help="visitors at once (throughput and steady modes)")
    parser.add_argument("--conversations", type=int, default=3, help="conversations of the single visitor (sequential mode)")
    parser.add_argument("--rounds", type=int, default=1, help="conversations per visitor in the throughput mode")
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second of the steady mode")
    parser.add_argument("--messages", type=int, default=600, help="at most this many messages per load")
    parser.add_argument("--seconds", type=float, default=90.0, help="at most this long per load (a message under way finishes)")
    parser.add_argument("--train", action="store_true", help="also time a full training from scratch (minutes; the model goes to a temporary folder)")
    parser.add_argument("--quick", action="store_true", help="small loads for a smoke test: 4 visitors, 1 conversation, 3 msg/s, 20 s")
    parser.add_argument("--json", dest="json_path", help="write every figure to this file ('-' for standard output)")
    parser.add_argument("--compare", type=Path, help="a previous --json file: print each figure beside it and the ratio")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    return parser


def _targets(args: argparse.Namespace) -> list:
    if args.targets:
        names = [name.strip() for name in args.targets.split(",") if name.strip()]
    else:
        names = ["assistant"] + (["starter"] if args.baseline else [])
    unknown = [name for name in names if name not in MIXES]
    if unknown:
        raise SystemExit(f"unknown target(s): {', '.join(unknown)} (choose among {', '.join(MIXES)})")
    return names


async def run_loads(endpoint: loads.Endpoint, mix: str, args: argparse.Namespace) -> list:
    """Warm up, then every requested load on every requested channel; one summary per load."""
    factory = MIXES[mix]
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    summaries = []
    for channel in channels:  # the first turns after a start are slower (lazy TensorFlow set-up): not counted
        await loads.sequential(channel, endpoint, factory, 1, 40, 60, seed=99)
    for mode in modes:
        for channel in channels:
            print(f"  {mode} over {channel}…", flush=True)
            if mode == "sequential":
                result = await loads.sequential(channel, endpoint, factory, args.conversations, args.messages, args.seconds)
            elif mode == "throughput":
                result = await loads.throughput(channel, endpoint, factory, args.visitors, args.rounds, args.messages, args.seconds)
            elif mode == "steady":
                result = await loads.steady(channel, endpoint, factory, args.rate, args.visitors, args.messages, args.seconds)
            else:
                raise SystemExit(f"unknown mode {mode!r} (sequential, throughput, steady)")
            summaries.append(report.summarize(result))
    return summaries


def measure(name: str, args: argparse.Namespace, workdir: Path) -> dict:
    """Start (or reach) one assistant, run the loads, read its memory and logs, stop it."""
    figures: dict = {"target": name}
    server: Optional[servers.Server] = None
    if name == "assistant":
        model = args.model
        project = servers.ROOT
    else:
        project = args.starter_dir or default_starter_dir()
        model = servers.prepare_starter(project)
    figures["model"] = str(model)
    figures["model_mb"] = round(model.stat().st_size / 1e6, 1) if model.exists() else None
    try:
        if name == "assistant" and args.url:
            endpoint = loads.Endpoint(args.url.rstrip("/"), args.origin)
        else:
            print(f"{name}: starting the server(s)…", flush=True)
            target_dir = workdir / name
            target_dir.mkdir(parents=True, exist_ok=True)
            if name == "assistant":
                if not model.exists():
                    raise SystemExit(f"no trained model at {model}: run `make train` first")
                server = servers.start_assistant(model, target_dir)
            else:
                server = servers.start_starter(project, model, target_dir)
            figures["cold_start_s"] = server.cold_start_s
            print(f"{name}: first answer {server.cold_start_s} s after the process start", flush=True)
            endpoint = loads.Endpoint(server.base_url, server.origin)
            server.log_offset = server.log_path.stat().st_size
        figures["loads"] = asyncio.run(run_loads(endpoint, name, args))
        if server is None:  # --url: the Rasa server found by its port, if it runs on this machine
            port = urlsplit(args.url).port
            pid = servers.pid_listening_on(port) if port else None
            if pid:
                figures["memory"] = {"rasa": servers.rss_mb(pid)}
                figures["rss_total_mb"] = figures["memory"]["rasa"]["rss_mb"]
        if server is not None:
            figures["memory"] = server.memory()
            figures["rss_total_mb"] = round(sum(m["rss_mb"] for m in figures["memory"].values()), 1)
            figures["log"] = server.log_counts(server.log_offset)
            figures["log_path"] = str(server.log_path)
    finally:
        if server is not None:
            server.stop()
    if args.train:
        figures.update(servers.time_training(project, workdir, name))
    return figures


def print_target(figures: dict) -> None:
    """The figures of one assistant, as a short report."""
    name = figures["target"]
    print()
    print(f"== {name} ({figures['model']}, {figures['model_mb']} MB)")
    line = []
    if figures.get("cold_start_s") is not None:
        line.append(f"cold start {figures['cold_start_s']} s (process start to first answer)")
    if figures.get("training_s") is not None:
        line.append(f"full training {figures['training_s']} s")
    if line:
        print("; ".join(line))
    if figures.get("memory"):
        parts = [f"{server} {m['rss_mb']:.0f} MB (peak {m['peak_mb']:.0f})" for server, m in figures["memory"].items()]
        print("resident memory after the loads: " + ", ".join(parts))
    print(report.load_table(figures["loads"]))
    if figures.get("log"):
        found = {k: v for k, v in figures["log"].items() if v}
        print("server log: " + (", ".join(f"{v} × {k}" for k, v in found.items()) if found else "no lock error, no traceback, no reply timeout"))


def main(argv=None) -> int:
    """Run the benchmark; exit code 1 if a visitor got an error or the log says "database is locked"."""
    args = build_parser().parse_args(argv)
    if args.quick:
        args.visitors, args.conversations, args.rate, args.seconds = 4, 1, 3.0, 20.0
    names = _targets(args)
    results = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": servers.machine(),
        "settings": {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()},
        "targets": {},
    }
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    started = time.monotonic()
    try:
        for name in names:
            results["targets"][name] = measure(name, args, workdir)
            print_target(results["targets"][name])
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"logs and databases kept in {workdir}")
    targets = results["targets"]
    if "assistant" in targets and "starter" in targets:
        results["ratios_to_starter"] = report.ratios(targets["assistant"], targets["starter"])
        print()
        print("== the assistant compared with Rasa's starter assistant (ratio = ours / starter)")
        print(report.ratio_table(targets["assistant"], targets["starter"], "assistant", "starter"))
    if args.compare:
        previous = json.loads(args.compare.read_text())
        for name, figures in targets.items():
            before = previous.get("targets", {}).get(name)
            if before:
                print()
                print(f"== {name} compared with {args.compare} (ratio = now / before)")
                print(report.ratio_table(figures, before, "now", "before"))
    print(f"\nbenchmark took {time.monotonic() - started:.0f} s; machine: {results['machine']['cpus']} CPUs, "
          f"load average {results['machine']['load_average_1min']} at the start")
    if args.json_path:
        text = json.dumps(results, indent=2, ensure_ascii=False)
        if args.json_path == "-":
            print(text)
        else:
            Path(args.json_path).write_text(text + "\n")
    errors = sum(s["errors"] for figures in targets.values() for s in figures["loads"])
    locked = sum(figures.get("log", {}).get("database is locked", 0) for figures in targets.values())
    return 1 if errors or locked else 0


if __name__ == "__main__":
    sys.exit(main())

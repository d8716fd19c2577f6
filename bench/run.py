"""`python -m bench`: drive the running assistant as real visitors would, and print its figures.

By default it starts the assistant itself (`python -m bot run` on free loopback
ports, a fresh SQLite database in a temporary folder), which also gives its
cold start; `--url` measures an assistant that is already running instead.
`--baseline` runs the same loads on Rasa's starter assistant and prints our
figures as ratios to it: both servers run side by side, and the one-visitor
loads alternate between them conversation by conversation, so that a change
in the machine's speed during the run (seen here: 20 to 30 %) falls on both;
the saturating loads run on one server at a time, the other idle.
See bench/README.md.
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
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--baseline", action="store_true", help="also measure Rasa's starter assistant and print ratios"
    )
    parser.add_argument(
        "--targets",
        default=None,
        help="assistant, starter or both (comma-separated); default: assistant, plus starter with --baseline",
    )
    parser.add_argument("--url", help="measure the assistant already running at this Rasa URL instead of starting one")
    parser.add_argument("--origin", help="Origin header of socket.io visitors with --url (the site's page)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained model of the assistant")
    parser.add_argument(
        "--starter-dir",
        type=Path,
        default=None,
        help="where the starter assistant is made once and reused (default: <tmp>/rasa-starter-<rasa version>)",
    )
    parser.add_argument("--channels", default="rest,socketio", help="rest, socketio or both")
    parser.add_argument("--modes", default="sequential,throughput,steady", help="which loads to run")
    parser.add_argument("--visitors", type=int, default=20, help="visitors at once (throughput and steady modes)")
    parser.add_argument(
        "--conversations", type=int, default=6, help="conversations of the single visitor (sequential mode)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="conversations per visitor in the throughput mode")
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second of the steady mode")
    parser.add_argument("--messages", type=int, default=600, help="at most this many messages per load")
    parser.add_argument(
        "--seconds", type=float, default=90.0, help="at most this long per load (a message under way finishes)"
    )
    parser.add_argument(
        "--train",
        action="store_true",
        help="also time a full training from scratch (minutes; the model goes to a temporary folder)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small loads for a smoke test: 4 visitors, 1 conversation, 3 msg/s, 20 s"
    )
    parser.add_argument("--json", dest="json_path", help="write every figure to this file ('-' for standard output)")
    parser.add_argument(
        "--compare", type=Path, help="a previous --json file: print each figure beside it and the ratio"
    )
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


def _channels(args: argparse.Namespace) -> list:
    return [c.strip() for c in args.channels.split(",") if c.strip()]


def _modes(args: argparse.Namespace) -> list:
    return [m.strip() for m in args.modes.split(",") if m.strip()]


async def warm_up(endpoint: loads.Endpoint, mix: str, args: argparse.Namespace) -> None:
    """One conversation per channel, not counted: the first turns after a start are slower (lazy TensorFlow set-up)."""
    for channel in _channels(args):
        await loads.sequential(channel, endpoint, MIXES[mix], 1, 40, 60, seed=99)


async def alternate_sequential(endpoints: dict, args: argparse.Namespace) -> dict:
    """The one-visitor loads of several targets, one conversation of each in turn; one summary per target and channel."""
    results = {
        name: {channel: loads.LoadResult("sequential", channel, 1) for channel in _channels(args)} for name in endpoints
    }
    for channel in _channels(args):
        print(f"  sequential over {channel}, alternating {' / '.join(endpoints)}…", flush=True)
        for index in range(args.conversations):
            for name, endpoint in endpoints.items():
                results[name][channel].add(
                    await loads.sequential(
                        channel,
                        endpoint,
                        MIXES[name],
                        1,
                        args.messages,
                        args.seconds,
                        seed=1 + index,
                        prefix=f"seq{index}-",
                    )
                )
    return {
        name: [report.summarize(by_channel[channel]) for channel in _channels(args)]
        for name, by_channel in results.items()
    }


async def run_loads(
    endpoint: loads.Endpoint, mix: str, args: argparse.Namespace, warm: bool = True, skip: tuple = ()
) -> list:
    """Warm up, then every requested load (but those in `skip`) on every requested channel; one summary per load."""
    factory = MIXES[mix]
    channels = _channels(args)
    modes = [mode for mode in _modes(args) if mode not in skip]
    summaries = []
    if warm:
        await warm_up(endpoint, mix, args)
    for mode in modes:
        for channel in channels:
            print(f"  {mode} over {channel}…", flush=True)
            if mode == "sequential":
                result = await loads.sequential(
                    channel, endpoint, factory, args.conversations, args.messages, args.seconds
                )
            elif mode == "throughput":
                result = await loads.throughput(
                    channel, endpoint, factory, args.visitors, args.rounds, args.messages, args.seconds
                )
            elif mode == "steady":
                result = await loads.steady(
                    channel, endpoint, factory, args.rate, args.visitors, args.messages, args.seconds
                )
            else:
                raise SystemExit(f"unknown mode {mode!r} (sequential, throughput, steady)")
            summaries.append(report.summarize(result))
    return summaries


class Target:
    """One assistant under measure: its server (None with --url), where visitors reach it, its figures."""

    def __init__(self, name: str, args: argparse.Namespace, workdir: Path) -> None:
        self.name, self.args = name, args
        self.figures: dict = {"target": name}
        self.server: Optional[servers.Server] = None
        if name == "assistant":
            self.model, self.project = args.model, servers.ROOT
        else:
            self.project = args.starter_dir or default_starter_dir()
            self.model = servers.prepare_starter(self.project)
        self.figures["model"] = str(self.model)
        self.figures["model_mb"] = round(self.model.stat().st_size / 1e6, 1) if self.model.exists() else None
        if name == "assistant" and args.url:
            self.endpoint = loads.Endpoint(args.url.rstrip("/"), args.origin)
            return
        print(f"{name}: starting the server(s)…", flush=True)
        target_dir = workdir / name
        target_dir.mkdir(parents=True, exist_ok=True)
        if name == "assistant":
            if not self.model.exists():
                raise SystemExit(f"no trained model at {self.model}: run `make train` first")
            self.server = servers.start_assistant(self.model, target_dir)
        else:
            self.server = servers.start_starter(self.project, self.model, target_dir)
        self.figures["cold_start_s"] = self.server.cold_start_s
        print(f"{name}: first answer {self.server.cold_start_s} s after the process start", flush=True)
        self.endpoint = loads.Endpoint(self.server.base_url, self.server.origin)
        self.server.log_offset = self.server.log_path.stat().st_size

    def read_server(self) -> None:
        """Memory and log counts once the loads are done."""
        server, args, figures = self.server, self.args, self.figures
        if server is None:  # --url: the Rasa server found by its port, if it runs on this machine
            port = urlsplit(args.url).port
            pid = servers.pid_listening_on(port) if port else None
            if pid:
                figures["memory"] = {"rasa": servers.rss_mb(pid)}
                figures["rss_total_mb"] = figures["memory"]["rasa"]["rss_mb"]
            return
        figures["memory"] = server.memory()
        figures["rss_total_mb"] = round(sum(m["rss_mb"] for m in figures["memory"].values()), 1)
        figures["log"] = server.log_counts(server.log_offset)
        figures["log_path"] = str(server.log_path)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def measure_side_by_side(names: list, args: argparse.Namespace, workdir: Path) -> dict:
    """Every target started (one after the other, so each cold start is its own), the one-visitor loads
    alternated between them, then the other loads on each in turn."""
    targets: dict = {}
    try:
        for name in names:
            targets[name] = Target(name, args, workdir)

        async def loads_of_all() -> None:
            for target in targets.values():
                await warm_up(target.endpoint, target.name, args)
            sequential = await alternate_sequential({name: t.endpoint for name, t in targets.items()}, args)
            for name, target in targets.items():
                print(f"{name}:", flush=True)
                others = await run_loads(target.endpoint, name, args, warm=False, skip=("sequential",))
                target.figures["loads"] = sequential[name] + others

        asyncio.run(loads_of_all())
        for target in targets.values():
            target.read_server()
    finally:
        for target in targets.values():
            target.stop()
    for target in targets.values():
        if args.train:
            target.figures.update(servers.time_training(target.project, workdir, target.name))
    return {name: target.figures for name, target in targets.items()}


def measure(name: str, args: argparse.Namespace, workdir: Path) -> dict:
    """Start (or reach) one assistant, run the loads, read its memory and logs, stop it."""
    target = Target(name, args, workdir)
    try:
        target.figures["loads"] = asyncio.run(run_loads(target.endpoint, name, args))
        target.read_server()
    finally:
        target.stop()
    if args.train:
        target.figures.update(servers.time_training(target.project, workdir, name))
    return target.figures


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
        print(
            "server log: "
            + (
                ", ".join(f"{v} × {k}" for k, v in found.items())
                if found
                else "no lock error, no traceback, no reply timeout"
            )
        )


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
        if len(names) > 1 and "sequential" in _modes(args) and not args.url:
            results["targets"] = measure_side_by_side(names, args, workdir)
            for name in names:
                print_target(results["targets"][name])
        else:
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
    print(
        f"\nbenchmark took {time.monotonic() - started:.0f} s; machine: {results['machine']['cpus']} CPUs, "
        f"load average {results['machine']['load_average_1min']} at the start"
    )
    if args.json_path:
        text = json.dumps(results, indent=2, ensure_ascii=False)
        if args.json_path == "-":
            print(text)
        else:
            Path(args.json_path).write_text(text + "\n")
    # The starter's empty replies are what it does (no fallback answer), not a failure of the benchmark.
    ours = {name: figures for name, figures in targets.items() if name != "starter"}
    errors = sum(s["errors"] for figures in ours.values() for s in figures["loads"])
    locked = sum(figures.get("log", {}).get("database is locked", 0) for figures in ours.values())
    return 1 if errors or locked else 0


if __name__ == "__main__":
    sys.exit(main())

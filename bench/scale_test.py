"""`python -m bench.scale_test`: the deploy/ topology on this machine, measured with 1 and with 2 Rasa instances.

It starts, on loopback and free ports: action servers and Rasa instances with
deploy/endpoints.production.yml (a fresh PostgreSQL database as tracker store,
Redis as lock store, one Sanic worker each), and Debian's nginx with
deploy/nginx/assistant.conf.template. For each instance count it runs the
benchmark's loads through nginx, then sends pairs of messages of one visitor
at once (they reach different instances and contend for the lock), and checks:

- every conversation's events in PostgreSQL match, in order, what its visitor
  sent and received (nothing lost, duplicated, reordered or interleaved);
- no lock error, "database is locked", traceback or reply timeout in any log,
  no error in nginx's log;
- socket.io stays sticky (each route cookie reached one instance) and both
  instances took a share of the messages.

Exit code 0 when every check passes. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from bench import loads, report, servers, topology, tracker_check
from bench.clients import RestVisitor
from bench.scenarios import FAQ_QUESTIONS, MIXES, ConversationLog


def build_parser() -> argparse.ArgumentParser:
    """Options of `python -m bench.scale_test`."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale_test",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--instances", default="1,2", help="Rasa instance counts to measure, in order")
    parser.add_argument("--model", type=Path, default=servers.ROOT / "models" / "assistant.tar.gz")
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL server where a temporary database is created (and dropped)",
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/0", help="Redis for the lock store (own key prefix)"
    )
    parser.add_argument("--nginx", default=None, help="nginx binary (default /usr/sbin/nginx)")
    parser.add_argument("--channels", default="rest,socketio")
    parser.add_argument("--modes", default="throughput", help="loads run through nginx: throughput, steady, sequential")
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="conversations per visitor (throughput)")
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second (steady)")
    parser.add_argument("--messages", type=int, default=600, help="at most this many messages per load")
    parser.add_argument("--seconds", type=float, default=90.0, help="at most this long per load")
    parser.add_argument("--pairs", type=int, default=10, help="visitors who send two messages at once, twice")
    parser.add_argument("--quick", action="store_true", help="smoke test: 4 visitors, 3 pair senders")
    parser.add_argument("--json", dest="json_path", help="write every figure to this file ('-' for standard output)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, nginx configuration)")
    return parser


async def send_pairs(urls: list, visitors: int, pairs: int = 2, mode: str = "pairs at once") -> loads.LoadResult:
    """Visitors who send two messages at once (a double click, two tabs) over REST.

    With one URL (nginx) both go through the proxy; with two (the instances
    themselves) the first goes to one instance and the second to the other.
    """
    result = loads.LoadResult(mode, "rest", visitors)
    start = time.monotonic()

    async def one(index: int, http) -> None:
        sender = f"pair{index}-{uuid.uuid4().hex}"
        visitors_ = [RestVisitor(http, url) for url in urls]
        for visitor in visitors_:
            visitor.sender = sender
        log = ConversationLog(sender)
        result.logs.append(log)
        questions = iter(FAQ_QUESTIONS[index % 3 :] + FAQ_QUESTIONS[: index % 3])
        turn = await visitors_[0].say("bonjour")
        result.turns.append(turn)
        log.turns.append(("bonjour", [r.get("text") for r in turn.replies if r.get("text")]))
        for _ in range(pairs):
            texts = [next(questions), next(questions)]
            both = await asyncio.gather(*(visitors_[n % len(visitors_)].say(text) for n, text in enumerate(texts)))
            log.unordered.append((len(log.turns), len(log.turns) + 1))
            for turn in both:
                result.turns.append(turn)
                log.turns.append((turn.text, [r.get("text") for r in turn.replies if r.get("text")]))

    async with loads.new_http_client(visitors * 2) as http:
        await asyncio.gather(*(one(index, http) for index in range(visitors)))
    result.elapsed = time.monotonic() - start
    return result


TRACEBACK_LINES = 25  # of the first traceback, printed so that a failed run says why without --keep


def log_problems(paths: list, offsets: dict) -> dict:
    """Watched patterns in the servers' logs since `offsets`, summed over the files, and the first traceback."""
    counts = Counter()
    first_traceback = ""
    for path in paths:
        with open(path, "rb") as log:
            log.seek(offsets.get(path, 0))
            text = log.read().decode("utf-8", errors="replace")
        for name, pattern in servers.LOG_PATTERNS.items():
            counts[name] += text.count(pattern)
        start = text.find(servers.LOG_PATTERNS["tracebacks"])
        if start >= 0 and not first_traceback:
            excerpt = "\n".join(text[start:].splitlines()[:TRACEBACK_LINES])
            first_traceback = f"{Path(path).name}:\n{excerpt}"
    return {"counts": dict(counts), "first_traceback": first_traceback}


ACCESS_LINE = re.compile(
    r'"(?P<method>\S+) (?P<uri>\S+)" (?P<status>\d+) \S+ upstream=(?P<upstream>\S+) '
    r"route=(?P<route>\S+) conversation=(?P<conversation>\S+)"
)


def routing(access_log: Path) -> dict:
    """Requests per instance from nginx's access log, and the routes or conversations that reached two instances."""
    rest = defaultdict(set)
    sockets = defaultdict(set)
    per_upstream = Counter()
    statuses = Counter()
    if access_log.exists():
        for line in access_log.read_text(errors="replace").splitlines():
            match = ACCESS_LINE.search(line)
            if not match:
                continue
            upstream = match["upstream"].split(",")[-1].strip()
            statuses[match["status"]] += 1
            if match["uri"].startswith("/webhooks/rest/webhook"):
                per_upstream[upstream] += 1
                rest[match["conversation"]].add(upstream)
            elif match["uri"].startswith("/socket.io/"):
                sockets[match["route"]].add(upstream)
    return {
        "rest_requests_per_instance": dict(per_upstream),
        "socketio_connections_per_instance": dict(Counter(next(iter(u)) for u in sockets.values() if len(u) == 1)),
        "socketio_routes_on_two_instances": sum(1 for u in sockets.values() if len(u) > 1),
        "rest_conversations_on_two_instances": sum(1 for u in rest.values() if len(u) > 1),
        "http_statuses": dict(statuses),
    }


def nginx_errors(error_log: Path, since: int) -> list:
    """Lines of nginx's error log at level error or worse, from byte `since`."""
    if not error_log.exists():
        return []
    with open(error_log, "rb") as log:
        log.seek(since)
        lines = log.read().decode("utf-8", errors="replace").splitlines()
    return [line for line in lines if re.search(r"\[(error|crit|alert|emerg)\]", line)]


async def run_loads(endpoint: loads.Endpoint, args) -> list:
    """Warm-up, the requested loads through nginx, then the visitors who send pairs."""
    factory = MIXES["assistant"]
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    results = []
    for channel in channels:  # warm-up through nginx, not counted
        await loads.sequential(channel, endpoint, factory, 1, 40, 60, seed=98)
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        for channel in channels:
            print(f"  {mode} over {channel}…", flush=True)
            if mode == "throughput":
                results.append(
                    await loads.throughput(
                        channel, endpoint, factory, args.visitors, args.rounds, args.messages, args.seconds
                    )
                )
            elif mode == "steady":
                results.append(
                    await loads.steady(
                        channel, endpoint, factory, args.rate, args.visitors, args.messages, args.seconds
                    )
                )
            elif mode == "sequential":
                results.append(await loads.sequential(channel, endpoint, factory, 2, args.messages, args.seconds))
            else:
                raise SystemExit(f"unknown mode {mode!r}")
    print(f"  {args.pairs} visitors sending two messages at once…", flush=True)
    results.append(await send_pairs([endpoint.base_url], args.pairs))
    return results


def measure(count: int, top: topology.Topology, args, database_url: str, origin: str, actions_listen: int) -> dict:
    """nginx in front of the first `count` instances, the loads through it, then every check."""
    prefix = top.workdir / f"nginx-{count}"
    nginx = topology.Nginx(topology.find_nginx(args.nginx), prefix, servers.free_port())
    nginx.write(
        [i.port for i in top.rasa[:count]],
        [i.port for i in top.actions[:count]],
        actions_listen,
        servers.free_port(),
        visitors=max(args.visitors, args.pairs),
    )
    if top.nginx:
        top.nginx.stop()
    top.nginx = nginx
    nginx.start()
    log_paths = [i.log_path for i in top.rasa + top.actions]
    offsets = {path: path.stat().st_size for path in log_paths}
    endpoint = loads.Endpoint(f"http://127.0.0.1:{nginx.listen}", origin)
    print(f"{count} Rasa instance(s) behind nginx on port {nginx.listen}:", flush=True)
    results = asyncio.run(run_loads(endpoint, args))
    logs = log_problems(log_paths, offsets)  # before the probe below, which is not part of the checks
    probe = None
    if count > 1:
        # Not a check of our set-up: why nginx keeps a conversation on one instance (see the nginx template).
        print("  the same pairs sent straight to two instances, bypassing nginx…", flush=True)
        direct = asyncio.run(
            send_pairs([f"http://127.0.0.1:{i.port}" for i in top.rasa[:2]], args.pairs, mode="pairs, 2 instances")
        )
        probe = {
            "load": report.summarize(direct),
            "consistency": tracker_check.check_conversations(database_url, direct.logs),
        }
    figures = {
        "instances": count,
        "lock_probe": probe,
        "loads": [report.summarize(result) for result in results],
        "consistency": tracker_check.check_conversations(
            database_url, [log for result in results for log in result.logs]
        ),
        "logs": logs["counts"],
        "first_traceback": logs["first_traceback"],
        "nginx_errors": nginx_errors(nginx.error_log, 0),
        "routing": routing(nginx.access_log),
        "memory": {i.name: servers.rss_mb(i.process.pid) for i in top.rasa[:count] + top.actions[:count]},
    }
    nginx.stop()
    top.nginx = None
    return figures


def verdicts(figures: dict) -> list:
    """The failed checks of one instance count, in words (empty: all passed)."""
    failed = []
    for problem in figures["consistency"]["problems"][:10]:
        failed.append(f"tracker store: {problem}")
    for name, count in figures["logs"].items():
        if count:
            failed.append(f"server logs: {count} × {name}")
    for line in figures["nginx_errors"][:5]:
        failed.append(f"nginx: {line}")
    errors = sum(load["errors"] for load in figures["loads"])
    if errors:
        failed.append(f"{errors} visitor error(s) or empty replies")
    if figures["routing"]["socketio_routes_on_two_instances"]:
        failed.append(
            f"{figures['routing']['socketio_routes_on_two_instances']} socket.io route(s) reached two instances"
        )
    if figures["routing"]["rest_conversations_on_two_instances"]:
        failed.append(
            f"{figures['routing']['rest_conversations_on_two_instances']} REST conversation(s) reached two instances"
        )
    if figures["instances"] > 1 and len(figures["routing"]["rest_requests_per_instance"]) < 2:
        failed.append("REST messages all reached one instance")
    return failed


def print_figures(figures: dict) -> None:
    """The figures and checks of one instance count."""
    print()
    print(f"== {figures['instances']} Rasa instance(s) behind nginx (PostgreSQL tracker store, Redis lock store)")
    print(report.load_table(figures["loads"]))
    consistency = figures["consistency"]
    print(
        f"tracker store: {consistency['turns']} turns of {consistency['conversations']} conversations compared, "
        f"{len(consistency['problems'])} problem(s)"
    )
    found = {k: v for k, v in figures["logs"].items() if v}
    print(
        "server logs: "
        + (
            ", ".join(f"{v} × {k}" for k, v in found.items())
            if found
            else "no lock error, no traceback, no reply timeout"
        )
        + f"; nginx errors: {len(figures['nginx_errors'])}"
    )
    if figures.get("first_traceback"):
        print("first traceback in the server logs, " + figures["first_traceback"])
    r = figures["routing"]
    print(
        f"routing: REST messages per instance {r['rest_requests_per_instance']}, socket.io connections per instance "
        f"{r['socketio_connections_per_instance']}; on two instances: {r['rest_conversations_on_two_instances']} REST "
        f"conversations, {r['socketio_routes_on_two_instances']} socket.io routes"
    )
    probe = figures.get("lock_probe")
    if probe:
        broken = len({problem.split(":")[0].split(" turn")[0] for problem in probe["consistency"]["problems"]})
        print(
            f"Rasa 3.6's Redis lock store alone (pairs sent straight to two instances, not through nginx): "
            f"{broken} of {probe['consistency']['conversations']} conversations lost or interleaved events "
            f"(informative: the reason nginx keeps each conversation on one instance)"
        )
    print("resident memory: " + ", ".join(f"{name} {m['rss_mb']:.0f} MB" for name, m in figures["memory"].items()))
    failed = verdicts(figures)
    print("checks: " + ("all passed" if not failed else "FAILED\n  " + "\n  ".join(failed)))


def main(argv=None) -> int:
    """Start the topology, measure each instance count, check, stop everything; exit code 1 on a failed check."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")  # Rasa's tracker store models, imported here
    if args.quick:
        args.visitors, args.pairs, args.seconds = 4, 3, 30.0
    counts = [int(c) for c in args.instances.split(",") if c.strip()]
    if not args.model.exists():
        raise SystemExit(f"no trained model at {args.model}: run `make train` first")
    topology.find_nginx(args.nginx)
    topology.check_redis(args.redis_url)
    database_url, created = topology.fresh_database(args.postgres_url)
    workdir = Path(tempfile.mkdtemp(prefix="scale-test-"))
    key_prefix = "scale" + uuid.uuid4().hex[:8]
    origin = f"http://127.0.0.1:{servers.free_port()}"  # the page the widget would be on (nothing serves it)
    actions_listen = servers.free_port()
    env = topology.production_environment(
        args.model, workdir, database_url, args.redis_url, key_prefix, actions_listen, origin
    )
    top = topology.Topology(workdir, env)
    results = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": servers.machine(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": [],
    }
    started = time.monotonic()
    try:
        upgraded = subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=servers.ROOT,
            env={**os.environ, **servers.QUIET_ENV, **env},
            capture_output=True,
            text=True,
        )
        if upgraded.returncode != 0:
            raise SystemExit(f"python -m bot db upgrade failed:\n{upgraded.stderr[-3000:]}")
        topology.create_tracker_table(database_url)
        most = max(counts)
        print(
            f"starting {most} action server(s) and {most} Rasa instance(s) (database {database_url.rsplit('/', 1)[-1]})…",
            flush=True,
        )
        for index in range(most):
            topology.start_actions(top, index)
        for instance in top.actions:
            topology.wait_until_listening(instance.port, instance.process, 120, instance.name)
        # nginx's internal listener must be up before a Rasa instance calls an action.
        top.nginx = topology.Nginx(topology.find_nginx(args.nginx), workdir / "nginx-start", servers.free_port())
        rasa_ports = [servers.free_port() for _ in range(most)]
        top.nginx.write(rasa_ports, [i.port for i in top.actions], actions_listen, servers.free_port())
        top.nginx.start()
        start = time.monotonic()
        for index, port in enumerate(rasa_ports):
            topology.start_rasa(top, index, port)
        topology.wait_all_answer(top.rasa, start, timeout=600)
        print(
            "cold start (all instances started together): "
            + ", ".join(f"{i.name} {i.cold_start_s} s" for i in top.rasa),
            flush=True,
        )
        results["cold_start_s"] = {i.name: i.cold_start_s for i in top.rasa}
        top.nginx.stop()
        top.nginx = None
        for count in counts:
            figures = measure(count, top, args, database_url, origin, actions_listen)
            figures["failed_checks"] = verdicts(figures)
            results["runs"].append(figures)
            print_figures(figures)
    finally:
        top.stop()
        if created:
            topology.drop_database(args.postgres_url, database_url)
        topology.delete_redis_keys(args.redis_url, key_prefix)
        if args.keep:
            print(f"logs and configurations kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    runs = results["runs"]
    if len(runs) > 1:
        print()
        print("== scaling (ratio = last count / first count)")
        first, last = runs[0], runs[-1]
        for a in first["loads"]:
            b = next((s for s in last["loads"] if s["mode"] == a["mode"] and s["channel"] == a["channel"]), None)
            if b and a["mode"] != "pairs at once":
                print(
                    f"{a['mode']} {a['channel']}: msg/s {a['msg_per_s']} → {b['msg_per_s']} "
                    f"(×{report.ratio(b['msg_per_s'], a['msg_per_s'])}), p95 {a['p95_ms']} → {b['p95_ms']} ms"
                )
    print(
        f"\nscale test took {time.monotonic() - started:.0f} s on {results['machine']['cpus']} CPUs "
        f"(load average {results['machine']['load_average_1min']} at the start)"
    )
    if args.json_path:
        text = json.dumps(results, indent=2, ensure_ascii=False)
        print(text) if args.json_path == "-" else Path(args.json_path).write_text(text + "\n")
    return 1 if any(run["failed_checks"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

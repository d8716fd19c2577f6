"""Figures from the loads (percentiles, rates, errors), the printed tables and the ratios to a reference."""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, List, Optional

from bench.loads import LoadResult


def percentile(values: List[float], p: float) -> Optional[float]:
    """Nearest-rank percentile: a value that was really observed (p99 of 50 samples is the maximum)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _ms(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value * 1000, 1)


def summarize(result: LoadResult) -> dict:
    """The figures of one load, as printed and as written by --json."""
    turns = [turn for turn in result.turns if turn.text != "(connect)"]
    latencies = [turn.latency for turn in turns]
    errors = Counter(turn.error for turn in result.turns if turn.error)
    outcomes = result.outcomes
    summary = {
        "mode": result.mode,
        "channel": result.channel,
        "visitors": result.visitors,
        "messages": len(turns),
        "elapsed_s": round(result.elapsed, 2),
        "msg_per_s": round(len(turns) / result.elapsed, 2) if result.elapsed else None,
        "p50_ms": _ms(percentile(latencies, 50)),
        "p95_ms": _ms(percentile(latencies, 95)),
        "p99_ms": _ms(percentile(latencies, 99)),
        "max_ms": _ms(max(latencies)) if latencies else None,
        "mean_ms": _ms(sum(latencies) / len(latencies)) if latencies else None,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "conversations": len(outcomes),
        "conversations_complete": sum(1 for outcome in outcomes if outcome.complete),
        "messages_per_conversation": round(sum(o.messages for o in outcomes) / len(outcomes), 1) if outcomes else None,
        "not_understood": sum(outcome.not_understood for outcome in outcomes),
        "quiz_verdicts": dict(Counter(outcome.quiz_verdict for outcome in outcomes if outcome.quiz_verdict)),
        "estimates": sum(1 for outcome in outcomes if outcome.estimate),
    }
    if result.channel == "socketio":
        summary["first_message_p50_ms"] = _ms(percentile([turn.first for turn in turns], 50))
        summary["connect_p50_ms"] = _ms(percentile(result.connect_seconds, 50))
        summary["late_messages"] = result.late_messages
        summary["transports"] = result.transports
    if result.target_rate:
        summary["target_rate"] = result.target_rate
    return summary


def _cell(value, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    return f"{value}{suffix}"


def load_table(summaries: Iterable[dict]) -> str:
    """One line per load: latency percentiles, rate, errors and what the conversations reached."""
    header = (
        f"{'mode':<14}{'channel':<10}{'visitors':>8}{'msgs':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'msg/s':>8}{'errors':>8}  conversations"
    )
    lines = [header, "-" * len(header)]
    for s in summaries:
        verdicts = sum(s["quiz_verdicts"].values())
        done = f"{s['conversations_complete']}/{s['conversations']} finished" if s["conversations"] else ""
        if verdicts or s["estimates"]:
            done += f", {verdicts} verdicts, {s['estimates']} estimates"
        if s["not_understood"]:
            done += f", {s['not_understood']} not understood"
        lines.append(
            f"{s['mode']:<14}{s['channel']:<10}{s['visitors']:>8}{s['messages']:>7}{_cell(s['p50_ms']):>9}"
            f"{_cell(s['p95_ms']):>9}{_cell(s['p99_ms']):>9}{_cell(s['max_ms']):>9}{_cell(s['msg_per_s']):>8}"
            f"{s['errors']:>8}  {done}"
        )
    errors = Counter()
    for s in summaries:
        errors.update(s["error_kinds"])
    late = sum(s.get("late_messages", 0) for s in summaries)
    if errors:
        lines.append("errors: " + ", ".join(f"{count} × {kind}" for kind, count in errors.most_common()))
    if late:
        lines.append(f"socket.io messages after the end of their turn: {late}")
    return "\n".join(lines)


# Figures compared between two runs or two assistants: (label, key of a load summary, True if higher is better).
COMPARED = [
    ("p50", "p50_ms", False),
    ("p95", "p95_ms", False),
    ("p99", "p99_ms", False),
    ("msg/s", "msg_per_s", True),
]


def ratio(ours, reference) -> Optional[float]:
    """ours / reference, rounded; None when either is missing or the reference is 0."""
    if ours is None or not reference:
        return None
    return round(ours / reference, 2)


def ratios(ours: dict, reference: dict) -> dict:
    """Each figure of `ours` divided by the same figure of `reference` (loads matched by mode and channel)."""
    result = {}
    for key in ("cold_start_s", "training_s", "model_mb", "rss_total_mb"):
        result[key] = ratio(ours.get(key), reference.get(key))
    by_load = {(s["mode"], s["channel"]): s for s in reference.get("loads", [])}
    for s in ours.get("loads", []):
        other = by_load.get((s["mode"], s["channel"]))
        if other:
            for _, key, _ in COMPARED:
                result[f"{s['mode']} {s['channel']} {key}"] = ratio(s.get(key), other.get(key))
    return result


def ratio_table(ours: dict, reference: dict, ours_name: str, reference_name: str) -> str:
    """Our figures beside the reference's, and their ratio (×2.0 = twice the reference's value)."""
    lines = [f"{'figure':<36}{ours_name:>12}{reference_name:>12}{'ratio':>9}"]
    lines.append("-" * len(lines[0]))

    def row(label: str, a, b, unit: str = "") -> None:
        r = ratio(a, b)
        lines.append(f"{label:<36}{_cell(a, unit):>12}{_cell(b, unit):>12}{('×' + format(r, '.2f')) if r else '-':>9}")

    row("cold start (s)", ours.get("cold_start_s"), reference.get("cold_start_s"))
    row("training (s)", ours.get("training_s"), reference.get("training_s"))
    row("model size (MB)", ours.get("model_mb"), reference.get("model_mb"))
    row("resident memory, all servers (MB)", ours.get("rss_total_mb"), reference.get("rss_total_mb"))
    by_load = {(s["mode"], s["channel"]): s for s in reference.get("loads", [])}
    for s in ours.get("loads", []):
        other = by_load.get((s["mode"], s["channel"]))
        if not other:
            continue
        for label, key, _ in COMPARED:
            row(f"{s['mode']} {s['channel']} {label}", s.get(key), other.get(key))
    return "\n".join(lines)

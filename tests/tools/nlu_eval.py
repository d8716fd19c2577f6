"""Evaluate the trained model on a held-out set of tests/nlu/ and fail below a threshold.

tests/nlu/heldout/ was written by a helper that had read neither the training data nor the
other sets, and was not used to tune anything; tests/nlu/dev/, written the same way
earlier, was used while developing (its errors were read) and stays as a regression check.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_rasa_tests(model: Path, outs: dict[str, Path]) -> None:
    """Let Rasa classify every example of each set and write its reports, the sets side by side (most of a run is
    loading Rasa and the model, one core each)."""
    runs = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rasa",
                "test",
                "nlu",
                "--model",
                str(model),
                "--nlu",
                str(ROOT / "tests" / "nlu" / name),
                "--domain",
                str(ROOT / "domain"),
                "--out",
                str(out),
                "--no-plot",
                "--successes",
            ]
        )
        for name, out in outs.items()
    }
    failed = [name for name, run in runs.items() if run.wait() != 0]
    if failed:
        raise SystemExit(f"rasa test nlu failed on {', '.join(failed)}")


def confusions(errors_file: Path, key: str) -> Counter:
    """Count (expected, predicted) pairs among the misclassified examples."""
    if not errors_file.exists():
        return Counter()
    pairs = Counter()
    for error in json.loads(errors_file.read_text(encoding="utf-8")):
        expected = error.get(key, {}) if key != "intent" else error.get("intent")
        predicted = error.get("intent_prediction", {}).get("name") if key == "intent" else None
        if key == "response_selection":
            expected = error.get("intent_response_key_target")
            predicted = error.get("intent_response_key_prediction", {}).get("name")
        pairs[(expected, predicted)] += 1
    return pairs


def report(title: str, accuracy: float, pairs: Counter, errors_file: Path) -> None:
    """Print the accuracy and the most frequent confusions with their examples."""
    print(f"{title}: {accuracy:.3f}")
    for (expected, predicted), count in pairs.most_common(15):
        print(f"  {count} × {expected} → {predicted}")
    if errors_file.exists():
        for error in json.loads(errors_file.read_text(encoding="utf-8"))[:40]:
            print(f"    « {error.get('text')} »")


def main() -> int:
    """Run the evaluation; exit 1 when an accuracy is below the threshold on any set."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--min-accuracy", type=float, default=0.93)
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        help="a folder of tests/nlu/: heldout (the default) or dev; repeat for several",
    )
    parser.add_argument("--out", type=Path, default=None, help="where the reports go (one folder per set inside)")
    args = parser.parse_args()
    sets = args.sets or ["heldout"]
    outs = {name: (args.out or ROOT / "var" / "results") / f"nlu-{name}" for name in sets}
    run_rasa_tests(args.model, outs)
    failed = False
    for name, out in outs.items():
        print(f"NLU set tests/nlu/{name}/")
        intent_accuracy = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))["accuracy"]
        report(
            f"Intent accuracy ({name})",
            intent_accuracy,
            confusions(out / "intent_errors.json", "intent"),
            out / "intent_errors.json",
        )
        failed = failed or intent_accuracy < args.min_accuracy
        selection_file = out / "response_selection_report.json"
        if selection_file.exists():
            selection_accuracy = json.loads(selection_file.read_text(encoding="utf-8"))["accuracy"]
            report(
                f"FAQ answer selection accuracy ({name})",
                selection_accuracy,
                confusions(out / "response_selection_errors.json", "response_selection"),
                out / "response_selection_errors.json",
            )
            failed = failed or selection_accuracy < args.min_accuracy
    if failed:
        print(f"FAILED: below the {args.min_accuracy:.2f} threshold", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

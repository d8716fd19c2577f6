"""Run `rasa data validate` and fail on any warning, Rasa's own or the validator's.

Two warnings say nothing about our files and are checked differently:
- Rasa 3.6 merges the retrieval intents of the NLU data into the domain, then
  reports the `faq` intent it has just added as a duplicate of the domain's own;
- "The utterance 'utter_x' is not used in any story or rule" is printed for
  every response, since the dialogue (bot/dialogue/) sends them by name: such a
  response passes only if the dialogue's code names it (literally, or by an
  f-string prefix such as f"utter_why_{question}").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWN_RASA_QUIRK = re.compile(r"duplicated intents have been found across multiple domain files: faq\s*$")
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_[\w/]+)' is not used in any story or rule")
WARNING = re.compile(r"UserWarning|WARNING|Warning:")
IGNORED = re.compile(r"DeprecationWarning|MovedIn20Warning|pypi-more|FutureWarning")


def responses_named_by_actions() -> tuple[set[str], tuple[str, ...]]:
    """Response names the dialogue's code sends: literal names and f-string prefixes."""
    files = [*(ROOT / "actions").glob("*.py"), *(ROOT / "bot" / "dialogue").glob("*.py")]
    code = "\n".join(path.read_text(encoding="utf-8") for path in files)
    literals = set(re.findall(r"[\"'](utter_[\w/]+)[\"']", code))
    prefixes = tuple(re.findall(r"f[\"'](utter_[\w/]*)\{", code))
    return literals, prefixes


def unexpected(line: str, literals: set[str], prefixes: tuple[str, ...]) -> bool:
    """A warning line that points at a real problem in our data."""
    if not WARNING.search(line) or IGNORED.search(line) or KNOWN_RASA_QUIRK.search(line):
        return False
    unused = UNUSED_RESPONSE.search(line)
    if unused:
        name = unused.group(1)
        return name not in literals and not name.startswith(prefixes)
    return True


def main() -> int:
    """Return 1 when validation fails or prints a warning we do not expect."""
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain", "--fail-on-warnings"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    output = result.stdout + result.stderr
    literals, prefixes = responses_named_by_actions()
    literals.add("utter_faq")  # Rasa's own name for the group of the retrieval intent's responses (utter_faq/<topic>)
    problems = [line for line in output.splitlines() if unexpected(line, literals, prefixes)]
    for line in problems:
        print(line)
    # --fail-on-warnings also exits 1 for the tolerated warnings: only an error or
    # an unexpected warning fails the check.
    errored = "Traceback" in output or " ERROR " in output
    if problems or errored or (result.returncode != 0 and not UNUSED_RESPONSE.search(output)):
        print(output[-4000:])
        print("rasa data validate: FAILED", file=sys.stderr)
        return 1
    print("rasa data validate: no unexpected warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Dependency audit: every package of .venv checked by pip-audit against PyPI's advisories.

pip-audit needs a newer `packaging` than Rasa 3.6 allows, so it lives in its own
virtual environment (.venv-audit, made on first use, ignored by git through its
own .gitignore) and reads .venv's frozen set without installing anything
(`--no-deps --disable-pip`: the lock is exact, there is nothing to resolve).

Accepted risks are listed in tests/tools/audit-accepted.txt, one per line:
`<vulnerability id>  <one-line reason>`; packages that are not on PyPI (so
have no advisories there) as `package:<name>  <reason>`.

Usage: `.venv/bin/python -m tests.tools.audit [--service osv]` (needs PyPI's JSON API, or OSV's).
Exit codes: 0 nothing unaccepted; 1 an unaccepted vulnerability; 2 an accepted
id no longer reported (clean the list); 3 the audit could not be done (no
report, or packages PyPI's API did not answer for: an audit that looked at
nothing must not pass).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = Path(__file__).with_name("audit-accepted.txt")
PIP_AUDIT = "pip-audit==2.10.1"


@dataclass
class Accepted:
    """The accepted-risks file: vulnerability ids and packages absent from PyPI, each with its reason."""

    ids: dict = field(default_factory=dict)
    packages: dict = field(default_factory=dict)


def read_accepted(text: str) -> Accepted:
    """Parse `ID  reason` lines; a line without a reason is an error (every risk is argued)."""
    accepted = Accepted()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, _, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"audit-accepted.txt ligne {number} : « {key} » sans raison")
        if key.startswith("package:"):
            accepted.packages[key[len("package:") :].lower()] = reason.strip()
        else:
            accepted.ids[key] = reason.strip()
    return accepted


@dataclass
class Verdict:
    """What the audit found, against what was accepted."""

    lines: list
    code: int


def evaluate(report: dict, accepted: Accepted) -> Verdict:
    """Compare a pip-audit JSON report with the accepted risks; French report lines and the exit code."""
    dependencies = report.get("dependencies", [])
    findings = []
    for dependency in dependencies:
        for vulnerability in dependency.get("vulns", []):
            ids = [vulnerability["id"], *vulnerability.get("aliases", [])]
            findings.append(
                (dependency["name"], dependency.get("version", "?"), ids, vulnerability.get("fix_versions", []))
            )
    reported_ids = {vid for _, _, ids, _ in findings for vid in ids}
    unaccepted = [finding for finding in findings if not set(finding[2]) & set(accepted.ids)]
    unchecked = [d["name"] for d in dependencies if d.get("skip_reason") and d["name"].lower() not in accepted.packages]
    stale = sorted(set(accepted.ids) - reported_ids)
    lines = [
        f"audit : {len(dependencies)} paquets, {len(findings)} vulnérabilité(s) connue(s), "
        f"{len(findings) - len(unaccepted)} acceptée(s)"
    ]
    for name, version, ids, fixes in findings:
        mark = "accepté  " if set(ids) & set(accepted.ids) else "À TRAITER"
        lines.append(
            f"  {mark} {name} {version} : {', '.join(ids)} (corrigé dans : {', '.join(fixes) or 'aucune version'})"
        )
    if unchecked:
        lines.append(
            f"  AUDIT INCOMPLET : PyPI n'a pas répondu pour {len(unchecked)} paquet(s) "
            f"({', '.join(unchecked[:8])}{' …' if len(unchecked) > 8 else ''}) ; "
            "l'API JSON par version (https://pypi.org/pypi/<nom>/<version>/json) est-elle joignable ?"
        )
    for vid in stale:
        lines.append(f"  acceptation périmée : {vid} n'est plus signalé, retirez-le de {ACCEPTED.name}")
    code = 1 if unaccepted else 3 if unchecked else 2 if stale else 0
    return Verdict(lines, code)


def frozen_requirements(venv: Path) -> str:
    """`pip freeze` of the audited venv, pinned lines only (editable and URL installs have no PyPI advisories)."""
    frozen = subprocess.run(
        [str(venv / "bin" / "pip"), "freeze", "--exclude-editable", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return "".join(line + "\n" for line in frozen.splitlines() if re.match(r"^[A-Za-z0-9_.-]+==", line))


def audit_venv(venv: Path, audit_venv: Path) -> Path:
    """The pip-audit executable of its own venv, created with .venv's interpreter if missing."""
    tool = audit_venv / "bin" / "pip-audit"
    if not tool.exists():
        python = os.path.realpath(venv / "bin" / "python")
        subprocess.run([python, "-m", "venv", str(audit_venv)], check=True)
        (audit_venv / ".gitignore").write_text("*\n")
        subprocess.run(
            [str(audit_venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", PIP_AUDIT],
            check=True,
        )
    return tool


def run_pip_audit(tool: Path, requirements: str, service: str = "pypi") -> dict | None:
    """pip-audit's JSON report on these requirements, or None when it produced none."""
    with tempfile.TemporaryDirectory() as work:
        requirements_path = Path(work) / "requirements.txt"
        report_path = Path(work) / "report.json"
        requirements_path.write_text(requirements)
        result = subprocess.run(
            [
                str(tool),
                "--requirement",
                str(requirements_path),
                "--no-deps",
                "--disable-pip",
                "--vulnerability-service",
                service,
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report_path),
            ],
            capture_output=True,
            text=True,
        )
        if not report_path.exists() or not report_path.read_text().strip():
            print(result.stderr[-3000:], file=sys.stderr)
            return None
        return json.loads(report_path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    parser.add_argument("--audit-venv", type=Path, default=ROOT / ".venv-audit")
    parser.add_argument("--accepted", type=Path, default=ACCEPTED)
    parser.add_argument("--report", type=Path, help="évaluer un rapport JSON de pip-audit déjà produit")
    parser.add_argument(
        "--service",
        choices=["pypi", "osv"],
        default="pypi",
        help="base d'avis : l'API JSON de PyPI (défaut) ou OSV (api.osv.dev)",
    )
    args = parser.parse_args(argv)
    accepted = read_accepted(args.accepted.read_text(encoding="utf-8"))
    if args.report:
        report = json.loads(args.report.read_text())
    else:
        report = run_pip_audit(audit_venv(args.venv, args.audit_venv), frozen_requirements(args.venv), args.service)
        if report is None:
            print("audit impossible : pip-audit n'a pas produit de rapport", file=sys.stderr)
            return 3
    verdict = evaluate(report, accepted)
    print("\n".join(verdict.lines))
    return verdict.code


if __name__ == "__main__":
    sys.exit(main())

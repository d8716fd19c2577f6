"""The dependency audit's verdict (tests/tools/audit.py) on pip-audit reports, and its accepted-risks file.

The audit itself needs PyPI's JSON API and runs as `make audit`, not here."""

from __future__ import annotations

import pytest

from tests.tools.audit import ACCEPTED, evaluate, read_accepted


def report(*dependencies: dict) -> dict:
    return {"dependencies": list(dependencies), "fixes": []}


def vulnerable(name: str, *ids: str) -> dict:
    return {
        "name": name,
        "version": "1.0",
        "vulns": [{"id": vid, "aliases": [f"CVE-{vid}"], "fix_versions": ["2.0"]} for vid in ids],
    }


def test_a_clean_report_passes():
    assert evaluate(report({"name": "sanic", "version": "21.12.2", "vulns": []}), read_accepted("")).code == 0


def test_an_unaccepted_vulnerability_fails_and_is_named():
    verdict = evaluate(report(vulnerable("aiohttp", "GHSA-1")), read_accepted(""))
    assert verdict.code == 1 and any("À TRAITER aiohttp" in line and "GHSA-1" in line for line in verdict.lines)


def test_an_accepted_vulnerability_passes_by_id_or_alias():
    assert (
        evaluate(
            report(vulnerable("aiohttp", "GHSA-1")), read_accepted("GHSA-1  fixed only in 4.0, excluded by Rasa")
        ).code
        == 0
    )
    assert evaluate(report(vulnerable("aiohttp", "GHSA-1")), read_accepted("CVE-GHSA-1  same, by its CVE")).code == 0


def test_an_acceptance_nobody_needs_any_more_fails():
    assert evaluate(report(), read_accepted("GHSA-9  was fixed by an upgrade")).code == 2


def test_an_audit_that_could_not_look_fails():
    skipped = {"name": "rasa", "skip_reason": "Dependency not found on PyPI and could not be audited: rasa (3.6.21)"}
    verdict = evaluate(report(skipped), read_accepted(""))
    assert verdict.code == 3 and any("AUDIT INCOMPLET" in line for line in verdict.lines)
    assert evaluate(report(skipped), read_accepted("package:rasa  not on PyPI")).code == 0


def test_every_acceptance_has_a_reason():
    with pytest.raises(ValueError):
        read_accepted("GHSA-1\n")


def test_the_accepted_risks_file_reads():
    accepted = read_accepted(ACCEPTED.read_text(encoding="utf-8"))
    assert all(reason for reason in {**accepted.ids, **accepted.packages}.values())

"""Reports: SARIF validates against the official 2.1.0 schema; no report leaks a raw secret."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest

from rules import builtin_rules
from scanner.engine import Engine
from scanner.pipeline import run_scan
from scanner.report import FORMATS, write_report
from tests.conftest import SARIF_SCHEMA
from tests.corpus import build


@pytest.fixture
def result(tmp_path, keys):
    corpus = build(tmp_path / "tree", keys)
    res = run_scan(Engine(builtin_rules()), [str(corpus.root)], jobs=1)
    res.notes.append("example note")
    return res


def _render(fmt, result, **kw):
    out = io.StringIO()
    write_report(fmt, result, out, **kw)
    return out.getvalue()


def test_sarif_is_valid_against_the_official_schema(result):
    schema = json.loads(SARIF_SCHEMA.read_text())
    doc = json.loads(_render("sarif", result))
    jsonschema.Draft4Validator(schema).validate(doc)
    run = doc["runs"][0]
    assert len(run["results"]) == len(result.findings)
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_raw_secret_in_any_format(result, fmt):
    text = _render(fmt, result)
    for finding in result.findings:
        assert finding.secret.decode() not in text
    shown = _render(fmt, result, show_secrets=True)
    if fmt != "sarif":
        assert all(f.secret.decode() in shown for f in result.findings)


def test_json_report_shape(result):
    doc = json.loads(_render("json", result))
    assert doc["version"] == 1
    first = doc["findings"][0]
    for key in ("rule_id", "vendor", "path", "line", "column", "secret_sha256", "preview",
                "fingerprint"):  # fmt: skip
        assert key in first
    lines = _render("jsonl", result).splitlines()
    assert [json.loads(line) for line in lines] == doc["findings"]

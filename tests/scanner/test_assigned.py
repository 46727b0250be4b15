"""The variable a leaked line assigns its key to: what delivery per key sends the replacement to."""

from __future__ import annotations

import pytest

from rules import builtin_rules
from scanner.assigned import MAX_NAME, assigned_name, valid_name
from scanner.engine import Engine
from scanner.finding import Finding
from scanner.fragment import Fragment

NAMED = {
    "HELICONE_API_KEY_CI=": "HELICONE_API_KEY_CI",
    'export DEVHELM_API_TOKEN="': "DEVHELM_API_TOKEN",
    "  HELIOS_API_KEY: ": "HELIOS_API_KEY",
    '{"DEVDRAFT_SECRET": "': "DEVDRAFT_SECRET",
    "2026-12-02 INFO HELICONE_API_KEY=": "HELICONE_API_KEY",
    "HELICONE_API_KEY = '": "HELICONE_API_KEY",
    "${HELICONE_API_KEY:=": "HELICONE_API_KEY",
    "other line\nCI_KEY=": "CI_KEY",
}
UNNAMED = ["Authorization: Bearer ", "x-api-key: ", 'helicone_api_key = "', "myHELICONE_KEY=",
           "K=", "HELICONE_API_KEY=x ", "HELICONE_API_KEY\n", "A" * (MAX_NAME + 1) + "=",
           "os.environ.HELICONE=", "HELICONE_API_KEY ==  "]  # fmt: skip


@pytest.mark.parametrize("before", sorted(NAMED))
def test_a_name_assigned_on_the_line_is_found(before):
    data = f"{before}sk-value rest".encode()
    assert assigned_name(data, len(before.encode())) == NAMED[before]


@pytest.mark.parametrize("before", UNNAMED)
def test_no_name_where_the_line_assigns_none(before):
    data = f"{before}sk-value".encode()
    assert assigned_name(data, len(before.encode())) is None


def test_a_name_longer_than_the_window_is_not_cut_to_a_shorter_one():
    before = b"x " + b"B" * 200 + b"_HELICONE_API_KEY="
    assert assigned_name(before + b"v", len(before)) is None
    exact = b"x " + b"H" * MAX_NAME + b"="
    assert assigned_name(exact + b"v", len(exact)) == "H" * MAX_NAME


def test_a_report_read_back_keeps_only_a_name_the_scanner_could_have_found():
    assert valid_name("HELICONE_API_KEY_CI") == "HELICONE_API_KEY_CI"
    for bad in ("path", "A B", "X\x1b[31m", "", None, 3, "A" * (MAX_NAME + 1)):
        assert valid_name(bad) is None


def test_the_engine_sets_the_variable_on_plain_findings_only(keys):
    import base64

    key = keys.b32("sk-helicone-")
    encoded = base64.b64encode(f"HELICONE_API_KEY_B64={key}\n".encode()).decode()
    data = f"HELICONE_API_KEY_CI={key}\nhelicone blob: {encoded}\n".encode()
    found = Engine(builtin_rules(), "regex").scan(Fragment(data, "ci.env"))
    by_encoding = {f.encoding: f.variable for f in found}
    assert by_encoding == {"plain": "HELICONE_API_KEY_CI", "base64": None}
    plain = next(f for f in found if f.encoding == "plain")
    assert plain.to_dict()["variable"] == "HELICONE_API_KEY_CI"
    assert Finding.from_dict(plain.to_dict()).variable == "HELICONE_API_KEY_CI"

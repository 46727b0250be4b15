"""Malformed rule files get one clear error naming the file and the rule."""

from __future__ import annotations

import pytest

from rules import RuleError
from rules.loader import load_rule_file, parse_rule_text

VALID = """
vendor = "acme"
[[rules]]
id = "acme.token"
description = "Acme token"
pattern = '''{LB}(?<secret>acme_[a-z0-9]{32}){RB}'''
keywords = ["acme_"]
"""

INVALID = {
    "not_toml": ("vendor = ", "not valid TOML"),
    "unknown_file_key": ('vendor = "a"\ncolour = 1', "unknown key 'colour'"),
    "unknown_rule_key": (VALID + "colour = 1\n", "rule 'acme.token': unknown key 'colour'"),
    "missing_pattern": (VALID.replace("pattern", "# pattern"), "'pattern' is required"),
    "bad_pattern": (VALID.replace("(?<secret>", "(?<secret"), "invalid pattern"),
    "bad_id": (VALID.replace('"acme.token"', '"AcmeToken"'), "id must look like"),
    "bad_attribution": (VALID + 'attribution = "maybe"\n', "attribution must be"),
    "context_needed": (VALID + 'attribution = "context"\n', "needs 'context' patterns"),
    "bad_entropy": (VALID + "entropy = 12\n", "entropy must be"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_rule_file(name):
    text, message = INVALID[name]
    with pytest.raises(RuleError) as err:
        parse_rule_text(text, f"{name}.toml")
    assert str(err.value).startswith(f"{name}.toml")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_valid_rule_file_expands_macros(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(VALID)
    (rule,) = load_rule_file(path)
    assert rule.id == "acme.token" and rule.vendor == "acme"
    assert rule.compiled.search(b"x=acme_" + b"a1" * 16 + b" ")
    assert not rule.compiled.search(b"xacme_" + b"a1" * 16)


def test_unreadable_rule_file_names_the_file(tmp_path):
    with pytest.raises(RuleError, match=r"missing\.toml: cannot read"):
        load_rule_file(tmp_path / "missing.toml")

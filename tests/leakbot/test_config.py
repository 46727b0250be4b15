"""`.leakbot.toml`: allowlists, user rules, disabled rules, baselines, and clear config errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakbot.cli import main


def scan_json(capsys, *argv):
    code = main(["scan", *argv, "--format", "json", "-j", "1"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


@pytest.fixture
def tree(tmp_path, keys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("LEAKBOT_CONFIG", raising=False)
    (tmp_path / "src").mkdir()
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "src" / "app.env").write_text(
        f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"
        f"HELICONE_API_KEY={keys.b32('sk-helicone-')}  # leakbot:allow rotated long ago\n"
    )
    (tmp_path / "fixtures" / "fake.env").write_text(
        f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"
    )
    return tmp_path


def test_inline_allow(tree, capsys):
    code, doc, _ = scan_json(capsys, ".")
    assert code == 1
    assert sorted(f["path"] for f in doc["findings"]) == ["fixtures/fake.env", "src/app.env"]


def test_path_allowlist(tree, capsys):
    (tree / ".leakbot.toml").write_text("version = 1\n[[allowlists]]\npaths = ['''^fixtures/''']\n")
    _, doc, _ = scan_json(capsys, ".")
    assert [f["path"] for f in doc["findings"]] == ["src/app.env"]


def test_all_condition_needs_every_criterion(tree, capsys):
    (tree / ".leakbot.toml").write_text(
        "version = 1\n[[allowlists]]\ncondition = 'all'\npaths = ['''^fixtures/''']\n"
        "stopwords = ['not-in-any-key']\n"
    )
    _, doc, _ = scan_json(capsys, ".")
    assert len(doc["findings"]) == 2


def test_per_rule_allowlist_with_regex(tree, capsys):
    (tree / ".leakbot.toml").write_text(
        "version = 1\n[[allowlists]]\nrules = ['helicone.api-key']\nregexes = ['''.*''']\n"
    )
    _, doc, _ = scan_json(capsys, ".")
    assert len(doc["findings"]) == 2  # the rule does not match the DevHelm keys


def test_disabled_rules(tree, capsys):
    (tree / ".leakbot.toml").write_text(
        "version = 1\ndisabled_rules = ['devhelm.api-key', 'devhelm.env-token', 'diffhook.api-key']\n"
    )
    code, doc, _ = scan_json(capsys, ".")
    assert (code, doc["findings"]) == (0, [])


def test_pyproject_tool_table(tree, capsys):
    (tree / "pyproject.toml").write_text(
        "[project]\nname='x'\n[tool.leakbot]\nversion = 1\n[[tool.leakbot.allowlists]]\n"
        "paths = ['''^src/''']\n"
    )
    _, doc, _ = scan_json(capsys, ".")
    assert [f["path"] for f in doc["findings"]] == ["fixtures/fake.env"]


def test_user_rule_and_catastrophic_regex(tree, capsys, keys):
    (tree / "src" / "acme.txt").write_text(f"acme_token={keys.hex(40)}\n" + "a" * 30000 + "!\n")
    (tree / ".leakbot.toml").write_text(
        "version = 1\n"
        "[[rules]]\nid = 'acme.token'\ndescription = 'Acme token'\n"
        "pattern = '''acme_token=(?<secret>[0-9a-f]{40})'''\nkeywords = ['acme_token']\n"
        "[[rules]]\nid = 'acme.slow'\ndescription = 'a catastrophic pattern'\n"
        "pattern = '''(a|aa)+$'''\n"
    )
    code, doc, err = scan_json(capsys, ".")
    assert code == 4  # the slow rule could not check that file: not a complete scan
    rules = sorted(f["rule_id"] for f in doc["findings"])
    assert rules == ["acme.token", "devhelm.api-key", "devhelm.api-key"]
    assert "src/acme.txt: rule acme.slow timed out" in err


INVALID_CONFIGS = {
    "malformed_toml": ("version = 1\n[allowlists\n", "not valid TOML"),
    "unknown_key": ("version = 1\ncolour = 'red'\n", "unknown key 'colour'"),
    "missing_version": ("disabled_rules = []\n", "'version = 1' is required"),
    "unknown_disabled_rule": ("version = 1\ndisabled_rules = ['nope.nope']\n", "unknown rule 'nope.nope'"),
    "bad_allowlist_condition": ("version = 1\n[[allowlists]]\ncondition = 'most'\npaths = ['x']\n",
                                "condition must be 'any' or 'all'"),
    "empty_allowlist": ("version = 1\n[[allowlists]]\ndescription = 'x'\n", "needs at least one of"),
    "bad_allowlist_regex": ("version = 1\n[[allowlists]]\nregexes = ['(']\n", "invalid pattern"),
    "bad_user_rule": ("version = 1\n[[rules]]\nid = 'acme.x'\ndescription = 'd'\npattern = '('\n",
                      "rule 'acme.x': invalid pattern"),
    "bad_policy": ("version = 1\n[vendors.helicone]\npolicy = 'yolo'\n", "policy must be one of"),
    "unknown_sink": ("version = 1\n[vendors.devhelm]\ndeliver = ['env']\n",
                     "deliver: no sink named 'env'"),
    "bad_sink_type": ("version = 1\n[sinks.env]\ntype = 'ftp'\n", "sinks.env: 'type' must be"),
    "bad_notify": ("version = 1\n[notify]\ntype = 'webhook'\n", "'notify' must be an array"),
    "eu_for_devhelm": ("version = 1\n[vendors.devhelm]\neu_base_url = 'https://x'\n",
                       "only Helicone has an EU region"),
    "deliver_not_list": ("version = 1\n[vendors.devhelm]\ndeliver = 'env'\n",
                         "deliver must be a list"),
    "deliveries_not_array": ("version = 1\n[deliveries]\nvendor = 'helicone'\n",
                             "'deliveries' must be an array of tables"),
    "delivery_matches_nothing": ("version = 1\n[[deliveries]]\nvendor = 'helicone'\n"
                                 "variable = 'X'\n", "deliveries[0]: needs one of key_name"),
    "delivery_goes_nowhere": ("version = 1\n[[deliveries]]\nvendor = 'helicone'\n"
                              "key_name = 'ci'\n", "needs deliver = [SINK, ...] or variable"),
    "delivery_unknown_vendor": ("version = 1\n[[deliveries]]\nvendor = 'acme'\nkey_name = 'ci'\n"
                                "variable = 'X'\n", "vendor must be one of"),
    "delivery_unknown_sink": ("version = 1\n[[deliveries]]\nvendor = 'helicone'\ntarget = 'ci'\n"
                              "deliver = ['vault']\n", "deliveries[0]: deliver: no sink named"),
    "delivery_lowercase_leaked_as": ("version = 1\n[[deliveries]]\nvendor = 'helicone'\n"
                                     "leaked_as = 'key'\nvariable = 'X'\n", "leaked_as: an upper-case"),
    "delivery_bad_variable": ("version = 1\n[[deliveries]]\nvendor = 'helicone'\nkey_name = 'ci'\n"
                              "variable = 'A B'\n", "variable: a variable name"),
    "delivery_unknown_key": ("version = 1\n[[deliveries]]\nvendor = 'helicone'\nkey_name = 'ci'\n"
                             "variable = 'X'\npath = 'a'\n", "deliveries[0]: unknown key 'path'"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(INVALID_CONFIGS))
def test_invalid_config_is_one_line_naming_the_file(tree, capsys, name):
    text, message = INVALID_CONFIGS[name]
    (tree / ".leakbot.toml").write_text(text)
    code, doc, err = scan_json(capsys, ".")
    assert code == 2 and doc is None
    (line,) = err.strip().splitlines()
    assert line.startswith("leakbot: error: .leakbot.toml") and message in line


def test_explicit_config_flag_and_env(tree, capsys, monkeypatch):
    (tree / "strict.toml").write_text("version = 1\n[[allowlists]]\npaths = ['''.''']\n")
    code, _, _ = scan_json(capsys, ".", "--config", "strict.toml")
    assert code == 0
    monkeypatch.setenv("LEAKBOT_CONFIG", "strict.toml")
    assert scan_json(capsys, ".")[0] == 0
    assert scan_json(capsys, ".", "--config", "missing.toml")[0] == 2


def test_baseline_create_then_only_new_findings(tree, capsys, keys):
    assert main(["baseline", "create", ".", "-o", "base.json", "-q", "-j", "1"]) == 0
    doc = json.loads((tree / "base.json").read_text())
    assert doc["version"] == 1 and len(doc["findings"]) == 2
    text = (tree / "base.json").read_text()
    assert "dh_live_" not in text and '"line"' not in text
    code, report, _ = scan_json(capsys, ".", "--baseline", "base.json")
    assert (code, report["findings"]) == (0, [])
    # A line moved down is the same finding; a new key is not.
    app = tree / "src" / "app.env"
    app.write_text("# moved\n" + app.read_text() + f"DEVHELM_API_KEY={keys.rand('dh_live_', 32)}\n")
    code, report, _ = scan_json(capsys, ".", "--baseline", "base.json")
    assert code == 1 and [f["line"] for f in report["findings"]] == [4]
    assert main(["baseline", "update", ".", "-o", "base.json", "-q", "-j", "1"]) == 0
    assert len(json.loads((tree / "base.json").read_text())["findings"]) == 3


def test_broken_baseline_is_a_usage_error(tree, capsys):
    (tree / "base.json").write_text("{not json")
    code, _, err = scan_json(capsys, ".", "--baseline", "base.json")
    assert code == 2 and "base.json: not a readable baseline" in err


def test_rules_list_and_check(capsys):
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "helicone.api-key" in out and "devdraft.public-key" in out and "(partner only)" in out
    assert main(["rules", "check"]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


def test_catastrophic_rule_is_dropped_after_repeated_timeouts(tree, capsys, monkeypatch):
    from scanner import engine

    monkeypatch.setattr(engine, "USER_RULE_TIMEOUT", 0.05)
    for i in range(6):
        (tree / "src" / f"slow{i}.txt").write_text("a" * 30000 + "!\n")
    (tree / ".leakbot.toml").write_text(
        "version = 1\n[[rules]]\nid = 'acme.slow'\ndescription = 'd'\npattern = '''(a|aa)+$'''\n"
    )
    code, doc, err = scan_json(capsys, ".")
    timeouts = [line for line in err.splitlines() if "acme.slow timed out" in line]
    assert len(timeouts) == engine.MAX_TIMEOUTS and timeouts[-1].endswith("skipped from now on")
    assert len(doc["findings"]) == 2 and code == 4


def test_a_catastrophic_keyword_pattern_times_out_with_a_note(tree, capsys, monkeypatch):
    from scanner import matcher

    monkeypatch.setattr(matcher, "USER_PATTERN_TIMEOUT", 0.05)
    (tree / "src" / "slow.txt").write_text("a" * 200 + "\n")
    (tree / ".leakbot.toml").write_text(
        "version = 1\n[[rules]]\nid = 'acme.kw'\ndescription = 'd'\n"
        "pattern = 'acme_(?<secret>[0-9a-f]{40})'\nkeyword_patterns = ['(?:a|a){22}b']\n"
    )
    code, doc, err = scan_json(capsys, ".", "--engine", "regex")
    assert "src/slow.txt: keyword pattern of rule acme.kw timed out after" in err
    assert code == 4 and len(doc["findings"]) == 2  # the built-in rules still ran


def test_init_writes_a_working_config_and_the_hook_entry(tmp_path, capsys, keys):
    import yaml

    assert main(["init", str(tmp_path)]) == 0
    config = tmp_path / ".leakbot.toml"
    assert "version = 1" in config.read_text() and "[[allowlists]]" in config.read_text()
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    ids = [h["id"] for h in hooks["repos"][0]["hooks"]]
    assert ids == ["leakbot", "leakbot-commit-msg", "leakbot-push"]
    (tmp_path / "a.env").write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    assert main(["scan", str(tmp_path), "-q"]) == 1  # the written config loads
    assert main(["init", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert "add this under `repos:`" in capsys.readouterr().err


def test_every_commented_example_in_the_init_config_is_valid(tmp_path, monkeypatch):
    import re

    from leakbot import config as config_mod
    from leakbot.commands.init_cmd import CONFIG

    text = "\n".join(re.sub(r"^# (?=\[|[a-z_]+ = )", "", line) for line in CONFIG.splitlines())
    assert "[[targets]]\nrepo" in text and "[sinks.app-env]" in text
    (tmp_path / ".leakbot.toml").write_text(text.replace('baseline = ".leakbot-baseline.json"', ""))
    cfg = config_mod.load(str(tmp_path / ".leakbot.toml"))
    assert [t.kind for t in cfg.targets] == ["git", "logs"]
    assert cfg.vendors["helicone"]["deliver"] == ["app-env"] and len(cfg.notify) == 1


def _readme_toml_blocks() -> list[str]:
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    return re.findall(r"```toml\n(.*?)```", readme, re.S)


def test_every_toml_block_in_the_readme_is_real_toml():
    import tomllib

    blocks = _readme_toml_blocks()
    assert len(blocks) >= 5
    for block in blocks:
        tomllib.loads(block)  # pasteable as written


def test_the_readmes_custom_rule_passes_rules_check(tmp_path, capsys, monkeypatch):
    (block,) = [b for b in _readme_toml_blocks() if "[[rules]]" in b]
    (tmp_path / ".leakbot.toml").write_text(block)
    (tmp_path / ".leakbot-baseline.json").write_text('{"version": 1, "findings": []}\n')
    monkeypatch.chdir(tmp_path)
    assert main(["rules", "check", "--config", ".leakbot.toml"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    # The check covers the user's rule: without its examples it is refused.
    bare = "\n".join(line for line in block.splitlines() if "examples" not in line)
    (tmp_path / ".leakbot.toml").write_text(bare)
    assert main(["rules", "check", "--config", ".leakbot.toml"]) == 1
    assert "acme.token" in "".join(capsys.readouterr())


def test_the_readme_names_each_vendors_default_variable():
    from leakbot.config import VARIABLES

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    listed = readme.split("the defaults are the vendors' documented", 1)[1].split(
        "Each new key", 1
    )[0]
    assert sorted(v.strip("`.,:\n ") for v in listed.split() if v.startswith("`")) == sorted(
        VARIABLES.values()
    )

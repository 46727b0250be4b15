"""SARIF locations code scanning can open: inside a git work tree, paths relative to its root under
%SRCROOT% (declared in originalUriBaseIds); elsewhere absolute file:// URIs. Absolute, relative and
`../` inputs, and git scans of another folder, all point at files that exist."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema

from leakbot.cli import main
from tests.conftest import SARIF_SCHEMA
from tests.gitrepo import GitRepo


def _sarif(capsys, *argv) -> dict:
    main([*argv, "--format", "sarif", "-j", "1", "-q"])
    doc = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(doc)
    return doc["runs"][0]


def _files(run: dict) -> list[Path]:
    """Each result's file, resolved the way a SARIF consumer does."""
    bases = {
        k: unquote(urlparse(v["uri"]).path) for k, v in run.get("originalUriBaseIds", {}).items()
    }
    out = []
    for result in run["results"]:
        where = result["locations"][0]["physicalLocation"]["artifactLocation"]
        if "uriBaseId" in where:
            out.append(Path(bases[where["uriBaseId"]]) / unquote(where["uri"]))
        else:
            assert where["uri"].startswith("file:///"), where
            out.append(Path(unquote(urlparse(where["uri"]).path)))
    return out


def _leaky(folder: Path, keys, name: str = "client.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f'DEVHELM_API_TOKEN = "{keys.rand("dh_live_", 32)}"\n')
    return folder / name


def test_outside_a_repository_uris_are_absolute(tmp_path, keys, capsys, monkeypatch):
    target = _leaky(tmp_path / "srv" / "app" / "src", keys)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    for given in (str(tmp_path / "srv" / "app" / "src"), "../srv/app/src"):
        run = _sarif(capsys, "scan", given)
        assert _files(run) == [target] and "originalUriBaseIds" not in run


def test_inside_a_repository_uris_are_relative_to_its_root(tmp_path, keys, capsys, monkeypatch):
    repo = GitRepo(tmp_path / "repo")
    target = _leaky(repo.path / "config", keys, "app.env")
    monkeypatch.chdir(repo.path / "config")
    for given in (".", "app.env", str(repo.path), "../config"):
        run = _sarif(capsys, "scan", given)
        where = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert where == {"uri": "config/app.env", "uriBaseId": "%SRCROOT%"}, given
        assert _files(run) == [target]


def test_git_scans_of_another_folder_point_into_it(tmp_path, keys, capsys, monkeypatch):
    repo = GitRepo(tmp_path / "service")
    repo.commit("base", {"README.md": "hi\n"})
    repo.commit("key", {"src/settings.py": f'KEY = "{keys.b32("sk-helicone-")}"\n'})
    monkeypatch.chdir(tmp_path)
    for mode in ([], ["--range", "HEAD~1..HEAD"]):
        run = _sarif(capsys, "git", "service", *mode)
        assert _files(run) == [repo.path / "src" / "settings.py"]
    repo.write({"src/more.py": f'KEY = "{keys.b32("sk-helicone-")}"\n'})
    run = _sarif(capsys, "git", "service", "--staged")
    assert _files(run) == [repo.path / "src" / "more.py"]


def test_rules_carry_help_severity_and_precision(tmp_path, keys, capsys):
    (tmp_path / "a.env").write_text(f"HELICONE_API_KEY={keys.b32('sk-helicone-')}\n"
                                    f"token: {keys.rand('dh_live_', 32)}\n")  # fmt: skip
    run = _sarif(capsys, "scan", str(tmp_path))
    by_id = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    helicone = by_id["helicone.api-key"]
    assert helicone["fullDescription"]["text"] and helicone["helpUri"].startswith("https://")
    assert "Settings -> API Keys" in helicone["help"]["text"]  # the vendor's own rotation steps
    assert "leakbot:allow" in helicone["help"]["markdown"]
    assert helicone["properties"]["security-severity"] == "9.0"
    assert helicone["properties"]["precision"] == "very-high"
    assert by_id["devhelm.api-key"]["properties"]["precision"] == "medium"


def test_a_verified_key_says_so_in_level_and_message(tmp_path):
    from scanner.finding import Finding
    from scanner.report.sarif import sarif_dict
    from scanner.result import ScanResult

    def finding(status: str) -> Finding:
        return Finding("helicone.api-key", "helicone", ("helicone",), "Helicone API key", "a.env",
                       1, 1, 10, "0" * 64, "sk-h…", "f" * 64, verification={"status": status,
                       "reason": "r"})  # fmt: skip

    results = sarif_dict(ScanResult([finding("live"), finding("dead")]))["runs"][0]["results"]
    assert results[0]["level"] == "error" and "VERIFIED LIVE" in results[0]["message"]["text"]
    assert results[1]["level"] == "note" and "dead" in results[1]["message"]["text"]


def test_results_stay_within_githubs_limits_with_a_note(tmp_path, monkeypatch):
    import io

    from scanner.finding import Finding
    from scanner.report import sarif
    from scanner.result import ScanResult

    monkeypatch.setattr(sarif, "MAX_RESULTS", 10)
    many = [Finding("helicone.api-key", "helicone", ("helicone",), "Helicone API key",
                    f"f{n}.env", 1, 1, 10, f"{n:064x}", "sk-h…", f"{n:064x}")
            for n in range(25)]  # fmt: skip
    out = io.StringIO()
    sarif.write_sarif(ScanResult(many), out)
    run = json.loads(out.getvalue())["runs"][0]
    assert len(run["results"]) == 10
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("15 of 25 results left out" in n["message"]["text"] for n in notes)
    monkeypatch.setattr(sarif, "MAX_RESULTS", 25_000)
    monkeypatch.setattr(sarif, "MAX_GZIPPED", 1600)  # a tiny upload limit: cut until it fits
    out = io.StringIO()
    sarif.write_sarif(ScanResult(many), out)
    assert len(json.loads(out.getvalue())["runs"][0]["results"]) < 25

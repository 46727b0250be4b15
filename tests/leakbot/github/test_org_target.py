"""An org target in `leakbot serve --once`, against the GitHub and vendor emulators: every
repository of the org is discovered and scanned from a mirror cloned over HTTP, the leaked
keys are rotated, an unchanged org is neither listed at a cost nor fetched again, a new
repository is picked up, a deleted one dropped, and a repository that cannot be cloned is named
without costing the others."""

from __future__ import annotations

import hashlib

import pytest

from leakbot.cli import main
from leakbot.commands.emulate_cmd import rehearsal_config
from leakbot.store import locate, open_store
from tests.emulation import emulator_keys, emulator_process


@pytest.fixture
def org_bot(github, tmp_path, monkeypatch):
    with emulator_process(tmp_path) as (_, keys):
        for n in range(50):
            github.add_repo("acme", f"svc-{n:02d}")
        github.commit("acme/svc-07", {"deploy/settings.py":
                                      f'DEVHELM_API_TOKEN = "{keys["devhelm"]["live"]}"\n'})  # fmt: skip
        github.commit("acme/svc-31", {"ci.env": f"HELICONE_API_KEY={keys['helicone']['live']}\n"})
        config = tmp_path / ".leakbot.toml"
        config.write_text(rehearsal_config(keys["url"], "deploy.env", timeout=3) + (
            f'[[targets]]\nname = "acme"\norg = "acme"\ngithub_url = "{github.url}"\n'
            'token_env = "ACME_GITHUB_TOKEN"\nevery = "1h"\nmirrors = 60\n'))  # fmt: skip
        for name, value in (("ACME_GITHUB_TOKEN", github.token()),
                            ("DEVHELM_ADMIN_TOKEN", keys["devhelm"]["admin"]),
                            ("HELICONE_ADMIN_KEY", keys["helicone"]["admin"]),
                            ("LEAKBOT_STATE", str(tmp_path / "state.db")),
                            ("XDG_CACHE_HOME", str(tmp_path / "cache"))):  # fmt: skip
            monkeypatch.setenv(name, value)
        yield {"config": str(config), "keys": keys, "tmp": tmp_path}


def _store(tmp_path):
    return open_store(locate(str(tmp_path / "state.db")))


def _git_requests(github):
    return [path for _, path, _ in github.log if ".git/" in path]


def test_an_org_is_discovered_scanned_and_its_keys_rotated(github, org_bot):
    assert main(["serve", "--once", "--config", org_bot["config"]]) == 0
    with _store(org_bot["tmp"]) as store:
        watched = store.github.watched("acme")
        assert len(watched) == 50 and all(not w.due and w.last_error is None for w in watched)
        rows = store.ledger.rows()
        assert sorted(r.status for r in rows) == ["done", "done"]
        repos = {p.repo for r in rows for p in store.triage.places(r.id)}
        assert repos == {"acme/svc-07", "acme/svc-31"}  # GitHub's names, not cache paths
    for vendor in ("devhelm", "helicone"):
        live = org_bot["keys"][vendor]["live"]
        old = hashlib.sha256(f"Bearer {live}".encode()).hexdigest()
        assert next(k for k in emulator_keys(org_bot["keys"]["url"]) if k["hash"] == old)["revoked"]

    github.log.clear()  # the next run (a new process): nothing pushed, so nothing fetched
    assert main(["serve", "--once", "--config", org_bot["config"]]) == 0
    assert _git_requests(github) == [] and github.log == [("GET", "/orgs/acme/repos", 200)]

    github.add_repo("acme", "svc-new")
    github.delete_repo("acme/svc-03")
    github.commit("acme/svc-12", {"notes.md": "no key here\n"})
    github.log.clear()
    assert main(["serve", "--once", "--config", org_bot["config"]]) == 0
    fetched = {path.split(".git/")[0] for path in _git_requests(github)}
    assert fetched == {"/acme/svc-new", "/acme/svc-12"}  # only what changed
    with _store(org_bot["tmp"]) as store:
        names = {w.full_name for w in store.github.watched("acme")}
    assert "acme/svc-new" in names and "acme/svc-03" not in names and len(names) == 50


def test_a_repository_that_cannot_be_cloned_is_named_and_costs_no_other(github, org_bot,
                                                                       capsys):  # fmt: skip
    import shutil

    shutil.rmtree(github.bare("acme/svc-20") / "objects")  # damaged on GitHub's side
    assert main(["serve", "--once", "--config", org_bot["config"]]) == 1
    assert "1 of 50 repositories not scanned: acme/svc-20" in capsys.readouterr().err
    with _store(org_bot["tmp"]) as store:
        due = [w.full_name for w in store.github.watched("acme") if w.due]
        assert due == ["acme/svc-20"]  # tried again next run
        assert len(store.ledger.rows()) == 2  # the others' keys were found


def test_a_key_printed_in_an_actions_log_is_found_and_rotated(github, org_bot):
    keys = org_bot["keys"]
    github.add_run("acme/svc-04", {"build": "Run ./deploy.sh\nusing token\n"
                                            f"export DEVHELM_API_TOKEN={keys['devhelm']['live']}\n"})  # fmt: skip
    going = github.add_run("acme/svc-05", {"test": f"HELICONE_API_KEY={keys['helicone']['live']}\n"},
                           status="in_progress")  # fmt: skip
    github.add_run("acme/svc-06", {"lint": "all good\n"})
    org_bot_config = org_bot["config"]
    # svc-07 and svc-31 hold keys in their code; two rotations from code, one from the CI log
    assert main(["serve", "--once", "--config", org_bot_config]) == 0
    with _store(org_bot["tmp"]) as store:
        rows = {r.rule_id.split(".")[0]: r for r in store.ledger.rows()}
        places = [p for r in store.ledger.rows() for p in store.triage.places(r.id)]
    ci = [p for p in places if p.path.startswith("github-actions:")]
    assert [(p.path, p.line, p.repo) for p in ci] == [
        ("github-actions:acme/svc-04/runs/1000/build/1_Run.txt", 3, "acme/svc-04")]  # fmt: skip
    assert {r.status for r in rows.values()} == {"done"} and len(places) == 3
    assert github.blob_auth == []  # the token went to GitHub's API only

    going.status = "completed"  # the run that was still going ends; a new process looks again
    github.log.clear()
    assert main(["serve", "--once", "--config", org_bot_config]) == 0
    with _store(org_bot["tmp"]) as store:
        ci = [p.path for r in store.ledger.rows() for p in store.triage.places(r.id)
              if p.path.startswith("github-actions:")]  # fmt: skip
    assert sorted(ci) == ["github-actions:acme/svc-04/runs/1000/build/1_Run.txt",
                          "github-actions:acme/svc-05/runs/1001/test/1_Run.txt"]  # fmt: skip
    fetched = [path for _, path, _ in github.log if path.endswith("/logs")]
    assert fetched == ["/repos/acme/svc-05/actions/runs/1001/logs"]  # each run's logs once


def test_an_actions_archive_that_would_inflate_too_far_is_refused(github, org_bot, monkeypatch,
                                                                 capsys):  # fmt: skip
    from leakbot.github import actions

    monkeypatch.setattr(actions, "MAX_INFLATED", 1000)
    github.add_run("acme/svc-09", {"build": "x" * 5000})
    assert main(["serve", "--once", "--config", org_bot["config"]]) == 1
    err = capsys.readouterr().err
    assert "acme/svc-09 (Actions logs)" in err and "would inflate past" in err


def test_a_rehearsal_with_an_emulated_github_org_rotates_its_leaks(tmp_path, monkeypatch):
    """`leakbot emulate --github-org`, as a user rehearses an org target before the real one."""
    config = tmp_path / "rehearsal.toml"
    with emulator_process(tmp_path, "--github-org", "acme", "--github-repos", "3",
                          "--write-config", str(config)) as (_, keys):  # fmt: skip
        for name, value in (("GITHUB_TOKEN", keys["github"]["token"]),
                            ("DEVHELM_ADMIN_TOKEN", keys["devhelm"]["admin"]),
                            ("HELICONE_ADMIN_KEY", keys["helicone"]["admin"]),
                            ("LEAKBOT_STATE", str(tmp_path / "state.db")),
                            ("XDG_CACHE_HOME", str(tmp_path / "cache"))):  # fmt: skip
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        assert main(["serve", "--once", "--config", str(config)]) == 0
        with _store(tmp_path) as store:
            rows = store.ledger.rows()
            assert sorted((r.vendor, r.status) for r in rows) == [("devhelm", "done"),
                                                                  ("helicone", "done")]  # fmt: skip
            assert len(store.github.watched("acme")) == 3


def test_the_mirror_cache_keeps_only_the_most_recently_used(github, org_bot, capsys):
    from pathlib import Path

    config = Path(org_bot["config"])
    config.write_text(config.read_text().replace("mirrors = 60", "mirrors = 10"))
    assert main(["serve", "--once", "--config", str(config)]) == 0
    cache = org_bot["tmp"] / "cache" / "leakbot" / "repos" / "github" / "acme"
    assert len(list(cache.glob("*.git"))) == 10
    assert "evicted (cache full)" in capsys.readouterr().err
    github.commit("acme/svc-00", {"later.py": "x = 1\n"})  # its mirror went: cloned again
    assert main(["serve", "--once", "--config", str(config)]) == 0
    with _store(org_bot["tmp"]) as store:
        assert not any(w.due for w in store.github.watched("acme"))


def test_a_key_whose_mirror_is_gone_is_read_again_from_a_new_one(github, org_bot, monkeypatch):
    """The worker that found a key died before rotating it, and the one that retries (another
    host, or after the cache evicted the mirror) has no mirror: it makes one and reads the key."""
    import shutil

    admin = org_bot["keys"]["devhelm"]["admin"]
    monkeypatch.delenv("DEVHELM_ADMIN_TOKEN")  # the first process cannot rotate DevHelm keys
    main(["serve", "--once", "--config", org_bot["config"]])
    with _store(org_bot["tmp"]) as store:
        (row,) = [r for r in store.ledger.rows() if r.vendor == "devhelm"]
        assert row.status != "done"
        store.ledger.update(row.id, next_attempt=0)
    shutil.rmtree(org_bot["tmp"] / "cache")  # no mirror on this "host"
    monkeypatch.setenv("DEVHELM_ADMIN_TOKEN", admin)
    assert main(["serve", "--once", "--config", org_bot["config"]]) == 0
    with _store(org_bot["tmp"]) as store:
        assert store.ledger.get(row.id).status == "done"

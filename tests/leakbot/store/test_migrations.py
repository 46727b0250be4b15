"""The state database's schema: made on first use, a 0.1.0 file migrated without losing its
ledger, one migrator at a time, a file from a newer leakbot refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leakbot.store import locate, open_store
from leakbot.store.engine import HEAD, StoreError

LEGACY = Path(__file__).parents[2] / "data" / "state-0.1.0.db"


def test_head_is_the_newest_migration():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from leakbot.store import engine

    config = Config()
    config.set_main_option("script_location", str(engine._MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_a_state_file_from_0_1_0_keeps_its_ledger_cursors_and_targets(tmp_path):
    state = tmp_path / "state.db"
    shutil.copy(LEGACY, state)
    with open_store(locate(str(state))) as store:
        done, waiting = store.ledger.rows()
        assert (done.vendor, done.status, done.new_key_id, done.new_key_name) == (
            "helicone", "done", "key-new-1", "leakbot-1-0123abcd")  # fmt: skip
        assert done.where["commit"] == "b" * 40 and done.leaked_at == 1764000000.0
        assert [e[2] for e in store.ledger.events(done.id)] == ["started", "done", "rotated"]
        assert (waiting.vendor, waiting.status) == ("devhelm", "awaiting_approval")
        assert store.cursors.cursor("git:/srv/git/api.git").startswith('{"refs/heads/main"')
        (api,) = store.runs.all()
        assert (api.name, api.findings, api.last_ok, api.last_success) == ("api", 2, 1, None)
        # and it goes on working: a claim with an owner, a new row, a run
        assert store.ledger.claim(waiting.id)
        again = store.ledger.record("devhelm", waiting.secret_sha256, "devhelm.env-token", "p",
                                    {"path": "x"}, "live", "ok")  # fmt: skip
        assert again.id == waiting.id and again.status == "awaiting_approval"
        store.runs.ended("api", None, 0)
        assert store.runs.all()[0].last_success is not None
    with open_store(locate(str(state))):  # opened again: nothing to migrate
        pass


def test_a_new_file_is_private_and_made_at_head(tmp_path):
    state = tmp_path / "deep" / "state.db"
    with open_store(locate(str(state))) as store:
        assert store.ledger.rows() == []
    assert state.stat().st_mode & 0o777 == 0o600


OPENER = """
import sys
from leakbot.store import locate, open_store
with open_store(locate(sys.argv[1])) as store:
    store.cursors.set_cursor(sys.argv[2], "x")
"""


def test_processes_that_open_a_new_state_at_once_all_succeed(state_url):
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, state_url, f"t{n}"],
                              stderr=subprocess.PIPE, text=True) for n in range(4)]  # fmt: skip
    for proc in procs:
        assert proc.wait(60) == 0, proc.stderr.read()
    with open_store(locate(state_url)) as store:
        assert [store.cursors.cursor(f"t{n}") for n in range(4)] == ["x"] * 4


def test_a_state_from_a_newer_leakbot_or_not_a_database_is_one_line(tmp_path, state_url):
    from sqlalchemy import column, table, update

    with open_store(locate(state_url)) as store, store.engine.begin() as conn:
        conn.execute(
            update(table("alembic_version", column("version_num"))).values(version_num="9999")
        )
    with pytest.raises(StoreError, match="from a newer leakbot"):
        open_store(locate(state_url))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.db: cannot use the state database: "):
        open_store(locate(str(junk)))


def test_a_password_never_sits_in_the_state_url():
    from leakbot.errors import ConfigError

    with pytest.raises(ConfigError, match="PGPASSWORD"):
        locate("postgresql://leakbot:hunter2@db.internal/leakbot")
    where = locate("postgresql://leakbot@db.internal/leakbot")
    assert where.url.startswith("postgresql+psycopg://") and where.path is None
    with pytest.raises(ConfigError, match="a file path or postgresql:// URL"):
        locate("mysql://db/leakbot")

"""The layout DESIGN.md asks for, checked on the source: imports point one way
(leakbot -> revoker -> scanner -> rules), no command imports another command, the bot and the
config never reach up into the commands, and SQL is run by leakbot/store alone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["rules", "scanner", "revoker", "leakbot"]
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX)|ALTER\s+TABLE|DROP\s+TABLE|PRAGMA\s)", re.I | re.S)  # fmt: skip


def _modules(*folders: str) -> list[tuple[str, Path]]:
    out = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            out.append((".".join(path.relative_to(ROOT).with_suffix("").parts), path))
    return out


def _imports(path: Path) -> set[str]:
    """Every module an import statement names, lazy ones in functions too."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_imports_point_down_the_layers():
    wrong = []
    for module, path in _modules(*LAYERS):
        mine = LAYERS.index(module.split(".")[0])
        for name in _imports(path):
            top = name.split(".")[0]
            if top in LAYERS and LAYERS.index(top) > mine:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


SHARED = ("common",)  # leakbot/commands/common.py: what the commands share, not a command


def _command(name: str) -> str | None:
    """The command module a dotted name lies in (leakbot.commands.X), if any."""
    parts = name.split(".")
    if parts[:2] != ["leakbot", "commands"] or len(parts) < 3 or parts[2] in SHARED:
        return None
    return parts[2] if (ROOT / "leakbot" / "commands" / f"{parts[2]}.py").exists() else None


def test_no_command_imports_another_and_nothing_below_reaches_up_into_them():
    wrong = []
    for module, path in _modules("leakbot"):
        mine = _command(module)
        for name in _imports(path):
            theirs = _command(name)
            if theirs and theirs != mine and module != "leakbot.cli":  # cli registers them all
                wrong.append(f"{module} imports {name}")
            below = module.startswith(("leakbot.bot", "leakbot.store", "leakbot.pipeline",
                                       "leakbot.config", "leakbot.settings",
                                       "leakbot.web", "leakbot.github"))  # fmt: skip
            if below and (name.startswith("leakbot.commands") or name == "leakbot.cli"):
                wrong.append(f"{module} imports {name}")
            if module.startswith("leakbot.config") and name.startswith("leakbot.bot"):
                wrong.append(f"{module} imports {name}")
            if module.startswith("leakbot.store") and name.startswith(("leakbot.bot",
                                                                      "leakbot.pipeline",
                                                                      "leakbot.web")):  # fmt: skip
                wrong.append(f"{module} imports {name}")
            # the web side reads the store and hands actions to the ledger; it never runs the
            # bot (a request calls no vendor), and the bot does not know the web exists
            if module.startswith("leakbot.web") and name.startswith(("leakbot.bot",
                                                                    "leakbot.rotation")):  # fmt: skip
                wrong.append(f"{module} imports {name}")
            if module.startswith("leakbot.bot") and name.startswith("leakbot.web"):
                wrong.append(f"{module} imports {name}")
            # GitHub's API, auth, webhooks and emulator know nothing of what uses them
            if module.startswith("leakbot.github") and name.startswith((
                    "leakbot.bot", "leakbot.web", "leakbot.store", "leakbot.pipeline")):  # fmt: skip
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_sql_is_run_by_the_store_alone():
    wrong = []
    for module, path in _modules(*LAYERS, "tests"):
        if module.startswith("leakbot.store"):
            continue
        drivers = {n for n in _imports(path) if n.split(".")[0] in ("sqlite3", "psycopg")}
        if not module.startswith("tests.leakbot.store"):
            drivers |= {n for n in _imports(path) if n.split(".")[0] == "sqlalchemy"}
        wrong += [f"{module} imports {n}" for n in sorted(drivers)]
        wrong += [f"{module}: SQL in {s[:40]!r}" for s in _strings(path) if SQL.search(s)]
    assert wrong == []

"""Unified diffs: added lines only, with the new file's line numbers."""

from __future__ import annotations

from rules import builtin_rules
from scanner.engine import Engine
from scanner.sources.diff import diff_fragments, parse


def _diff(keys):
    old_key, new_key, removed = (keys.rand("dh_live_", 32) for _ in range(3))
    text = f"""diff --git a/app/.env b/app/.env
index 1111111..2222222 100644
--- a/app/.env
+++ b/app/.env
@@ -1,3 +1,4 @@
 DEBUG=1
-DEVHELM_API_TOKEN={removed}
+DEVHELM_API_TOKEN={new_key}
+--- not a header
 PORT=8080
@@ -10,2 +11,2 @@ section
 context line
-old
+DEVHELM_API_KEY_OLD={old_key}
diff --git a/docs/new.md b/docs/new.md
new file mode 100644
--- /dev/null
+++ b/docs/new.md
@@ -0,0 +1 @@
+++ plus plus line
"""
    return text, new_key, old_key


def test_added_lines_with_new_line_numbers(keys):
    text, _, _ = _diff(keys)
    parsed = list(parse(text.encode().splitlines(keepends=True)))
    assert [(p.path, p.numbers) for p in parsed] == [("app/.env", [2, 3, 12]), ("docs/new.md", [1])]
    assert parsed[0].lines[1] == b"--- not a header"
    assert parsed[1].lines == [b"++ plus plus line"]


def test_only_added_keys_are_reported(keys):
    text, _, _ = _diff(keys)
    engine = Engine(builtin_rules())
    found = []
    for fragment in diff_fragments(text.encode().splitlines(keepends=True)):
        found += [(f.path, f.line, f.column) for f in engine.scan(fragment)]
    assert found == [("app/.env", 2, 19), ("app/.env", 12, 21)]

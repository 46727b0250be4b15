"""Export leakbot's vendor rules as a gitleaks/Betterleaks TOML config, so that gitleaks and
kingfisher run the same vendor rules as leakbot in the benchmarks.

Go's RE2 and Vectorscan have no look-around: boundaries become plain character classes and the
secret is the first capture group. Attribution and pairing have no equivalent there, so the
other tools see the same shapes but without leakbot's context logic.
"""

from __future__ import annotations

import re
from pathlib import Path

from rules import builtin_rules
from rules.model import Rule

_PORTABLE = {
    "{LB}": r"(?:^|[^A-Za-z0-9_])",
    "{RB}": r"(?:[^A-Za-z0-9_-]|$)",
    "{ASSIGN}": r"""(?:\\?["'])?\]?[ \t]*(?:=>|:=|[:=]|[ \t])[ \t]*(?:\\?["'])?""",
    "{VALUE}": r"[A-Za-z0-9_+/=-]{16,200}",
}


def portable(pattern: str) -> str:
    for name, body in _PORTABLE.items():
        pattern = pattern.replace(name, body)
    pattern = re.sub(r"\(\?=[^()]*(?:\([^()]*\)[^()]*)*\)", "", pattern)  # drop lookaheads
    return pattern.replace("(?<secret>", "(")


def _toml_string(text: str) -> str:
    return "'''" + text + "'''"


def gitleaks_toml(rules: list[Rule]) -> str:
    out = ['title = "leakbot vendor rules (exported for benchmarks)"', ""]
    for rule in rules:
        if rule.role != "secret":
            continue
        keywords = [k.lower() for k in rule.keywords] or [
            p.split("[")[0] for p in rule.keyword_patterns
        ]
        out += [
            "[[rules]]",
            f'id = "{rule.id}"',
            f'description = "{rule.description}"',
            f"regex = {_toml_string(portable(rule.pattern))}",
            "secretGroup = 1",
            f"entropy = {rule.entropy}",
            "keywords = [" + ", ".join(f'"{k}"' for k in keywords) + "]",
            "",
        ]
    return "\n".join(out)


def write(path: Path, only_self: bool = False) -> Path:
    """All vendor rules, or (`only_self`) those whose shape alone names the vendor: there the
    tools' findings should agree, since no rule needs the context the others cannot see."""
    rules = [r for r in builtin_rules() if r.attribution == "self" or not only_self]
    path.write_text(gitleaks_toml(rules))
    return path


if __name__ == "__main__":
    import sys

    print(write(Path(sys.argv[1] if len(sys.argv) > 1 else "leakbot-rules.toml")))

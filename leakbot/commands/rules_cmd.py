"""`leakbot rules list` and `leakbot rules check`."""

from __future__ import annotations

import argparse
from typing import Any

from leakbot import config as config_mod
from leakbot.commands import add_command

EPILOG = """\
examples:
  leakbot rules list
  leakbot rules check --config .leakbot.toml   # also proves your own [[rules]]
"""


def register(sub: Any) -> None:
    p = add_command(sub, "rules", "list the rules or prove them on their examples", EPILOG)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, func, text in (
        ("list", run_list, "one line per rule"),
        ("check", run_check, "check every rule's examples"),
    ):
        a = add_command(actions, name, text, EPILOG)
        a.add_argument("--config", metavar="FILE", help="config file (default: .leakbot.toml)")
        a.add_argument("--engine", choices=["auto", "hyperscan", "regex"], default="auto")
        a.set_defaults(func=func)


def run_list(args: argparse.Namespace) -> int:
    cfg = config_mod.load(args.config)
    width = max(len(r.id) for r in cfg.rules)
    for rule in cfg.rules:
        role = "" if rule.role == "secret" else " (partner only)"
        print(f"{rule.id:<{width}}  {rule.vendor:<9}  {rule.description}{role}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from scanner.checker import check_evidence, check_rules, rules_evidence

    cfg = config_mod.load(args.config)
    evidence = rules_evidence(cfg.rules)
    problems = check_rules(cfg.rules, args.engine) + check_evidence(evidence)
    for problem in problems:
        print(f"{problem.rule_id}: {problem.message}")
    examples = sum(len(r.examples) + len(r.negative_examples) for r in cfg.rules)
    examples += sum(len(e.examples) + len(e.negative_examples) for e in evidence)
    verdict = "FAILED" if problems else "ok"
    print(f"{len(cfg.rules)} rules, {len(evidence)} evidence patterns, {examples} examples: "
          f"{verdict}")  # fmt: skip
    return 1 if problems else 0

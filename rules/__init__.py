"""Vendor rules as data: the rule model, the TOML loader and the example checker.

Knows nothing of scanning: `scanner` imports this package, never the other way round.
"""

from rules.errors import RuleError
from rules.loader import builtin_rules, load_rule_file, rules_from_tables
from rules.model import Rule

__all__ = ["Rule", "RuleError", "builtin_rules", "load_rule_file", "rules_from_tables"]

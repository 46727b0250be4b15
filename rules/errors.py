"""Errors raised by the rules package.

Exception
 └── RuleError        a rule file or rule table is malformed (names the file and the rule)
"""


class RuleError(Exception):
    """A rule is malformed; the message names where it came from and what is wrong."""

"""The rule model: one credential shape of one vendor, compiled and ready to confirm matches."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import regex

from rules.errors import RuleError

# Pattern macros, expanded by the loader so that every rule agrees on what a token boundary is.
# A token may follow a non-token character, a JSON/shell escape (`\n`, `\t`, `\r`) or a
# percent-encoded byte (`Bearer%20sk-...`).
MACROS = {
    "{LB}": r"(?:(?<![A-Za-z0-9_])|(?<=\\[nrt])|(?<=%[0-9A-Fa-f]{2}))",
    "{RB}": r"(?![A-Za-z0-9_-])",
    # How a name is tied to its value: NAME=V, NAME: V, "NAME": "V", NAME = 'V', ENV NAME V,
    # NAME => V, and the same inside JSON-escaped strings (\"NAME\": \"V\").
    "{ASSIGN}": r"""(?:\\?["'])?[ \t]*(?:=>|:=|[:=]|[ \t])[ \t]*(?:\\?["'])?""",
    # An opaque value of unknown shape: 16+ URL/base64-safe characters with at least one digit.
    "{VALUE}": r"(?=[A-Za-z_+/=-]*[0-9])[A-Za-z0-9_+/=-]{16,200}(?![A-Za-z0-9_+/=-])",
}


def expand_macros(pattern: str) -> str:
    for name, body in MACROS.items():
        pattern = pattern.replace(name, body)
    return pattern


def compile_pattern(pattern: str, where: str) -> regex.Pattern[bytes]:
    try:
        return regex.compile(expand_macros(pattern).encode(), regex.VERSION0)
    except (regex.error, ValueError) as exc:
        raise RuleError(f"{where}: invalid pattern: {exc}") from None


def compile_any(patterns: tuple[str, ...], where: str) -> regex.Pattern[bytes] | None:
    if not patterns:
        return None
    return compile_pattern("|".join(f"(?:{p})" for p in patterns), where)


Attribution = Literal["self", "context", "required"]

# How strongly a piece of context speaks for a vendor (or, for another product, against ours).
NAMES, OWNS, SHARES = 3, 2, 1  # names it (name, host, SDK) | its own variable or header | generic


@dataclass(frozen=True)
class Evidence:
    """A pattern in the lines around a match that speaks for one vendor (or for another product:
    vendor "other"), with a weight; proven by its own examples like a rule."""

    id: str
    vendor: str
    pattern: str
    weight: int = NAMES
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    origin: str = "<builtin>"
    derived: bool = False  # from a plain `context` list: proven by the rule's own examples

    @cached_property
    def compiled(self) -> regex.Pattern[bytes]:
        return compile_pattern(self.pattern, f"{self.origin}: evidence {self.id!r}")


Role = Literal["secret", "partner"]


@dataclass(frozen=True)
class Rule:
    """One credential shape.

    attribution says how the vendor is decided when the same secret is matched by several rules:
    ``self``: the match alone names the vendor (a unique prefix or a vendor's variable name);
    ``context``: the shape is shared with another of our vendors: nearby context decides, and
    silence reports both candidates; ``required``: the shape is shared with a foreign vendor
    (Stripe's ``sk_live_``): without context that names this vendor the match is dropped.
    """

    id: str
    vendor: str
    description: str
    pattern: str
    keywords: tuple[str, ...] = ()
    # Fixed-width regexes used like keywords where no literal is selective enough (`sk-` + 7-7-...):
    # Hyperscan matches them natively; case-sensitive.
    keyword_patterns: tuple[str, ...] = ()
    entropy: float = 0.0
    # The pattern pins the vendor's documented format (fixed length, alphabet and groups): its
    # matches are judged only by hand-made patterns, never by word heuristics, and a value of
    # another rule that starts with one of its keywords but misses its shape is a placeholder.
    fixed_shape: bool = False
    attribution: Attribution = "self"
    context: tuple[str, ...] = ()  # every pattern of `evidence`: the cheap "any context?" test
    context_lines: int = 3  # how many lines away context still counts (0: the same line)
    foreign_context: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()  # for this rule's vendor, weighted
    foreign: tuple[Evidence, ...] = ()  # for another product: counts against this vendor
    role: Role = "secret"
    partners: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    origin: str = "<builtin>"
    user: bool = False

    # Compiled on first use: a `--staged` run with no keyword hit never pays for it.
    @cached_property
    def compiled(self) -> regex.Pattern[bytes]:
        return compile_pattern(self.pattern, self.where)

    @cached_property
    def compiled_context(self) -> regex.Pattern[bytes] | None:
        return compile_any(self.context, f"{self.where} context")

    @cached_property
    def compiled_foreign(self) -> regex.Pattern[bytes] | None:
        return compile_any(self.foreign_context, f"{self.where} foreign_context")

    @property
    def where(self) -> str:
        return f"{self.origin}: rule {self.id!r}"

    def validate(self) -> None:
        """Compile everything now, so that a bad pattern is reported at load time."""
        _ = self.compiled, self.compiled_context, self.compiled_foreign
        for evidence in (*self.evidence, *self.foreign):
            _ = evidence.compiled

    def secret_span(self, match: regex.Match[bytes]) -> tuple[int, int]:
        """The span of the secret inside a match: the `secret` group if the rule has one."""
        if "secret" in self.compiled.groupindex:
            for start, end in match.spans("secret"):
                if start >= 0:
                    return start, end
        return match.span()

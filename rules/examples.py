"""Expand the `{{...}}` generators in rule examples into token-shaped strings, deterministically.

The repository must hold no realistic key, yet every rule must be proven against real-looking ones:
examples say `{{rand:dh_live_:32}}` and get a seeded random body at check time.

    {{rand:PREFIX:N}}   PREFIX + N characters of [A-Za-z0-9] (at least one digit)
    {{b32:PREFIX}}      PREFIX + four groups of 7 lowercase base32 characters joined by '-'
    {{hex:N}}           N lowercase hex digits
    {{uuid}}            a version-4 UUID
    {{b64:TEXT}}        standard base64 of TEXT (after expanding generators inside it)
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import string

_GENERATOR = re.compile(r"\{\{([a-z0-9]+)(?::([^{}]*))?\}\}")
_ALNUM = string.ascii_letters + string.digits
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def seeded(seed: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def random_token(rng: random.Random, prefix: str, length: int) -> str:
    body = [rng.choice(_ALNUM) for _ in range(length)]
    body[rng.randrange(length)] = rng.choice(string.digits)
    return prefix + "".join(body)


def helicone_token(rng: random.Random, prefix: str) -> str:
    groups = ["".join(rng.choice(_BASE32) for _ in range(7)) for _ in range(4)]
    if not any(c.isdigit() for c in "".join(groups)):
        groups[0] = "2" + groups[0][1:]
    return prefix + "-".join(groups)


def uuid4(rng: random.Random) -> str:
    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[rng.randrange(4)]}{h[17:20]}-{h[20:]}"


def _one(rng: random.Random, name: str, arg: str | None) -> str:
    if name == "rand":
        prefix, _, length = (arg or "").rpartition(":")
        return random_token(rng, prefix, int(length))
    if name == "b32":
        return helicone_token(rng, arg or "")
    if name == "hex":
        return "".join(rng.choice("0123456789abcdef") for _ in range(int(arg or "32")))
    if name == "uuid":
        return uuid4(rng)
    if name == "b64":
        return base64.b64encode((arg or "").encode()).decode()
    raise ValueError(f"unknown example generator {{{{{name}}}}}")


def expand(example: str, seed: str) -> str:
    """Replace every generator, innermost first, with seeded random values."""
    rng = seeded(seed)
    while True:
        expanded = _GENERATOR.sub(lambda m: _one(rng, m.group(1), m.group(2)), example, count=1)
        if expanded == example:
            return expanded
        example = expanded

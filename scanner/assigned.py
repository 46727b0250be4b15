"""The variable a leaked key is assigned to on its own line, where the line names one:
`HELICONE_API_KEY_CI=sk-...`, `export DEVHELM_API_TOKEN="dh_live_..."`, `  HELIOS_API_KEY: ...`,
`"DEVDRAFT_SECRET": "..."`. The revoker delivers the key's replacement back under that name.

Only an upper-case environment-style name directly before the key counts (an `Authorization:
Bearer` header or a lower-case Python variable names nothing the apps read), and at most
MAX_NAME characters of it, so what a crafted line can choose is a plain `[A-Z0-9_]` name.
"""

from __future__ import annotations

import re

MAX_NAME = 64
LOOK_BACK = MAX_NAME + 32  # the name, `export `, quotes and spaces around `=` or `:`
_ASSIGNED = re.compile(
    rb"""(?:\A|[^A-Za-z0-9_$.-])["']?([A-Z][A-Z0-9_]{1,%d})["']?[ \t]*(?::=|[:=])[ \t]*["']?\Z"""
    % (MAX_NAME - 1)
)


def assigned_name(data: bytes, start: int) -> str | None:
    """The name assigned the value that starts at data[start], or None."""
    floor = max(0, start - LOOK_BACK)
    line_start = max(data.rfind(b"\n", floor, start) + 1, floor)
    found = _ASSIGNED.search(data[line_start:start])
    if found is None:
        return None
    clipped = line_start == floor and floor > 0 and data[floor - 1 : floor] != b"\n"
    if clipped and found.start(1) == 0 and _NAME_BYTE.match(data, floor - 1):
        return None  # the name runs on before the window: longer than MAX_NAME
    return found.group(1).decode("ascii")


_NAME_BYTE = re.compile(rb"[A-Za-z0-9_]")
_NAME = re.compile(rf"[A-Z][A-Z0-9_]{{1,{MAX_NAME - 1}}}")


def valid_name(text: object) -> str | None:
    """`text` if it is a name assigned_name could have found (a report read back), else None."""
    return text if isinstance(text, str) and _NAME.fullmatch(text) else None

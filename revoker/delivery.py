"""Where each leaked key's replacement goes: its slot, the variable the apps read and the sinks
that hold it. A row's slot is, first that applies:

1. the slot fixed when its rotation started (a resumed rotation delivers where it began to);
2. where a key leakbot made went: a leaked key that is a rotated row's new key goes back there;
3. the first `[[deliveries]]` route of the vendor that matches the row: the key's name at the
   vendor (`key_name`), the variable the leaked line assigned it to (`leaked_as`), the bot
   target it was found in (`target`);
4. the vendor's `deliver` sinks, under the variable the leaked line named when that name names
   the vendor (`HELICONE_API_KEY_CI=...`), else the vendor's `variable`.

Two keys never share a slot: a row whose slot holds another key's replacement, or is where
another open key is headed, waits for a human (`needs_target`) instead of overwriting it.
A name from a leaked line is used only when it names the vendor, so a crafted line cannot send
a new key to PATH or to a GITHUB_ secret; any other name needs a route that says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from revoker.kinds import OPEN, Status
from revoker.ledger import Rotation


@dataclass(frozen=True)
class Slot:
    variable: str
    sinks: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.variable} in {', '.join(self.sinks) or 'no sink'}"

    def overlaps(self, other: Slot) -> bool:
        """Delivering to one would overwrite the other: one variable in a sink they share."""
        return self.variable == other.variable and bool(set(self.sinks) & set(other.sinks))

    def to_json(self) -> str:
        return json.dumps({"variable": self.variable, "sinks": list(self.sinks)})

    @classmethod
    def from_json(cls, text: str) -> Slot | None:
        try:
            doc = json.loads(text)
            return cls(str(doc["variable"]), tuple(str(s) for s in doc["sinks"]))
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class Route:
    """One `[[deliveries]]` table: which rows (every match key given must match), and where
    their replacements go (unset: the vendor's `deliver` and the row's own variable)."""

    vendor: str
    key_name: str | None = None
    leaked_as: str | None = None
    target: str | None = None
    deliver: tuple[str, ...] = ()
    variable: str | None = None

    def matches(self, row: Rotation) -> bool:
        wanted = (
            (self.key_name, row.key_name),
            (self.leaked_as, row.variable),
            (self.target, row.where.get("target")),
        )
        return row.vendor == self.vendor and all(want == got for want, got in wanted if want)


def own_variable(row: Rotation, fallback: str) -> str:
    """The variable the leaked line named, when it names the row's vendor; else `fallback`."""
    named = row.variable or ""
    if row.vendor.upper() in named and not named.startswith("GITHUB_"):
        return named
    return fallback


class Placement:
    """One vendor's rows and their slots, to place a row among them: `deliver` and `variable`
    are the vendor's own (`[vendors.<name>]`), `rows` its open and rotated rows."""

    def __init__(self, deliver: tuple[str, ...], variable: str, routes: Sequence[Route],
                 rows: Iterable[Rotation]) -> None:  # fmt: skip
        self.deliver, self.variable, self.routes = deliver, variable, routes
        self.rows = list(rows)
        self.made = {r.new_key_id: r for r in self.rows if r.status == Status.DONE and r.new_key_id}

    def slot(self, row: Rotation) -> Slot:
        """The row's slot (see the module's doc)."""
        fixed = Slot.from_json(row.slot) if row.slot else None
        if fixed is not None:
            return fixed
        made = self.made.get(row.old_key_id or "")
        earlier = Slot.from_json(made.slot) if made is not None and made.slot else None
        if earlier is not None:
            return earlier
        for route in self.routes:
            if route.matches(row):
                variable = route.variable or own_variable(row, self.variable)
                return Slot(variable, route.deliver or self.deliver)
        return Slot(own_variable(row, self.variable), self.deliver)

    def rivals(self, row: Rotation, slot: Slot) -> list[int]:
        """The rows whose keys own `slot` besides this row's: an open live key headed there, or
        the rotated key last delivered there unless that key is the one this row leaked."""
        others = [(o, self.slot(o)) for o in self.rows if o.id != row.id]
        rivals = [o.id for o, s in others if s.overlaps(slot) and _headed_for(o, row)]
        delivered = [o for o, s in others if s.overlaps(slot) and o.status == Status.DONE]
        if delivered:
            last = max(delivered, key=lambda o: o.rotated_at or 0.0)
            if last.new_key_id != row.old_key_id:
                rivals.append(last.id)
        return sorted(rivals)


def _headed_for(other: Rotation, row: Rotation) -> bool:
    """An open row that would rotate another key than this row's."""
    return (other.status in OPEN and other.verdict == "live" and bool(other.old_key_id)
            and other.old_key_id != row.old_key_id)  # fmt: skip


def hint(row: Rotation) -> dict[str, Any]:
    """What a `[[deliveries]]` route could match this row by."""
    found = {"key_name": row.key_name, "leaked_as": row.variable, "target": row.where.get("target")}
    return {k: v for k, v in found.items() if v}

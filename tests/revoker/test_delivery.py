"""Where a replacement goes (revoker.delivery): each key's own slot, the config's routes, a key
leakbot made going back where it went, and two keys never sharing one slot."""

from __future__ import annotations

import json

from revoker.delivery import Placement, Route, Slot
from revoker.ledger import Rotation

DEFAULT = ("app-env",)


def row(n: int, variable: str | None = None, status: str = "new", **values: object) -> Rotation:
    fields: dict = {"id": n, "vendor": "helicone", "secret_sha256": f"{n:064x}", "rule_id": "r",
                    "preview": "p", "location": json.dumps({"path": f"f{n}", "line": 1}),
                    "verdict": "live", "reason": "", "status": status, "old_key_id": f"old-{n}",
                    "new_key_id": None, "new_key_name": None, "step": None, "phase": None,
                    "attempts": 0, "next_attempt": None, "last_error": None, "approved": 0,
                    "lease_owner": None, "lease_until": None, "found_at": 0.0,
                    "updated_at": 0.0, "rotated_at": None, "leaked_at": None,
                    "variable": variable}  # fmt: skip
    fields.update(values)
    return Rotation(**fields)


def placed(rows: list[Rotation], routes: tuple[Route, ...] = ()) -> Placement:
    return Placement(DEFAULT, "HELICONE_API_KEY", routes, rows)


def test_each_key_named_on_its_line_has_its_own_slot():
    a, b = row(1, "HELICONE_API_KEY_CI"), row(2, "HELICONE_API_KEY")
    where = placed([a, b])
    assert where.slot(a) == Slot("HELICONE_API_KEY_CI", DEFAULT)
    assert where.slot(b) == Slot("HELICONE_API_KEY", DEFAULT)
    assert where.rivals(a, where.slot(a)) == [] and where.rivals(b, where.slot(b)) == []


def test_two_keys_in_one_slot_are_each_others_rivals_until_a_route_parts_them():
    a, b = row(1, key_name="ci"), row(2, key_name="backend")
    where = placed([a, b])
    assert where.rivals(a, where.slot(a)) == [2] and where.rivals(b, where.slot(b)) == [1]
    routes = (Route("helicone", key_name="backend", deliver=("backend-env",)),)
    where = placed([a, b], routes)
    assert where.slot(b) == Slot("HELICONE_API_KEY", ("backend-env",))
    assert where.rivals(a, where.slot(a)) == [] and where.rivals(b, where.slot(b)) == []


def test_a_route_matches_only_when_every_key_it_names_matches():
    located = json.dumps({"path": "x", "line": 1, "target": "payments"})
    a = row(1, "HELICONE_API_KEY", key_name="ci", location=located)
    both = Route("helicone", key_name="ci", target="payments", variable="PAY_KEY")
    assert placed([a], (both,)).slot(a) == Slot("PAY_KEY", DEFAULT)
    other_target = Route("helicone", key_name="ci", target="billing", variable="BILL_KEY")
    assert placed([a], (other_target,)).slot(a) == Slot("HELICONE_API_KEY", DEFAULT)
    other_vendor = Route("devhelm", leaked_as="HELICONE_API_KEY", variable="X")
    assert placed([a], (other_vendor,)).slot(a) == Slot("HELICONE_API_KEY", DEFAULT)
    first = (Route("helicone", leaked_as="HELICONE_API_KEY", deliver=("one",)),
             Route("helicone", key_name="ci", deliver=("two",)))  # fmt: skip
    assert placed([a], first).slot(a).sinks == ("one",)


def test_a_line_naming_another_variable_cannot_steer_the_new_key():
    for crafted in ("PATH", "LD_PRELOAD", "GITHUB_TOKEN", "GITHUB_HELICONE_KEY", "OPENAI_KEY"):
        a = row(1, crafted)
        assert placed([a]).slot(a) == Slot("HELICONE_API_KEY", DEFAULT)
    # a route may name it on purpose
    a = row(1, "OPENAI_KEY")
    assert placed([a], (Route("helicone", leaked_as="OPENAI_KEY", variable="OPENAI_KEY"),)
                  ).slot(a).variable == "OPENAI_KEY"  # fmt: skip


def test_a_key_leakbot_made_goes_back_where_it_went():
    ci = Slot("HELICONE_API_KEY_CI", ("ci-env",))
    done = row(1, status="done", new_key_id="new-1", rotated_at=5.0, slot=ci.to_json())
    again = row(2, old_key_id="new-1")  # the new key leaked in turn, on a line naming nothing
    where = placed([done, again])
    assert where.slot(again) == ci and where.rivals(again, ci) == []


def test_a_slot_holding_another_keys_replacement_is_not_overwritten():
    slot = Slot("HELICONE_API_KEY", DEFAULT)
    done = row(1, status="done", new_key_id="new-1", rotated_at=5.0, slot=slot.to_json())
    other = row(2)  # another key of the vendor, found later, headed for the same slot
    assert placed([done, other]).rivals(other, slot) == [1]
    # the latest rotation into the slot is what it holds: older ones are superseded
    newer = row(3, status="done", old_key_id="new-1", new_key_id="new-3", rotated_at=9.0,
                slot=slot.to_json())  # fmt: skip
    chained = row(4, old_key_id="new-3")
    assert placed([done, newer, chained]).rivals(chained, slot) == []


def test_a_fixed_slot_wins_and_slots_overlap_on_a_shared_sink():
    fixed = Slot("HELICONE_API_KEY", ("vault", "app-env"))
    a = row(1, "HELICONE_API_KEY_CI", slot=fixed.to_json(), step="deliver", status="rotating")
    b = row(2)
    where = placed([a, b])
    assert where.slot(a) == fixed
    assert where.rivals(b, where.slot(b)) == [1]  # app-env is in both
    assert not Slot("X", ("a",)).overlaps(Slot("X", ("b",)))
    assert Slot.from_json("{not json") is None


def test_dead_and_settled_rows_are_no_rivals():
    a = row(1)
    rivals = [row(2, verdict="dead", status="dead"), row(3, status="manual"),
              row(4, verdict="unknown", status="blocked"), row(5, old_key_id=None),
              row(6, old_key_id="old-1")]  # fmt: skip
    assert placed([a, *rivals]).rivals(a, placed([a]).slot(a)) == []

"""The rotation of one leaked key: reissue -> deliver -> verify the new key -> revoke the old key ->
re-verify it dead (with backoff) -> notify, one ledger row per leaked credential.

Each step is written down before and after it runs. A run resumes from what the row says:
- a new key whose value was lost (the process died between the vendor's answer and the last
  delivery) is found again by its unique name and replaced (regenerated in place where the API
  allows it; otherwise deleted, then created again), so exactly one new key stays live;
- a revoke that may or may not have happened is never repeated blindly: the key listing says
  whether the old key is still active first;
- nothing is done on an UNKNOWN verdict, and nothing is revoked before the new key is delivered
  and answers LIVE.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from revoker.delivery import Placement, Route, Slot, hint
from revoker.errors import RevokerError
from revoker.kinds import OPEN, SETTLED, Action, Policy, Status, Step
from revoker.ledger import Ledger, Rotation
from revoker.notify import Notifier
from revoker.playbooks import playbook
from revoker.service import KeyService, Verdict
from revoker.sinks import Sink

STEPS = tuple(Step)
CONFIRM_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # vendors cache auth for about 10 s
LOST_TRIES = 3  # looks for a key whose value is gone before the owner is told to rotate it
RETRY_BASE, RETRY_MAX = 30.0, 3600.0  # a failed step is tried again after 30 s, 60 s, ... 1 h


class Stopped(Exception):
    """Asked to stop (SIGTERM): the row stays at its last recorded step, to resume later."""


@dataclass(frozen=True)
class VendorPolicy:
    policy: Policy = Policy.APPROVE
    deliver: tuple[str, ...] = ()  # sink names
    variable: str = ""  # the name the apps read the key under


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    slot: Slot | None = None  # ROTATE: where the new key goes


@dataclass
class Rotator:
    ledger: Ledger
    services: Mapping[str, KeyService]
    policies: Mapping[str, VendorPolicy]
    sinks: Mapping[str, Sink] = field(default_factory=dict)
    notifiers: Sequence[Notifier] = ()
    routes: Sequence[Route] = ()  # [[deliveries]]: which key's replacement goes where
    confirm_delays: tuple[float, ...] = CONFIRM_DELAYS
    say: Callable[[str], None] = lambda _: None
    stop: threading.Event = field(default_factory=threading.Event)  # set: stop between steps

    # -- deciding --------------------------------------------------------------------------------

    def decide(self, row: Rotation) -> Decision:
        if row.status in SETTLED:
            return Decision(Action.NOTHING, _FINAL[row.status])
        if row.step is not None:
            return Decision(Action.RESUME, f"resume after {row.step} ({row.phase})")
        if row.verdict == "dead":
            return Decision(Action.NOTHING, "already dead: nothing to revoke")
        if row.verdict == "unknown":
            return Decision(Action.BLOCKED, f"verdict unknown ({row.reason}): verified again first")
        service = self.services.get(row.vendor)
        policy = self.policies.get(row.vendor, VendorPolicy())
        can_rotate = service is not None and {"reissue", "revoke"} <= service.capabilities
        if row.verdict == "unverifiable" or not can_rotate:
            why = "no key API" if not can_rotate else row.reason
            return Decision(Action.MANUAL, f"{why}: the owner gets the vendor's playbook")
        if policy.policy == Policy.NOTIFY:
            return Decision(Action.MANUAL, "policy notify: the owner gets the vendor's playbook")
        if not row.old_key_id:
            return Decision(Action.MANUAL, "live, but not one of the organisation's keys we manage")
        placement = self.placement(row.vendor)
        slot = placement.slot(row)
        if not slot.sinks:
            return Decision(Action.BLOCKED,
                            f"no delivery sink for {row.vendor} (set deliver = [...])")  # fmt: skip
        rivals = placement.rivals(row, slot)
        if rivals:
            return Decision(Action.NEEDS_TARGET, _ambiguous(row, slot, rivals))
        if policy.policy == Policy.APPROVE and not row.approved:
            return Decision(Action.AWAIT, f"policy approve: leakbot revoke --approve {row.id}")
        return Decision(Action.ROTATE, f"reissue, deliver {slot}, revoke", slot)

    def placement(self, vendor: str) -> Placement:
        """The vendor's rows that own or are headed for a slot, to place one row among them."""
        policy = self.policies.get(vendor, VendorPolicy())
        rows = self.ledger.rows((*OPEN, Status.DONE), vendor=vendor)
        return Placement(policy.deliver, policy.variable, self.routes, rows)

    # -- acting ----------------------------------------------------------------------------------

    def run(self, row: Rotation, secret: bytes, partner: bytes = b"") -> Rotation:
        """Take one row as far as it can go now; returns the row as the ledger then holds it."""
        return self._claimed(row, lambda: self._run(row, secret, partner))

    def lost(self, row: Rotation) -> Rotation:
        """The key's value can no longer be had (its log was rotated away or deleted, an alert
        arrived before a restart): blocked and tried again LOST_TRIES times, then handed to the
        owner with the playbook, so that a key leakbot cannot rotate is never left silent."""
        return self._claimed(row, lambda: self._lost(row))

    def _claimed(self, row: Rotation, work: Callable[[], None]) -> Rotation:
        """`work` on the row under this process's lease; a vendor or sink error marks it failed."""
        if not self.ledger.claim(row.id):
            self.say(f"#{row.id}: another leakbot process is working on it")
            return row
        try:
            work()
        except RevokerError as exc:
            self._failed(row.id, str(exc))
        except Stopped:
            self.say(f"#{row.id} {row.vendor}: stopped between steps; resumes on the next run")
        finally:
            self.ledger.release(row.id)
        fresh = self.ledger.get(row.id)
        assert fresh is not None
        return fresh

    def _lost(self, row: Rotation) -> None:
        reason = f"the key is no longer at {row.place}"
        if row.attempts + 1 < LOST_TRIES:
            self._block(row, reason)
            return
        after = f" (stopped after {row.step})" if row.step else ""
        detail = f"{reason}{after}: rotate it by hand"
        self._hand_over(row, detail, last_error=detail, attempts=row.attempts + 1)

    def _block(self, row: Rotation, reason: str) -> None:
        """Not now: tried again after a backoff that grows with each attempt."""
        attempts = row.attempts + 1
        self.ledger.update(row.id, status=Status.BLOCKED, last_error=reason, attempts=attempts,
                           next_attempt=time.time() + _backoff(attempts))  # fmt: skip
        self.say(f"#{row.id} {row.vendor}: blocked: {reason}")

    def _hand_over(self, row: Rotation, reason: str, **values: Any) -> None:
        """The owner gets the vendor's playbook; leakbot touches nothing more."""
        self._notify(row, "manual", reason, playbook(row.vendor))
        self.ledger.update(row.id, status=Status.MANUAL, **values)
        self.say(f"#{row.id} {row.vendor}: manual: {reason}")

    def _run(self, row: Rotation, secret: bytes, partner: bytes) -> None:
        if row.step is None and row.status not in SETTLED:
            row = self._reverify(row, secret, partner)
        decision = self.decide(row)
        if decision.action == Action.NOTHING:
            return
        if decision.action == Action.BLOCKED:
            self._block(row, decision.reason)
            return
        if decision.action == Action.MANUAL:
            self._hand_over(row, decision.reason, last_error=None)
            return
        if decision.action == Action.NEEDS_TARGET:
            if row.status != Status.NEEDS_TARGET:
                self._notify(row, "needs_target", decision.reason)
                self.ledger.update(row.id, status=Status.NEEDS_TARGET, last_error=decision.reason,
                                   next_attempt=time.time() + RETRY_MAX)  # fmt: skip
            self.say(f"#{row.id} {row.vendor}: needs a target: {decision.reason}")
            return
        if decision.action == Action.AWAIT:
            if row.status != Status.AWAITING_APPROVAL:
                self._notify(row, "awaiting_approval", decision.reason)
                self.ledger.update(row.id, status=Status.AWAITING_APPROVAL)
            self.say(f"#{row.id} {row.vendor}: awaiting approval")
            return
        self.ledger.update(row.id, status=Status.ROTATING, attempts=row.attempts + 1)
        self._rotate(row, secret, partner, decision.slot)

    def _reverify(self, row: Rotation, secret: bytes, partner: bytes) -> Rotation:
        """Never act on an old verdict: ask again (read-only) before the first step."""
        service = self.services.get(row.vendor)
        if service is None or "verify" not in service.capabilities:
            return row
        answer = service.verify(secret, partner)
        values: dict[str, Any] = {"verdict": answer.verdict.value, "reason": answer.reason}
        if answer.key_id:
            values["old_key_id"] = answer.key_id
        if answer.key_name:
            values["key_name"] = answer.key_name
        if answer.verdict == Verdict.DEAD:
            values["status"] = Status.DEAD
        self.ledger.update(row.id, **values)
        self.ledger.event(row.id, "verify", answer.verdict.value, answer.reason)
        fresh = self.ledger.get(row.id)
        assert fresh is not None
        return fresh

    def _rotate(self, row: Rotation, secret: bytes, partner: bytes, slot: Slot | None) -> None:
        """Every step not yet done; `slot` is what decide placed (None on a resume: the slot
        the rotation fixed when it began, or, for a row from before slots, placed now)."""
        service = self.services[row.vendor]
        slot = slot or self.placement(row.vendor).slot(row)
        done_at = STEPS.index(row.step) + (row.phase == "done") if row.step in STEPS else 0
        if done_at <= STEPS.index(Step.VERIFY_NEW):
            self._check_stop()
            name = row.new_key_name or f"leakbot-{row.id}-{row.secret_sha256[:8]}"
            self._new_key(row, service, slot, name, secret)
        assert row.old_key_id is not None
        if done_at <= STEPS.index(Step.REVOKE):
            self._check_stop()
            self._revoke(row, service, row.old_key_id, secret, interrupted=row.step == Step.REVOKE)
        if done_at <= STEPS.index(Step.CONFIRM):
            self._check_stop()
            self._confirm(row, service, row.old_key_id, secret, partner)
        if done_at <= STEPS.index(Step.NOTIFY):
            self.ledger.begin(row.id, Step.NOTIFY)
            self._notify(row, "rotated", "a new key was delivered and the leaked one revoked")
            self.ledger.done(row.id, Step.NOTIFY)
        self.ledger.update(
            row.id, status=Status.DONE, rotated_at=time.time(), last_error=None, next_attempt=None
        )
        self.say(f"#{row.id} {row.vendor}: rotated (new key {self._new_id(row.id)})")

    def _new_key(
        self, row: Rotation, service: KeyService, slot: Slot, name: str, leaked: bytes
    ) -> None:
        """reissue -> deliver -> verify_new. The new value lives only in this frame: if any of
        these three is interrupted, the key made for this row (found by its name) is replaced.
        The slot is written down first, so a resumed rotation delivers where this one did."""
        self.ledger.begin(row.id, Step.REISSUE, new_key_name=name, slot=slot.to_json())
        orphan = service.find_named(name, leaked)
        if orphan is not None:
            new = service.replace(orphan, name, leaked)
            self.ledger.done(
                row.id,
                Step.REISSUE,
                "replaced a key whose value an interrupted run lost",
                new_key_id=new.key_id,
            )
        else:
            new = service.reissue(name, leaked)
            self.ledger.done(row.id, Step.REISSUE, new_key_id=new.key_id)
        self.ledger.begin(row.id, Step.DELIVER)
        for sink_name in slot.sinks:
            self.sinks[sink_name].deliver(slot.variable, new.secret)
        self.ledger.done(row.id, Step.DELIVER, str(slot))
        self.ledger.begin(row.id, Step.VERIFY_NEW)
        for delay in (*self.confirm_delays[:2], 0.0):
            answer = service.verify(new.secret)
            if answer.verdict != Verdict.UNKNOWN:
                break
            self.stop.wait(delay)
        if answer.verdict != Verdict.LIVE:
            raise RevokerError(
                f"{row.vendor}: the new key does not answer live "
                f"({answer.verdict.value}: {answer.reason}); old key kept"
            )
        self.ledger.done(row.id, Step.VERIFY_NEW)

    def _revoke(
        self, row: Rotation, service: KeyService, key_id: str, leaked: bytes, interrupted: bool
    ) -> None:
        if interrupted:  # never retry a revoke blindly: does the organisation still list it?
            listed = service.listed(key_id, leaked)
            if listed is None:
                raise RevokerError(
                    f"{row.vendor}: cannot tell whether the old key is still "
                    "active; not revoking blindly"
                )
            if not listed:
                self.ledger.done(row.id, Step.REVOKE, "already revoked (found on re-check)")
                return
        self.ledger.begin(row.id, Step.REVOKE)
        service.revoke(key_id, leaked)
        self.ledger.done(row.id, Step.REVOKE)

    def _confirm(
        self, row: Rotation, service: KeyService, key_id: str, leaked: bytes, partner: bytes
    ) -> None:
        """Re-verify the leaked key DEAD, with backoff: vendors cache auth for a while."""
        self.ledger.begin(row.id, Step.CONFIRM)
        waited = 0.0
        for delay in (*self.confirm_delays, None):
            answer = service.verify(leaked, partner)
            if answer.verdict == Verdict.DEAD:
                self.ledger.update(row.id, verdict="dead", reason=answer.reason)
                self.ledger.done(row.id, Step.CONFIRM, f"dead after {waited:.0f} s")
                return
            if delay is None:
                break
            if self.stop.wait(delay):
                raise Stopped
            waited += delay
        if service.listed(key_id, leaked) is False and answer.verdict == Verdict.UNKNOWN:
            self.ledger.done(row.id, Step.CONFIRM, "no longer listed (verification inconclusive)")
            return
        raise RevokerError(
            f"{row.vendor}: the revoked key still answers {answer.verdict.value} "
            f"after {waited:.0f} s"
        )

    # -- bookkeeping -----------------------------------------------------------------------------

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise Stopped

    def _failed(self, rotation_id: int, error: str) -> None:
        row = self.ledger.get(rotation_id)
        assert row is not None
        self.ledger.update(rotation_id, status=Status.FAILED, last_error=error,
                           next_attempt=time.time() + _backoff(row.attempts))  # fmt: skip
        self.ledger.event(rotation_id, row.step or "start", "failed", error)
        self.say(f"#{rotation_id} {row.vendor}: failed at {row.step or 'start'}: {error}")
        if row.attempts <= 1:
            try:
                self._notify(row, "failed", f"{row.step or 'start'}: {error}")
            except RevokerError as exc:
                self.say(f"#{rotation_id}: notification failed too: {exc}")

    def _new_id(self, rotation_id: int) -> str:
        row = self.ledger.get(rotation_id)
        return (row.new_key_id if row else None) or "?"

    def _notify(self, row: Rotation, event: str, detail: str, steps: Sequence[str] = ()) -> None:
        fresh = self.ledger.get(row.id) or row
        payload = {
            "event": event,
            "delivery": f"{row.id}-{event}" + (f"-{fresh.attempts}" if event == "failed" else ""),
            "id": row.id,
            "vendor": row.vendor,
            "rule_id": row.rule_id,
            "preview": row.preview,
            "secret_sha256": row.secret_sha256,
            "where": row.place,
            "location": row.where,
            "status": fresh.status,
            "old_key_id": fresh.old_key_id,
            "new_key_id": fresh.new_key_id,
            "detail": detail,
            "playbook": list(steps),
        }
        for notifier in self.notifiers:
            notifier.send(payload)
        self.ledger.event(row.id, "notify", event, ", ".join(n.name for n in self.notifiers))


def _ambiguous(row: Rotation, slot: Slot, rivals: list[int]) -> str:
    """Why a row waits for a human, and the [[deliveries]] keys that could tell it apart."""
    others = ", ".join(f"#{n}" for n in rivals)
    by = hint(row)
    keys = ", ".join(f"{k} = {v!r}" for k, v in by.items()) or "target, key_name or leaked_as"
    return (
        f"{slot} is also the slot of {others}: give this key its own in [[deliveries]] "
        f"(vendor = {row.vendor!r} and one of {keys})"
    )


def _backoff(attempts: int) -> float:
    return float(min(RETRY_MAX, RETRY_BASE * 2.0 ** max(0, attempts - 1)))


_FINAL: dict[str, str] = {
    Status.DONE: "rotated",
    Status.DEAD: "already dead: nothing to revoke",
    Status.MANUAL: "the owner was sent the manual playbook",
    Status.REJECTED: "its rotation was rejected by a person",
}

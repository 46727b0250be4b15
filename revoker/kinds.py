"""The ledger's and the workflow's vocabularies, one enum each. They are `StrEnum`s: the values
are what the state database, the config, JSON reports and webhooks hold, and compare equal to
those strings."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a leaked key's row stands."""

    NEW = "new"  # verified, nothing done yet
    AWAITING_APPROVAL = "awaiting_approval"
    BLOCKED = "blocked"  # cannot act yet: no sink, no admin credential, an unknown verdict
    NEEDS_TARGET = "needs_target"  # its replacement's slot is another key's: a human maps it
    ROTATING = "rotating"  # a step is under way
    FAILED = "failed"  # a step failed; tried again after next_attempt
    DONE = "done"
    DEAD = "dead"  # already revoked when found
    MANUAL = "manual"  # the owner was sent the vendor's playbook
    REJECTED = "rejected"  # a person declined the rotation it awaited (rotated by hand, if at all)


OPEN = (Status.NEW, Status.AWAITING_APPROVAL, Status.BLOCKED, Status.NEEDS_TARGET,
        Status.ROTATING, Status.FAILED)  # fmt: skip
SETTLED = (Status.DONE, Status.DEAD, Status.MANUAL, Status.REJECTED)  # nothing more will be done


class Step(StrEnum):
    """The workflow's steps, in order."""

    REISSUE = "reissue"
    DELIVER = "deliver"
    VERIFY_NEW = "verify_new"
    REVOKE = "revoke"
    CONFIRM = "confirm"
    NOTIFY = "notify"


class Policy(StrEnum):
    """What a vendor's live keys get (`policy =` in `[vendors.<name>]`)."""

    AUTO = "auto"  # rotate without a human
    APPROVE = "approve"  # notify, then wait for `leakbot revoke --approve ID`
    NOTIFY = "notify"  # send the playbook only


class Action(StrEnum):
    """What the workflow decides to do with a row now."""

    ROTATE = "rotate"
    RESUME = "resume"
    AWAIT = "await"
    MANUAL = "manual"
    NOTHING = "nothing"
    BLOCKED = "blocked"
    NEEDS_TARGET = "needs_target"


class SinkType(StrEnum):
    COMMAND = "command"
    DOTENV = "dotenv"
    GITHUB = "github"
    VAULT = "vault"


class NotifierType(StrEnum):
    WEBHOOK = "webhook"
    SLACK = "slack"

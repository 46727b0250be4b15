"""The state database's tables at the newest revision, in SQLAlchemy Core: one schema for SQLite
and PostgreSQL. Migrations (`migrations/versions/`) bring any older file here; no secret is ever
a column: a leaked key is its SHA-256, a redacted preview and where it was found."""

from __future__ import annotations

from sqlalchemy import (
    REAL,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()
# Timestamps and durations: double precision on PostgreSQL, REAL on SQLite (whose STRICT tables,
# as 0.1.0 made them, take no other name for it).
Seconds = Float(53).with_variant(REAL(), "sqlite")

scan_cursors = Table(
    "scan_cursors",
    metadata,
    Column("target", Text, primary_key=True),  # "git:<git dir>", "logs:<path>", ...
    Column("cursor", Text, nullable=False),  # what the scanner saw last (JSON or a sha)
    Column("updated_at", Text, nullable=False),
)

rotations = Table(
    "rotations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vendor", Text, nullable=False),
    Column("secret_sha256", Text, nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("preview", Text, nullable=False),
    Column("location", Text, nullable=False),  # JSON: path, line, commit, repo
    Column("verdict", Text, nullable=False),  # the last verification
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),  # revoker.kinds.Status
    Column("old_key_id", Text),
    Column("new_key_id", Text),
    Column("new_key_name", Text),
    Column("step", Text),  # the last workflow step written down
    Column("phase", Text),  # started | done
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", Seconds),
    Column("last_error", Text),
    Column("approved", Integer, nullable=False, server_default="0"),
    Column("lease_owner", Text),  # host:pid:nonce of the process working on the row
    Column("lease_until", Seconds),  # the claim ends then unless renewed
    Column("found_at", Seconds, nullable=False),
    Column("updated_at", Seconds, nullable=False),
    Column("rotated_at", Seconds),
    Column("leaked_at", Seconds),  # the commit's date, or when the line was first read
    Column("variable", Text),  # the name the leaked line assigned the key to
    Column("key_name", Text),  # the vendor's name for the leaked key
    Column("slot", Text),  # JSON: the variable and sinks its replacement goes to
    UniqueConstraint("vendor", "secret_sha256", name="uq_rotations_vendor_secret"),
)

rotation_events = Table(
    "rotation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rotation_id", Integer, ForeignKey("rotations.id"), nullable=False),
    Column("at", Seconds, nullable=False),
    Column("step", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

bot_targets = Table(
    "bot_targets",
    metadata,
    Column("name", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("last_start", Seconds),
    Column("last_end", Seconds),
    Column("last_ok", Integer),
    Column("last_error", Text),
    Column("findings", Integer, nullable=False, server_default="0"),
    Column("next_run", Seconds),
    Column("last_success", Seconds),  # when the last run that scanned everything ended
    Column("last_bytes", Integer),  # what the last run read
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Seconds, nullable=False),
    Column("actor", Text, nullable=False),  # user@host for the CLI, the bot's owner id
    Column("action", Text, nullable=False),  # recorded, approved, claimed, ...
    Column("rotation_id", Integer),
    Column("detail", Text, nullable=False, server_default=""),
)

sightings = Table(
    "sightings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rotation_id", Integer, ForeignKey("rotations.id"), nullable=False),
    Column("place", Text, nullable=False),  # path, commit, repository and target: one place
    Column("fingerprint", Text, nullable=False),  # as reports and baselines have it
    Column("rule_id", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("commit_sha", Text),
    Column("author", Text),
    Column("date", Text),  # the commit's date (ISO 8601)
    Column("refs", Text, nullable=False, server_default="[]"),  # JSON list
    Column("target", Text),
    Column("repo", Text),
    Column("first_seen", Seconds, nullable=False),
    Column("last_seen", Seconds, nullable=False),
    UniqueConstraint("rotation_id", "place", name="uq_sightings_rotation_place"),
)

triage = Table(  # a person's decision on a credential; no row: open
    "triage",
    metadata,
    Column("rotation_id", Integer, ForeignKey("rotations.id"), primary_key=True),
    Column(
        "resolution", Text, nullable=False
    ),  # false_positive | used_in_tests | wont_fix | revoked
    Column("note", Text, nullable=False, server_default=""),
    Column("actor", Text, nullable=False),
    Column("at", Seconds, nullable=False),
)

github_repos = Table(  # an org target's repositories, as GitHub last listed them
    "github_repos",
    metadata,
    Column("target", Text, primary_key=True),
    Column("full_name", Text, primary_key=True),  # owner/name
    Column("clone_url", Text, nullable=False),
    Column("default_branch", Text, nullable=False),
    Column("pushed_at", Seconds, nullable=False),  # GitHub's, at the last listing
    Column("scanned_pushed_at", Seconds),  # pushed_at when its last complete scan began
    Column("last_scan", Seconds),
    Column("last_error", Text),
    Column("listed_at", Seconds, nullable=False),
    Column("ci_pending", Integer, nullable=False, server_default="0"),  # Actions runs still going
)

work_leases = Table(  # who is scanning a target or one of an org's repositories, until when
    "work_leases",
    metadata,
    Column("name", Text, primary_key=True),  # "target:api", "repo:acme:acme/api"
    Column("owner", Text, nullable=False),  # host:pid:nonce of the worker
    Column("until", Seconds, nullable=False),
)

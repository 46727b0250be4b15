"""Every place a credential was seen (the web view's "where it leaked"), people's triage of a
credential, and the bytes each target's last run read. Rows from before have no sightings until
their credential is seen again; their `location` still says where it was first found."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SECONDS = sa.Float(53).with_variant(sa.REAL(), "sqlite")  # REAL: what STRICT tables take


def upgrade() -> None:
    op.create_table(
        "sightings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rotation_id", sa.Integer, sa.ForeignKey("rotations.id"), nullable=False),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("commit_sha", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("date", sa.Text),
        sa.Column("refs", sa.Text, nullable=False, server_default="[]"),
        sa.Column("target", sa.Text),
        sa.Column("repo", sa.Text),
        sa.Column("first_seen", SECONDS, nullable=False),
        sa.Column("last_seen", SECONDS, nullable=False),
        sa.UniqueConstraint("rotation_id", "place", name="uq_sightings_rotation_place"),
    )
    op.create_index("ix_sightings_rotation", "sightings", ["rotation_id"])
    op.create_table(
        "triage",
        sa.Column("rotation_id", sa.Integer, sa.ForeignKey("rotations.id"), primary_key=True),
        sa.Column("resolution", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", SECONDS, nullable=False),
    )
    with op.batch_alter_table("bot_targets") as batch:
        batch.add_column(sa.Column("last_bytes", sa.Integer))


def downgrade() -> None:
    raise NotImplementedError("leakbot's state is migrated forward only")

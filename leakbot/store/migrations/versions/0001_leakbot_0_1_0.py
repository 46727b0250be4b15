"""The state database of leakbot 0.1.0: scan cursors, the ledger, the bot's targets.

Files written by 0.1.0 hold these tables with no alembic_version; this revision creates only the
tables a file lacks, so such a file and an empty one both end here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

SECONDS = sa.Float(53).with_variant(sa.REAL(), "sqlite")  # REAL: what STRICT tables take

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REQUIRED_TEXT = ("vendor", "secret_sha256", "rule_id", "preview", "location", "verdict", "reason",
                 "status")  # fmt: skip
OPTIONAL_TEXT = ("old_key_id", "new_key_id", "new_key_name", "step", "phase")


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "scan_cursors" not in have:
        op.create_table(
            "scan_cursors",
            sa.Column("target", sa.Text, primary_key=True),
            sa.Column("cursor", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
        )
    if "rotations" not in have:
        op.create_table(
            "rotations",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            *(sa.Column(name, sa.Text, nullable=False) for name in REQUIRED_TEXT),
            *(sa.Column(name, sa.Text) for name in OPTIONAL_TEXT),
            sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
            sa.Column("next_attempt", SECONDS),
            sa.Column("last_error", sa.Text),
            sa.Column("approved", sa.Integer, nullable=False, server_default="0"),
            sa.Column("lease_pid", sa.Integer),
            sa.Column("lease_until", SECONDS),
            sa.Column("found_at", SECONDS, nullable=False),
            sa.Column("updated_at", SECONDS, nullable=False),
            sa.Column("rotated_at", SECONDS),
            sa.Column("leaked_at", SECONDS),
            sa.UniqueConstraint("vendor", "secret_sha256", name="uq_rotations_vendor_secret"),
        )
    if "rotation_events" not in have:
        op.create_table(
            "rotation_events",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("rotation_id", sa.Integer, sa.ForeignKey("rotations.id"), nullable=False),
            sa.Column("at", SECONDS, nullable=False),
            *(sa.Column(name, sa.Text, nullable=False) for name in ("step", "event", "detail")),
        )
    if "bot_targets" not in have:
        op.create_table(
            "bot_targets",
            sa.Column("name", sa.Text, primary_key=True),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("last_start", SECONDS),
            sa.Column("last_end", SECONDS),
            sa.Column("last_ok", sa.Integer),
            sa.Column("last_error", sa.Text),
            sa.Column("findings", sa.Integer, nullable=False, server_default="0"),
            sa.Column("next_run", SECONDS),
        )


def downgrade() -> None:
    raise NotImplementedError("leakbot's state is migrated forward only")

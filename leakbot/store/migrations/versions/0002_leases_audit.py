"""Host-independent leases (an owner id, not a pid), each target's last success, an audit log.

Drops 0.1.0's own version bookkeeping (`schema_versions`); Alembic's `alembic_version` replaces it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

SECONDS = sa.Float(53).with_variant(sa.REAL(), "sqlite")  # REAL: what STRICT tables take

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    with op.batch_alter_table("rotations") as batch:
        batch.add_column(sa.Column("lease_owner", sa.Text))
        batch.drop_column("lease_pid")  # a pid says nothing on another host: claims start over
    if "last_success" not in {c["name"] for c in inspector.get_columns("bot_targets")}:
        with op.batch_alter_table("bot_targets") as batch:
            batch.add_column(sa.Column("last_success", SECONDS))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", SECONDS, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("rotation_id", sa.Integer),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    if "schema_versions" in inspector.get_table_names():
        op.drop_table("schema_versions")


def downgrade() -> None:
    raise NotImplementedError("leakbot's state is migrated forward only")

"""Leases on scans (a target, or one of an org's repositories), so that two workers on any hosts
never scan the same one at once; a worker that dies loses its lease when it runs out."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SECONDS = sa.Float(53).with_variant(sa.REAL(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "work_leases",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("until", SECONDS, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("leakbot's state is migrated forward only")

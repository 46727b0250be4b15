"""Delivery per key: the variable each leaked line named, the vendor's name for the key, and the
slot (variable and sinks) a rotation delivers its replacement to. Rows from before keep NULLs:
they resolve their slot from the config as before."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rotations") as batch:
        batch.add_column(sa.Column("variable", sa.Text))
        batch.add_column(sa.Column("key_name", sa.Text))
        batch.add_column(sa.Column("slot", sa.Text))


def downgrade() -> None:
    raise NotImplementedError("leakbot's state is migrated forward only")

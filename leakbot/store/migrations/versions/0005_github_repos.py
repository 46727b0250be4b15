"""An org target's repositories: what GitHub listed (clone URL, default branch, pushed_at), and
the pushed_at its last complete scan saw, so an unchanged repository is not fetched again; and
whether its Actions runs were still going at the last look (looked at again next run)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SECONDS = sa.Float(53).with_variant(sa.REAL(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "github_repos",
        sa.Column("target", sa.Text, primary_key=True),
        sa.Column("full_name", sa.Text, primary_key=True),
        sa.Column("clone_url", sa.Text, nullable=False),
        sa.Column("default_branch", sa.Text, nullable=False),
        sa.Column("pushed_at", SECONDS, nullable=False),
        sa.Column("scanned_pushed_at", SECONDS),
        sa.Column("last_scan", SECONDS),
        sa.Column("last_error", sa.Text),
        sa.Column("listed_at", SECONDS, nullable=False),
        sa.Column("ci_pending", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    raise NotImplementedError("leakbot's state is migrated forward only")

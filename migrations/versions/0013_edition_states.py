"""edition states: draft, current or archived; the edition each organiser works on; quotas
as a share of the seats

Revision ID: 0013_edition_states
Revises: 0012_unmatched_scans_code

"""

import sqlalchemy as sa
from alembic import op

revision = "0013_edition_states"
down_revision = "0012_unmatched_scans_code"
branch_labels = None
depends_on = None

editions = sa.table(
    "editions",
    sa.column("is_current", sa.Boolean()),
    sa.column("state", sa.String()),
)


def upgrade():
    # Plain ALTER TABLE throughout, never a batch: on SQLite a batch rebuilds the table, and
    # dropping the old `editions` with foreign keys on would cascade to every session and
    # registration (SQLite drops a plain column itself since 3.35).
    op.add_column(
        "editions",
        sa.Column("state", sa.String(length=10), nullable=False, server_default="archived"),
    )
    op.execute(editions.update().where(editions.c.is_current).values(state="current"))
    op.drop_column("editions", "is_current")
    op.create_index(
        "uq_editions_one_current",
        "editions",
        ["state"],
        unique=True,
        sqlite_where=sa.text("state = 'current'"),
        postgresql_where=sa.text("state = 'current'"),
    )
    # A preference, not a reference: an edition that no longer exists is simply not chosen
    # (and SQLite could add the column, but not a named constraint on it, without a rebuild).
    op.add_column("users", sa.Column("working_edition_id", sa.Integer(), nullable=True))
    # A quota given as a share of the seats is kept as a share, so it follows the capacity.
    op.add_column("stakeholder_settings", sa.Column("quota_percent", sa.Integer(), nullable=True))


def downgrade():
    op.drop_column("stakeholder_settings", "quota_percent")
    op.drop_column("users", "working_edition_id")
    op.drop_index("uq_editions_one_current", table_name="editions")
    op.add_column(
        "editions",
        sa.Column("is_current", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        editions.update().where(editions.c.state == "current").values(is_current=sa.true())
    )
    op.drop_column("editions", "state")

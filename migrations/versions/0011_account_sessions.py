"""account sessions: a key in every session cookie of an account, replaced to end them all

Revision ID: 0011
Revises: 0010_edition_anonymised

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010_edition_anonymised"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer()), sa.column("session_key", sa.String()))


def upgrade():
    # Plain ALTER TABLE, not a batch: SQLite would rebuild the table, and dropping the old
    # one with foreign keys on sets the history's and the scans' references to NULL. The
    # empty default only lets SQLite add the NOT NULL column to rows that exist.
    op.add_column(
        "users",
        sa.Column("session_key", sa.String(length=64), nullable=False, server_default=""),
    )
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_key=secrets.token_urlsafe(32))
        )
    # Cookies saved before held the id alone: they sign nobody in, so everyone signs in again.


def downgrade():
    op.drop_column("users", "session_key")

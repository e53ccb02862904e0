"""content in English beside the French: editions, sessions, rooms, tracks, practical information

Revision ID: 0016_content_in_english
Revises: 0015_speakers_and_guests

"""

import sqlalchemy as sa
from alembic import op

revision = "0016_content_in_english"
down_revision = "0015_speakers_and_guests"
branch_labels = None
depends_on = None

# (table, column, type): each an optional English text beside the French one. Plain
# ALTER TABLE ADD COLUMN (never a batch, which on SQLite rebuilds and cascades).
COLUMNS = [
    ("editions", "name_en", sa.String(length=200)),
    ("editions", "description_en", sa.Text()),
    ("sessions", "title_en", sa.String(length=300)),
    ("sessions", "abstract_en", sa.Text()),
    ("rooms", "name_en", sa.String(length=120)),
    ("tracks", "name_en", sa.String(length=120)),
    ("edition_identities", "transport_en", sa.Text()),
    ("edition_identities", "accessibility_en", sa.Text()),
]


def upgrade():
    for table, column, kind in COLUMNS:
        op.add_column(table, sa.Column(column, kind, nullable=False, server_default=""))


def downgrade():
    for table, column, _kind in reversed(COLUMNS):
        op.drop_column(table, column)

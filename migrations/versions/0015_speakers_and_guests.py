"""speakers' private address, photo and English bio; registrations' role and speaker link

Revision ID: 0015_speakers_and_guests
Revises: 0014_edition_identity

"""

import sqlalchemy as sa
from alembic import op

revision = "0015_speakers_and_guests"
down_revision = "0014_edition_identity"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE and a new table only, never a batch: on SQLite a batch rebuilds the
    # table, and dropping the old one with foreign keys on would cascade deletes.
    op.add_column("speakers", sa.Column("bio_en", sa.Text(), nullable=False, server_default=""))
    op.add_column(
        "speakers", sa.Column("email", sa.String(length=254), nullable=False, server_default="")
    )
    op.add_column("speakers", sa.Column("photo", sa.LargeBinary(), nullable=True))
    op.add_column(
        "speakers",
        sa.Column("photo_digest", sa.String(length=12), nullable=False, server_default=""),
    )
    op.add_column(
        "registrations",
        sa.Column("role", sa.String(length=20), nullable=False, server_default="attendee"),
    )
    op.create_table(
        "speaker_registrations",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_speaker_registrations_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_speaker_registrations_speaker_id_speakers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", "speaker_id", name=op.f("pk_speaker_registrations")
        ),
    )
    op.create_index("ix_speaker_registrations_speaker_id", "speaker_registrations", ["speaker_id"])


def downgrade():
    op.drop_index("ix_speaker_registrations_speaker_id", table_name="speaker_registrations")
    op.drop_table("speaker_registrations")
    op.drop_column("registrations", "role")
    op.drop_column("speakers", "photo_digest")
    op.drop_column("speakers", "photo")
    op.drop_column("speakers", "email")
    op.drop_column("speakers", "bio_en")

"""the door without the network and at each session: offline scans, double admissions, attendance

Revision ID: 0018_offline_desk
Revises: 0017_call_for_abstracts

"""

import sqlalchemy as sa
from alembic import op

import eventday.database

revision = "0018_offline_desk"
down_revision = "0017_call_for_abstracts"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ADD COLUMN (never a batch, which on SQLite rebuilds and cascades).
    op.add_column("checkin_scans", sa.Column("scanned_at", eventday.database.UTCDateTime()))
    # A log's note of the door, not a link: a session deleted later leaves its scans alone.
    op.add_column("checkin_scans", sa.Column("session_id", sa.Integer()))
    op.add_column(
        "checkin_scans",
        sa.Column("admitted_twice", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_checkin_scans_edition_id_admitted_twice",
        "checkin_scans",
        ["edition_id", "admitted_twice"],
    )
    op.create_table(
        "session_attendance",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("attended_at", eventday.database.UTCDateTime(), nullable=False),
        sa.Column("desk", sa.String(length=60), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_session_attendance_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_attendance_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", "session_id", name=op.f("pk_session_attendance")
        ),
    )
    op.create_index(
        op.f("ix_session_attendance_session_id"), "session_attendance", ["session_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_session_attendance_session_id"), table_name="session_attendance")
    op.drop_table("session_attendance")
    op.drop_index("ix_checkin_scans_edition_id_admitted_twice", table_name="checkin_scans")
    op.drop_column("checkin_scans", "admitted_twice")
    op.drop_column("checkin_scans", "session_id")
    op.drop_column("checkin_scans", "scanned_at")

"""the organisers' face of an edition: network, data controller, practical facts, images, sponsors

Revision ID: 0014_edition_identity
Revises: 0013_edition_states

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_edition_identity"
down_revision = "0013_edition_states"
branch_labels = None
depends_on = None


def upgrade():
    # New tables only: existing ones are not altered (on SQLite a batch would rebuild them).
    op.create_table(
        "edition_identities",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("network_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("controller_name", sa.String(length=200), nullable=False),
        sa.Column("controller_address", sa.Text(), nullable=False),
        sa.Column("controller_email", sa.String(length=254), nullable=False),
        sa.Column("transport", sa.Text(), nullable=False),
        sa.Column("map_url", sa.String(length=500), nullable=False),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_digest", sa.String(length=12), nullable=False),
        sa.Column("favicon", sa.LargeBinary(), nullable=True),
        sa.Column("favicon_digest", sa.String(length=12), nullable=False),
        sa.Column("favicon_uploaded", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_edition_identities_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_edition_identities")),
    )
    op.create_table(
        "sponsors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_digest", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_sponsors_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsors")),
    )
    op.create_index(op.f("ix_sponsors_edition_id"), "sponsors", ["edition_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_sponsors_edition_id"), table_name="sponsors")
    op.drop_table("sponsors")
    op.drop_table("edition_identities")

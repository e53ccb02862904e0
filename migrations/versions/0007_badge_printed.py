"""badge printed

Revision ID: 0007_badge_printed
Revises: 0006_edition_mail_notes
Create Date: 2026-11-25 14:36:49.127134

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_badge_printed'
down_revision = '0006_edition_mail_notes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_printed_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('badge_printed_at')


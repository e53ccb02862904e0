"""registration name key

Revision ID: 0008_registration_name_key
Revises: 0007_badge_printed
Create Date: 2026-11-25 15:02:06.304279

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_registration_name_key'
down_revision = '0007_badge_printed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=250), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_registrations_name_key'), ['name_key'], unique=False)



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_name_key'))
        batch_op.drop_column('name_key')


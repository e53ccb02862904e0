"""edition mail notes

Revision ID: 0006_edition_mail_notes
Revises: 0005_programme_changes
Create Date: 2026-11-25 14:27:22.980800

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_edition_mail_notes'
down_revision = '0005_programme_changes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_note_fr', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('mail_note_en', sa.Text(), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_column('mail_note_en')
        batch_op.drop_column('mail_note_fr')


"""programme changes

Revision ID: 0005_programme_changes
Revises: 0004_audit_log
Create Date: 2026-11-25 14:25:10.395548

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_programme_changes'
down_revision = '0004_audit_log'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_programme_changes_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_programme_changes_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_changes'))
    )
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.create_index('ix_programme_changes_edition_id_changed_at', ['edition_id', 'changed_at'], unique=False)



def downgrade():
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_changes_edition_id_changed_at')

    op.drop_table('programme_changes')

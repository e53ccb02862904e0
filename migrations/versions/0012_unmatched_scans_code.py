"""unmatched scans forget their code: what was typed at the desk, tied to nobody

Revision ID: 0012_unmatched_scans_code
Revises: 0011

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_unmatched_scans_code"
down_revision = "0011"
branch_labels = None
depends_on = None

scans = sa.table(
    "checkin_scans", sa.column("registration_id", sa.Integer()), sa.column("code", sa.String())
)


def upgrade():
    # Scans logged before eventday stopped keeping the code of one that matched nobody.
    op.execute(scans.update().where(scans.c.registration_id.is_(None)).values(code=""))


def downgrade():
    pass  # the codes are gone, as they should be; the schema did not change

"""criteria library: criteria, their areas, CPV codes, categories, cached revisions; criteria used by specifications; library editors

Revision ID: 0004_criteria
Revises: 0003_spec_lifecycle
Create Date: 2026-11-24 01:44:11.501249

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_criteria"
down_revision = "0003_spec_lifecycle"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('head_revision', sa.String(length=40), nullable=True),
    sa.Column('revision_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_criteria_network_id_networks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['successor_id'], ['criteria.id'], name=op.f('fk_criteria_successor_id_criteria'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria')),
    sa.UniqueConstraint('code', name=op.f('uq_criteria_code'))
    )
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criteria_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criteria_updated_at'), ['updated_at'], unique=False)

    op.create_table('criterion_areas',
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_criterion_areas_criterion_id_criteria'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('criterion_id', 'area', name=op.f('pk_criterion_areas'))
    )
    with op.batch_alter_table('criterion_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_areas_area'), ['area'], unique=False)

    op.create_table('criterion_categories',
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_criterion_categories_criterion_id_criteria'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('criterion_id', 'name', name=op.f('pk_criterion_categories'))
    )
    op.create_table('criterion_cpv',
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_criterion_cpv_criterion_id_criteria'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('criterion_id', 'code', name=op.f('pk_criterion_cpv'))
    )
    op.create_table('criterion_revisions',
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('commit_id', sa.String(length=40), nullable=False),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('author_email', sa.String(length=254), nullable=False),
    sa.Column('authored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_criterion_revisions_criterion_id_criteria'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('criterion_id', 'number', name=op.f('pk_criterion_revisions'))
    )
    op.create_table('spec_criteria',
    sa.Column('spec_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('pinned_number', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_spec_criteria_criterion_id_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['spec_id'], ['specs.id'], name=op.f('fk_spec_criteria_spec_id_specs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('spec_id', 'criterion_id', name=op.f('pk_spec_criteria'))
    )
    with op.batch_alter_table('spec_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spec_criteria_criterion_id'), ['criterion_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_library_editor', sa.Boolean(), server_default='0', nullable=False))




def downgrade():

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_library_editor')

    with op.batch_alter_table('spec_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spec_criteria_criterion_id'))

    op.drop_table('spec_criteria')
    op.drop_table('criterion_revisions')
    op.drop_table('criterion_cpv')
    op.drop_table('criterion_categories')
    with op.batch_alter_table('criterion_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_areas_area'))

    op.drop_table('criterion_areas')
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criteria_updated_at'))
        batch_op.drop_index(batch_op.f('ix_criteria_network_id'))

    op.drop_table('criteria')


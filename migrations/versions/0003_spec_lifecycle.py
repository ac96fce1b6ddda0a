"""specification lifecycle, adopted versions, tags and the revision cache

Existing specifications get their revision lists from git with `flask check --repair`.

Revision ID: 0003_spec_lifecycle
Revises: 0002_specifications
Create Date: 2026-11-24 00:49:25.413490

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003_spec_lifecycle"
down_revision = '0002_specifications'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('spec_revisions',
    sa.Column('spec_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('commit_id', sa.String(length=40), nullable=False),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('author_email', sa.String(length=254), nullable=False),
    sa.Column('authored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['spec_id'], ['specs.id'], name=op.f('fk_spec_revisions_spec_id_specs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('spec_id', 'number', name=op.f('pk_spec_revisions'))
    )
    with op.batch_alter_table('spec_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_spec_revisions_commit', ['spec_id', 'commit_id'], unique=True)

    op.create_table('spec_tags',
    sa.Column('spec_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['spec_id'], ['specs.id'], name=op.f('fk_spec_tags_spec_id_specs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('spec_id', 'tag', name=op.f('pk_spec_tags'))
    )
    op.create_table('spec_versions',
    sa.Column('spec_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('commit_id', sa.String(length=40), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_spec_versions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['spec_id'], ['specs.id'], name=op.f('fk_spec_versions_spec_id_specs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('spec_id', 'number', name=op.f('pk_spec_versions'))
    )
    with op.batch_alter_table('specs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('public_revision', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('consultation_closes', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_specs_successor_id_specs'), 'specs', ['successor_id'], ['id'], ondelete='SET NULL')




def downgrade():
    
    with op.batch_alter_table('specs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_specs_successor_id_specs'), type_='foreignkey')
        batch_op.drop_column('successor_id')
        batch_op.drop_column('consultation_closes')
        batch_op.drop_column('public_revision')
        batch_op.drop_column('category')

    op.drop_table('spec_versions')
    op.drop_table('spec_tags')
    with op.batch_alter_table('spec_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_spec_revisions_commit')

    op.drop_table('spec_revisions')


"""To-dos and the snapshot versions they follow, circulations with their actions and readers, routes."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0002", "0001", None, None


def upgrade() -> None:
    op.create_table('circulations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('document_type', sa.String(length=60), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('record_kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('record_version', sa.Integer(), nullable=False),
    sa.Column('drafter_id', sa.String(length=64), nullable=False),
    sa.Column('drafter_name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('steps', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('current_step', sa.Integer(), nullable=True),
    sa.Column('current_role', sa.String(length=20), nullable=False),
    sa.Column('current_on_behalf', sa.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('teams', sa.ARRAY(sa.String(length=100)), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('latest_record_version', sa.Integer(), nullable=False),
    sa.Column('changed_since_approval', sa.Boolean(), nullable=False),
    sa.Column('changed_fields', sa.ARRAY(sa.String(length=100)), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circulations'))
    )
    op.create_index('ix_circulations_drafter', 'circulations', ['drafter_id', 'status'], unique=False)
    op.create_index('ix_circulations_record', 'circulations', ['service', 'record_kind', 'record_id'], unique=False)
    op.create_index('ix_circulations_waiting', 'circulations', ['status', 'current_role'], unique=False)
    op.create_table('deadline_sources',
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('aggregate', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('service', 'aggregate', 'record_id', name=op.f('pk_deadline_sources'))
    )
    op.create_table('routes',
    sa.Column('document_type', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('steps', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('document_type', name=op.f('pk_routes'))
    )
    op.create_table('todos',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('nurse', sa.String(length=100), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('aggregate', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('record_label', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('snoozed_until', sa.Date(), nullable=True),
    sa.Column('assignee_id', sa.String(length=64), nullable=False),
    sa.Column('assignee_name', sa.String(length=100), nullable=False),
    sa.Column('acted_due_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('source_version', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_todos')),
    sa.UniqueConstraint('key', name=op.f('uq_todos_key'))
    )
    op.create_index('ix_todos_record', 'todos', ['service', 'aggregate', 'record_id'], unique=False)
    op.create_index('ix_todos_team_due', 'todos', ['team', 'due_on'], unique=False)
    op.create_table('circulation_actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('circulation_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('record_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['circulation_id'], ['circulations.id'], name=op.f('fk_circulation_actions_circulation_id_circulations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circulation_actions'))
    )
    op.create_index(op.f('ix_circulation_actions_circulation_id'), 'circulation_actions', ['circulation_id'], unique=False)
    op.create_table('circulation_readers',
    sa.Column('circulation_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('addressed', sa.Boolean(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['circulation_id'], ['circulations.id'], name=op.f('fk_circulation_readers_circulation_id_circulations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('circulation_id', 'user_id', name=op.f('pk_circulation_readers'))
    )


def downgrade() -> None:
    op.drop_table('circulation_readers')
    op.drop_index(op.f('ix_circulation_actions_circulation_id'), table_name='circulation_actions')
    op.drop_table('circulation_actions')
    op.drop_index('ix_todos_team_due', table_name='todos')
    op.drop_index('ix_todos_record', table_name='todos')
    op.drop_table('todos')
    op.drop_table('routes')
    op.drop_table('deadline_sources')
    op.drop_index('ix_circulations_waiting', table_name='circulations')
    op.drop_index('ix_circulations_record', table_name='circulations')
    op.drop_index('ix_circulations_drafter', table_name='circulations')
    op.drop_table('circulations')

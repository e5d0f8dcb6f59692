"""Alembic's environment: runs the revisions on the connection that `migrate` passes in.

Online only, on `config.attributes["connection"]`, inside the caller's transaction.
"""

from alembic import context

from workbench.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through workbench.store.migrate (no connection given)")
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()

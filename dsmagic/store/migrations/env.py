"""Alembic environment: always run against the connection dsmagic hands over."""

from alembic import context

from dsmagic.store import _models_data, _models_pipeline, _models_registry  # noqa: F401
from dsmagic.store._database import VERSION_TABLE
from dsmagic.store._models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

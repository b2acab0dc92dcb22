"""The schema and the only place for SQL.

`base` holds the declarative base, naming convention and UTC type; `db` the engine,
session factory and `session_scope`; one module per aggregate holds its classes and
the queries both the web and the workers share. Importing this package registers
every table on `Base.metadata` (Alembic and the tests rely on that).
"""

from models import (  # noqa: F401  (registers the tables)
    articles,
    comments,
    consent,
    playlists,
    sections,
    sources,
    stories,
    tags,
    users,
    websub,
    workers,
)
from models.base import Base

__all__ = ["Base"]

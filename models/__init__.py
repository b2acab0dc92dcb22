"""The schema and the only place for SQL (docs/architecture.md, "Where code lives").

- `base`: the declarative base, the constraint naming convention, the UTC datetime type;
  `db`: engines, session factories and `session_scope`; `migrate`: Alembic, driven from
  code (`hopper db …`), with the revisions in migrations/versions/.
- One module per aggregate, holding its classes and the queries both web and workers
  share: `sections`, `sources`, `articles`, `tags`, `users`, `consent`, `playlists`,
  `comments`, `workers` (heartbeats).
- Query modules for one purpose across aggregates: `article_writes` (ingest's batched
  upserts), `search` (full text and filtered listings), `publishing` (RSS, sitemap,
  API lists), `source_health` and `backlog` (operators' views), `retention` (what is
  deleted, and when), `personal_data` (a reader's export and erasure), `permalinks`
  (an article's address; it imports no model), `search_text` (the body's words that
  SQLite's full-text index reads, a function each SQLite connection is given).

Importing this package registers every table on `Base.metadata` (Alembic and the tests
rely on that). `models` imports neither `web` nor `workers` (pyproject.toml contracts).
"""

from models import (  # noqa: F401  (registers the tables)
    articles,
    comments,
    consent,
    playlists,
    removed_articles,
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

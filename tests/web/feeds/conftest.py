from __future__ import annotations

import pytest

from models.db import Database
from tests.article_rows import ArticleRows


@pytest.fixture
def rows(database: Database) -> ArticleRows:
    return ArticleRows(database)

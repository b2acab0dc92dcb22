"""One URL per listing page: parameters a listing does not read are dropped by a 301.

The page cache (web/cache.py) stores only a bare path or `?page=N`, so a listing asked
for with anything else in its query (`/?utm_source=…`, `/section/world?x=1`) was rendered
for every request — page 1 of the home page ranks the whole front page. Sent to the URL
without those parameters, the reader gets the page from the cache. The target is built
with `url_for`, never from the request's own path or Host, so it stays on this site.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

LISTINGS = frozenset({"site.home", "site.section", "site.tag", "site.source", "site.video"})
LISTING_PARAMETERS = frozenset({"page"})   # what web/params.py `page_arg` reads


def drop_unknown_query() -> Response | None:
    """A `before_request` hook of the site blueprint: the redirect, or None to go on."""
    endpoint = request.endpoint
    if endpoint is None or endpoint not in LISTINGS or request.method not in ("GET", "HEAD"):
        return None
    if set(request.args) <= LISTING_PARAMETERS:
        return None
    kept = [(name, value) for name, value in request.args.items(multi=True)
            if name in LISTING_PARAMETERS]
    target = url_for(endpoint, **(request.view_args or {}))
    return redirect(f"{target}?{urlencode(kept)}" if kept else target, 301)

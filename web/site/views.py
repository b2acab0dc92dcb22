"""Reader pages: home, sections, tags, sources, articles, video, shares and static pages.

Views stay thin: every query is a named function in `models/`, every page is cacheable
for anonymous readers (web/cache.py) except the contact form, which carries a CSRF token.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from models import articles, permalinks, removed_articles, sections, stories, tags, users
from models.articles import Article
from models.base import utcnow
from models.db import session_scope
from models.sources import Source
from web.auth.limits import (
    CONTACT_PER_ACCOUNT,
    CONTACT_PER_IP,
    accept_form,
    limit_posts,
    only_accepted,
    sender_key,
)
from web.cache import CACHEABLE_QUERY, cached_page, hit_handlers, on_hit
from web.community import comments as community_comments
from web.consent.choices import current_choices
from web.extensions import (
    database,
    db_session,
    redis_client,
    redis_outage_tolerated,
    settings,
)
from web.mail import send_mail
from web.media.links import card_picture
from web.params import MAX_ROW_ID, page_arg
from web.ranking import ranked_window
from web.site import counting, pages
from web.site.forms import ContactForm
from web.site.front_stories import front_stories
from web.site.sharing import NETWORK_LABELS, share_url

log = logging.getLogger(__name__)


class EveryInterval:
    """True at most once per `seconds` (per process): a repeated warning, rate-limited."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.last_at: float | None = None

    def is_due(self, now: float) -> bool:
        if self.last_at is not None and now - self.last_at < self.seconds:
            return False
        self.last_at = now
        return True


REDIS_DOWN_WARNINGS = EveryInterval(60.0)
bp = Blueprint("site", __name__)

PER_PAGE = 20
HEADLINES = 8
PER_SECTION_BLOCK = 4
MOST_READ = 5
MOST_READ_WINDOW = timedelta(hours=48)
RELATED = 6


@dataclass(frozen=True)
class Listing:
    """One page of a paginated list."""

    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number() -> int:
    return page_arg(PER_PAGE)


LISTINGS = frozenset({"site.home", "site.section", "site.tag", "site.source", "site.video"})


@bp.before_request
def one_url_per_listing_page() -> Response | None:
    """A listing asked for with a query other than `?page=N` as its own links write it is
    sent, 301, to that URL: anything else is never stored by the page cache, so
    `/?utm_source=…` or `/?page=01` rendered the page for every request (page 1 of the
    home page ranks the whole front page). Only the page number is kept; the target is
    built by `url_for`, never from the request's path or Host, so it stays on this site."""
    endpoint = request.endpoint
    if (endpoint not in LISTINGS or request.method not in ("GET", "HEAD")
            or CACHEABLE_QUERY.fullmatch(request.query_string)):
        return None
    number = page_number()   # a 404 for a number no link holds, as the view would give
    values = dict(request.view_args or {})
    if number > 1:
        values["page"] = number
    return redirect(url_for(str(endpoint), **values), 301)


def paginate(fetch: Callable[..., list[Any]], *, skip: int = 0) -> Listing:
    """Fetch one more than a page to learn whether a next page exists (no COUNT(*))."""
    number = page_number()
    items = fetch(limit=PER_PAGE + 1, offset=skip + (number - 1) * PER_PAGE)
    if number > 1 and not items:
        abort(404)
    return Listing(items=items[:PER_PAGE], number=number, has_next=len(items) > PER_PAGE)


def section_tree() -> sections.SectionTree:
    if "section_tree" not in g:
        g.section_tree = sections.load_tree(db_session())
    tree: sections.SectionTree = g.section_tree
    return tree


def flush_views() -> None:
    """Carry buffered views into the database (throttled; see counting.py)."""
    try:
        counting.flush_views(redis_client(), database())
    except redis.RedisError as error:
        # The counts wait in Redis; while it is down every page view lands here, so say
        # so once a minute, in one line, not with a traceback per request.
        if REDIS_DOWN_WARNINGS.is_due(time.monotonic()):
            log.warning("Redis unavailable, view counts not flushed (warned once a "
                        "minute): %s", error)
    except Exception:   # counts wait for the next flush; the page must still render
        log.exception("could not flush view counts")


def count_view(article_id: int) -> None:
    with redis_outage_tolerated("view count"):
        counting.count_view(redis_client(), article_id, remote_addr=request.remote_addr or "",
                            user_agent=request.headers.get("User-Agent"), now=utcnow())


hit_handlers["count_view"] = count_view


@dataclass(frozen=True)
class Front:
    """What page 1 of the home page shows above its latest-news river."""

    lead: stories.StoryCard | None
    headlines: list[stories.StoryCard]
    most_read: list[Article]
    blocks: list[tuple[sections.Section, list[Article]]]
    shown: frozenset[int]                    # the stories of all the above
    known: dict[int, stories.StoryCard]      # cards read already, the river may reuse them


@bp.get("/")
@cached_page("site.home")
def home() -> str:
    """Page 1 is the whole front page; later pages continue only the latest-news river.

    The lead and top headlines are stories (ranked, diversified: models/stories.py), and
    so is the river: the most recently updated stories. No event appears twice: each
    part leaves out the stories an earlier part shows, in the order lead, top headlines,
    most read, section blocks, latest news. Every page of the river leaves out what page
    1 shows above it, so "Older" follows on without repeating or skipping a story; later
    pages read those stories from front_stories.py rather than work out page 1 again."""
    flush_views()
    session = db_session()
    if page_number() != 1:
        shown = front_stories(redis_client(), ttl_s=current_app.config["PAGE_CACHE_TTL_S"],
                              read_front=lambda: read_front(session).shown)
        river = paginate(lambda **window: stories.latest_cards(
            session, excluding=shown, **window))
        return render_template("site/home.html", latest=river, lead=None, headlines=[],
                               most_read=[], blocks=[])
    front = read_front(session)
    river = paginate(lambda **window: stories.latest_cards(
        session, excluding=front.shown, known=front.known, **window))
    return render_template("site/home.html", lead=front.lead, headlines=front.headlines,
                           latest=river, most_read=front.most_read, blocks=front.blocks)


def read_front(session: Session) -> Front:
    ranked = ranked_window(session, start=0, stop=HEADLINES + 1)   # web/ranking.py
    front = ranked.cards
    lead = next((card for card in front[:3] if card_picture(card) is not None),
                front[0] if front else None)
    headlines = [card for card in front if card is not lead][:HEADLINES]
    shown = {card.story.id for card in front}
    most_read = once_per_story(
        articles.most_read(session, since=utcnow() - MOST_READ_WINDOW,
                           limit=MOST_READ + len(shown)), shown, limit=MOST_READ)
    tree = section_tree()
    blocks = articles.latest_per_block(
        session, {root.id: tree.subtree_ids(root) for root in tree.roots},
        per_block=PER_SECTION_BLOCK + len(shown))    # some are on the page already
    section_blocks = []
    for root in tree.roots:
        items = once_per_story(blocks[root.id], shown, limit=PER_SECTION_BLOCK)
        if items:
            section_blocks.append((root, items))
    return Front(lead=lead, headlines=headlines, most_read=most_read, blocks=section_blocks,
                 shown=frozenset(shown), known={card.story.id: card for card in ranked.read})


def once_per_story(items: list[Article], shown: set[int], *,
                   limit: int | None = None) -> list[Article]:
    """Up to `limit` articles whose story is not on the page yet, one per story; the
    stories of those kept are added to `shown`."""
    kept: list[Article] = []
    for article in items:
        if limit is not None and len(kept) >= limit:
            break
        if article.story_id in shown:
            continue
        shown.add(article.story_id)
        kept.append(article)
    return kept


@bp.get("/section/<slug>")
@cached_page("site.section")
def section(slug: str) -> str:
    tree = section_tree()
    found = tree.by_slug(slug)
    if found is None:
        abort(404)
    ids = tree.subtree_ids(found)
    listing = paginate(lambda **window: stories.latest_cards(db_session(), section_ids=ids,
                                                             **window))
    return render_template("site/section.html", section=found, listing=listing,
                           trail=tree.trail(found), subsections=tree.children_of(found))


@bp.get("/story/<int:story_id>")
@cached_page("site.story")
def story(story_id: int) -> str | Response:
    """Full coverage: every outlet's version in time order, wire copies on one line."""
    if story_id > MAX_ROW_ID:
        abort(404)
    found = stories.coverage(db_session(), story_id)
    if found is None:
        abort(404)
    story_row, lines = found
    if story_row.merged_into_id is not None:
        return redirect(url_for("site.story", story_id=story_row.merged_into_id), 301)
    if not lines:
        abort(404)
    return render_template("site/story.html", story=story_row, lines=lines)


@bp.get("/tag/<slug>")
@cached_page("site.tag")
def tag(slug: str) -> str:
    found = tags.by_slug(db_session(), slug)
    if found is None:
        abort(404)
    listing = paginate(lambda **window: articles.tagged(db_session(), found.id, **window))
    return render_template("site/tag.html", tag=found, listing=listing)


@bp.get("/source/<int:source_id>")
@cached_page("site.source")
def source(source_id: int) -> str:
    found = db_session().get(Source, source_id)
    if found is None:
        abort(404)
    listing = paginate(lambda **window: articles.from_source(db_session(), found.id, **window))
    return render_template("site/source.html", source=found, listing=listing)


@bp.get("/video")
@cached_page("site.video")
def video() -> str:
    listing = paginate(lambda **window: articles.with_video(db_session(), **window))
    return render_template("site/video.html", listing=listing,
                           may_embed=current_choices(request)["media"])


@bp.get("/article/<int:article_id>", defaults={"slug": None})
@bp.get("/article/<int:article_id>-<slug>")
@cached_page("site.article")
def article(article_id: int, slug: str | None) -> str | Response | tuple[str, int]:
    session = db_session()
    found = articles.for_reading(session, article_id)
    if found is None:
        return _gone_or_404(article_id)
    if slug != found.slug:
        return redirect(url_for("site.article", article_id=found.id, slug=found.slug), 301)
    count_view(found.id)
    on_hit("count_view", article_id=found.id)
    flush_views()
    tree = section_tree()
    older, newer = articles.neighbours(session, found)
    return render_template(
        "site/article.html", article=found, trail=tree.trail(tree.by_id(found.section_id)),
        older=older, newer=newer, related=articles.related(session, found, limit=RELATED),
        also_covered=stories.also_covered(session, found),
        networks=NETWORK_LABELS, may_embed=current_choices(request)["media"],
        page_url=settings().base_url + permalinks.article_path(found),
        comments=community_comments.for_article(session, found.id))


def _gone_or_404(article_id: int) -> tuple[str, int]:
    """410 Gone for an article retention removed, still linking to the original."""
    if article_id > MAX_ROW_ID:
        abort(404)
    removed = removed_articles.find(db_session(), article_id)
    if removed is None:
        abort(404)
    return render_template("site/gone.html", removed=removed), 410


@bp.get("/article/<int:article_id>/share/<network>")
def share(article_id: int, network: str) -> Response:
    if network not in NETWORK_LABELS:
        abort(404)
    found = db_session().get(Article, article_id)
    if found is None:
        abort(404)
    permalink = settings().base_url + url_for(
        "site.article", article_id=found.id, slug=found.slug)
    target = share_url(network, url=permalink, title=found.title)
    # A redirect first: it writes at most one share per visitor, network and hour.
    is_new = False
    with redis_outage_tolerated("share count"):
        is_new = counting.is_first_this_hour(
            redis_client(), f"share:{network}", article_id, remote_addr=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent"), now=utcnow())
    if is_new:
        with session_scope(database()) as session:
            articles.add_share(session, article_id)
    assert target is not None   # every key of NETWORK_LABELS has a URL
    return redirect(target, 302)


@bp.get("/<any(about, advertise, privacy, terms):name>")
@cached_page("site.static_page")
def static_page(name: str) -> str:
    return render_template("site/page.html", name=name, title=pages.PAGE_TITLES[name],
                           body=pages.render_page(name, settings().instance_path))


def contact_recipient() -> str | None:
    return settings().contact_email or users.first_admin_email(db_session())


@bp.route("/contact", methods=["GET", "POST"])
@limit_posts(CONTACT_PER_IP, CONTACT_PER_ACCOUNT, key=sender_key, deduct_when=only_accepted)
def contact() -> str | Response:
    form = ContactForm()
    if form.validate_on_submit():
        accept_form()
        if _send_contact_mail(form):
            flash("Thank you. Your message has been sent.", "success")
            return redirect(url_for("site.contact"))
        flash("Sorry, your message could not be sent right now. Please try again later.",
              "error")
    return render_template("site/contact.html", form=form, title=pages.PAGE_TITLES["contact"],
                           body=pages.render_page("contact", settings().instance_path))


def _send_contact_mail(form: ContactForm) -> bool:
    recipient = contact_recipient()
    if recipient is None:
        log.warning("contact form used but no HOPPER_CONTACT_EMAIL and no admin to mail")
        return False
    data: dict[str, Any] = form.data
    subject = " ".join(data["subject"].split())   # a header: no line breaks, ever
    body = (f"From: {data['name']} <{data['email']}>\n"
            f"Subject: {subject}\n\n{data['message']}\n")
    try:
        send_mail(settings(), to=recipient, subject=f"Contact form: {subject}",
                  body=body, reply_to=data["email"])
    except (OSError, smtplib.SMTPException):
        log.exception("contact mail could not be sent")
        return False
    return True

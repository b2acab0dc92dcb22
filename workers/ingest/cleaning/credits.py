"""Credits: the outlet an aggregator's item came from, named in its byline and not twice
in its headline.

Google News (and Bing News, and planet-style aggregators) publish other outlets'
articles: each item names its publisher in RSS 2.0's `<source url="…">Outlet</source>`
and repeats it at the end of the headline ("Harbour bridge reopens - The Guardian").
A planet's Atom entries name the blog each was copied from in `<source><title>`.
The outlet is credited as the author (the article model's one byline; the page prints it
beside the source's name), and the headline loses the repeat, which would make two
outlets' reports of one event look less alike to story clustering. The link stays the
aggregator's redirect: following it is a fetch, and the clean step never fetches.
"""

from __future__ import annotations

# How aggregators join a headline and its outlet: Google News writes " - ".
_SEPARATORS = (" - ", " – ", " — ", " | ")


def without_outlet(title: str, outlet: str | None) -> str:
    """The headline without the outlet's name its end repeats (" - The Guardian"), any
    case; as it was when it does not end so, or when nothing else would be left."""
    if not outlet:
        return title
    for separator in _SEPARATORS:
        ending = f"{separator}{outlet}"
        kept = title[:-len(ending)]
        if title[-len(ending):].casefold() == ending.casefold() and kept.strip():
            return kept.rstrip()
    return title


def credited(author: str | None, outlet: str | None) -> str | None:
    """The byline crediting the outlet: the outlet alone when the item names no author,
    "Author (Outlet)" when it does, the author alone when that already names the outlet."""
    if not outlet:
        return author
    if not author:
        return outlet
    if outlet.casefold() in author.casefold():
        return author
    return f"{author} ({outlet})"


def is_the_feed_itself(outlet: str, feed_title: str) -> bool:
    """Whether the outlet an entry names is the feed that carries it, whatever the case
    or spacing: some CMSes write their own channel into every item's <source>, and a
    planet's own posts name the planet. The page names that source already; crediting
    it again would sign its own articles "Jane Doe (Tidewater)" under "Tidewater"."""
    return bool(feed_title) and outlet.casefold().split() == feed_title.casefold().split()

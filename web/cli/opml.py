"""OPML 2.0 subscription lists (http://opml.org/spec2.opml), read and written.

Reading: every outline with an `xmlUrl` is a feed; the folders (outlines without one)
around it are its section path, outermost first; a feed outside any folder may name its
section in the `category` attribute ("/News/World" or "News"). Reading never resolves
entities, loads a DTD or touches the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.etree import ElementTree

from lxml import etree


@dataclass(frozen=True)
class OutlineFeed:
    url: str
    title: str
    site_url: str | None
    section_path: tuple[str, ...]      # e.g. ("News", "World"); () for none


@dataclass(frozen=True)
class ExportedSource:
    url: str
    name: str
    site_url: str | None
    section_path: tuple[str, ...]


class OPMLError(ValueError):
    pass


def read_opml(content: bytes) -> list[OutlineFeed]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        raise OPMLError(f"not an OPML document: {error}") from error
    if etree.QName(root).localname != "opml":
        raise OPMLError("not an OPML document: the root element is not <opml>")
    body = next((child for child in root if etree.QName(child).localname == "body"), None)
    if body is None:
        raise OPMLError("the OPML document has no <body>")
    return list(_feeds(body, ()))


def _feeds(parent: etree._Element, path: tuple[str, ...]) -> Iterable[OutlineFeed]:
    for outline in parent:
        if not isinstance(outline.tag, str) or etree.QName(outline).localname != "outline":
            continue
        title = (outline.get("title") or outline.get("text") or "").strip()
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            yield OutlineFeed(url=url, title=title,
                              site_url=(outline.get("htmlUrl") or "").strip() or None,
                              section_path=path or _category_path(outline.get("category")))
        else:
            yield from _feeds(outline, (*path, title) if title else path)


def _category_path(category: str | None) -> tuple[str, ...]:
    first = (category or "").split(",")[0]
    return tuple(part.strip() for part in first.split("/") if part.strip())


def write_opml(sources: Sequence[ExportedSource], *, title: str, now: datetime) -> str:
    """The sources as OPML, folders nested by section path; reading it back gives the
    same feeds, names and sections."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=True)
    body = ElementTree.SubElement(root, "body")
    folders: dict[tuple[str, ...], ElementTree.Element] = {(): body}
    for source in sorted(sources, key=lambda s: (s.section_path, s.name.lower(), s.url)):
        parent = _folder(folders, source.section_path)
        attributes = {"type": "rss", "text": source.name or source.url,
                      "title": source.name or source.url, "xmlUrl": source.url}
        if source.site_url:
            attributes["htmlUrl"] = source.site_url
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + \
        ElementTree.tostring(root, encoding="unicode") + "\n"


def _folder(folders: dict[tuple[str, ...], ElementTree.Element],
            path: tuple[str, ...]) -> ElementTree.Element:
    if path not in folders:
        parent = _folder(folders, path[:-1])
        folders[path] = ElementTree.SubElement(parent, "outline",
                                               {"text": path[-1], "title": path[-1]})
    return folders[path]

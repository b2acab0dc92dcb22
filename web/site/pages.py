"""Static pages (About, Advertise, Privacy, Terms, Contact) written in Markdown.

An operator edits `<instance>/pages/<name>.md`; without it the default shipped in
`web/site/pages/<name>.md` is shown. Raw HTML in the Markdown is not rendered, so an
edited page cannot inject markup or scripts.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

PAGE_TITLES = {
    "about": "About",
    "advertise": "Advertise",
    "privacy": "Privacy Policy",
    "terms": "Terms",
    "contact": "Contact",
}
DEFAULTS_FOLDER = Path(__file__).resolve().parent / "pages"

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})


def page_source(name: str, instance_path: Path) -> str:
    for folder in (instance_path / "pages", DEFAULTS_FOLDER):
        path = folder / f"{name}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return f"# {PAGE_TITLES.get(name, name.title())}\n"


def render_page(name: str, instance_path: Path) -> Markup:
    return Markup(_markdown.render(page_source(name, instance_path)))  # noqa: S704 - html off

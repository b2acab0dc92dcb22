"""What templates can call beyond Flask's own: every global, filter and context processor,
registered in one place. Each helper lives with its area; this module only names them.

`init_app` runs last in `create_app`: the media filters are bound to the links the media
area built from the settings.
"""

from __future__ import annotations

from flask import Flask

from hopper.text import shorten
from web.community.comments import author_label, is_editable_now
from web.community.forms import CommentForm
from web.community.links import sign_in_url
from web.community.playlists import my_playlists
from web.consent.choices import is_banner_shown
from web.media.links import MediaLinks, card_picture, has_live_image
from web.site import article_path, page_furniture
from web.site.assets import static_url
from web.site.embeds import hold_back_iframes, render_embed
from web.site.reading import (
    coverage_headline,
    domain_of,
    minutes_to_read,
    publisher_domain,
    standfirst,
)
from web.site.wide_blocks import box_wide_blocks


def init_app(app: Flask) -> None:
    # Links: static files (fingerprinted), articles, publishers' images (media proxy).
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["article_path"] = article_path
    links: MediaLinks = app.extensions["hopper_media_links"]
    app.jinja_env.filters["media_url"] = links.url
    app.jinja_env.filters["media_srcset"] = links.srcset_widths
    app.jinja_env.globals["has_live_image"] = has_live_image
    app.jinja_env.globals["card_picture"] = card_picture
    app.jinja_env.filters["absolute_media_url"] = links.absolute_url
    app.jinja_env.filters["proxied_images"] = links.rewrite_body
    app.jinja_env.globals["may_play"] = links.may_play      # a video file the CSP lets play
    # Tables and code blocks scroll sideways in their own box.
    app.jinja_env.filters["boxed_wide_blocks"] = box_wide_blocks
    # What the reader's pages say about an article: publisher, standfirst, reading time,
    # and text shortened at a word boundary (hopper.text.shorten).
    # Titles and summaries are stored as text: shortened as they are, no markup stripped.
    app.jinja_env.filters["shorten_plain"] = shorten
    app.jinja_env.filters["domain"] = domain_of
    app.jinja_env.globals.update(publisher_domain=publisher_domain, standfirst=standfirst,
                                 minutes_to_read=minutes_to_read)
    # A headline in a list that names its outlet beside it, without that name again.
    app.jinja_env.globals["coverage_headline"] = coverage_headline
    # Video embeds, held back until consent.
    app.jinja_env.globals["render_embed"] = render_embed
    app.jinja_env.globals["hold_back_iframes"] = hold_back_iframes
    # The layout: navigation, dates, footer links; the consent banner.
    app.context_processor(page_furniture)
    app.jinja_env.globals["is_consent_banner_shown"] = is_banner_shown
    # Community: save buttons, comment forms.
    app.jinja_env.globals["sign_in_url"] = sign_in_url
    app.jinja_env.globals["my_playlists"] = my_playlists
    app.jinja_env.globals["comment_is_editable"] = is_editable_now
    app.jinja_env.globals["comment_author"] = author_label
    app.jinja_env.globals["new_comment_form"] = CommentForm

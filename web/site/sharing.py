"""Share links: plain first-party links, counted by `/article/<id>/share/<network>` and
redirected to the network's own share page. No third-party script is ever loaded."""

from __future__ import annotations

from urllib.parse import quote, urlencode

NETWORK_LABELS = {
    "facebook": "Facebook",
    "x": "X",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "email": "E-mail",
}


def share_url(network: str, *, url: str, title: str) -> str | None:
    """The network's share URL for a page, or None for a network we do not know."""
    if network == "facebook":
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
    if network == "x":
        return "https://x.com/intent/post?" + urlencode({"url": url, "text": title})
    if network == "telegram":
        return "https://t.me/share/url?" + urlencode({"url": url, "text": title})
    if network == "whatsapp":
        return "https://wa.me/?" + urlencode({"text": f"{title} {url}"})
    if network == "email":
        return f"mailto:?subject={quote(title)}&body={quote(url)}"
    return None

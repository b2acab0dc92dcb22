"""Time-zone abbreviations feeds write after a time ("09:00:00 CET"), and what each means.

RFC 822 names only GMT/UT and the US zones; feeds from everywhere else write their own
abbreviation anyway, and feedparser reads any name it does not know as UTC: a JST item
landed nine hours in the future. A name here is read as its offset; any other name
means we do not know the time (normalise.parse_date answers None: the poll time), never
a silent UTC.

Abbreviations are not unique. Where one is shared, the reading is the one feeds mean
most often, and the others are left to feeds that write a numeric offset:
- CST, AST: the US Central and Atlantic zones, as RFC 822 and feedparser read them (not
  China's or Arabia's);
- IST: India (+05:30), where news sites stamp "IST"; not Irish Summer Time (+01:00) nor
  Israel (+02:00);
- BST: British Summer Time (+01:00), not Bangladesh.
Single military letters but Z are unknown: RFC 5322 §4.3 says to read them as -0000,
an unknown local time, because early software wrote them with the wrong sign.
"""

from __future__ import annotations

# Minutes east of UTC.
ZONE_OFFSETS: dict[str, int] = {
    # North America (RFC 822 §5.1 and feedparser's generic ET/CT/MT/PT/AT)
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AST": -240, "ADT": -180, "ET": -300, "CT": -360, "MT": -420,
    "PT": -480, "AT": -240, "AKST": -540, "AKDT": -480, "HST": -600, "NST": -210,
    "NDT": -150,
    # South America
    "BRT": -180, "ART": -180,
    # Europe
    "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "MET": 60, "MEST": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "TRT": 180,
    # Africa
    "WAT": 60, "CAT": 120, "SAST": 120, "EAT": 180,
    # Asia
    "PKT": 300, "IST": 330, "NPT": 345, "ICT": 420, "WIB": 420, "SGT": 480, "HKT": 480,
    "PHT": 480, "MYT": 480, "AWST": 480, "KST": 540, "JST": 540,
    # Oceania
    "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}
# Read already by both date roads as UTC.
UTC_NAMES = frozenset({"GMT", "UT", "UTC", "Z"})


def numeric_offset(name: str) -> str | None:
    """"+0100" for "CET"; None for a name this module does not know."""
    minutes = ZONE_OFFSETS.get(name.upper())
    if minutes is None:
        return None
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{rest:02d}"

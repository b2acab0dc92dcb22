"""Story: which event an article reports. Pure: text in, decisions out (no database).

    title + summary → Features (term vector, entities, decimals, near-duplicate keys)
    Features + candidate stories → join one story, or start a new one

Two stages. Near-duplicates (syndicated wire copies: the same normalised title, or the
same MinHash band of the text's word 3-grams and most of the lead headline's words) join
the story that holds their twin. Otherwise an article joins the candidate whose centroid
AND lead headline are both close enough (cosine over weighted terms), or, when none is,
a candidate whose lead its headline echoes (two words in common besides names, numbers
and dates), and only if the guards agree: when both sides name entities (capitalised
names, acronyms, numbers) they share at least one, and when both give decimal figures (a
magnitude, a rate) they share one. Comparing with the centroid and the lead, never with
a single member, means no chain of weak links can join two events (docs/stories.md).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter, mul
from typing import Any, TypeVar

from hopper.text import without_outlet

# Tuned on the tuning half of tests/data/stories (bench/stories.py prints both halves).
CENTROID_MIN = 0.30
LEAD_MIN = 0.15
# A headline sharing this many words (names and numbers aside) with a story's lead joins
# it though the cosines fall short (`echoes_lead`; thirteenth pass in docs/stories.md).
ECHO_WORDS = 2
LEAD_SWITCH_MARGIN = 0.10      # hysteresis: a new lead must be clearly more central
PREFERRED_BONUS = 0.15
CENTROID_TERMS = 40            # a story's centroid keeps its strongest terms
INDEX_TERMS = 10               # … and is indexed under the strongest of those
QUERY_TERMS = 8                # an article looks up its strongest terms
SUMMARY_WEIGHT = 0.5
ENTITY_WEIGHT = 2.5
SUMMARY_CHARS = 400

# A story takes at most this many articles; the next one that would join starts another
# (and the merge never makes a larger one). Real coverage of one event stays far below;
# a feed repeating one headline ("Traffic update", or a hostile one) would otherwise grow
# one story without end, and its page and API read every member.
MAX_STORY_ARTICLES = 1000

SKETCH_KEYS = 2
TWIN_TITLE_SHARE = 0.6         # a near-duplicate's headline shares this much of the lead's

_WORD = re.compile(r"[^\W\d_][\w'’\-]*|\d+(?:[.,]\d+)*%?", re.UNICODE)
_DECIMAL = re.compile(r"^\d+[.,]\d+%?$|^\d+%$")
_STOPWORD_TEXT = """
a about above after again against all
also am an and any are at be because been before being below between both but by can
could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my
myself no nor not now of off on once only or other our ours out over own same she should
so some such than that the their theirs them then there these they this those through to
too under until up very was we were what when where which while who whom why will with
would you your yours new says say said report reports reported news latest update
updates live video watch photos photo breaking today yesterday tomorrow week year years
day days may might must shall us vs via amid first last one two three four five six
seven eight nine ten get gets got make makes made take takes s t don re ve ll d m o y
whats here's it's several many less much
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_KNOWN_NON_NAMES = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday",
                              "saturday", "sunday", "january", "february", "march", "april",
                              "june", "july", "august", "september", "october", "november",
                              "december"})


@dataclass(frozen=True, slots=True)
class Features:
    terms: dict[str, float]
    entities: frozenset[str]                # every name-like token (numbers included)
    decimals: frozenset[str]
    keys: tuple[str, ...]                   # near-duplicate keys (title hash, bands)
    query: tuple[str, ...]                  # strongest terms, to look up candidates
    # Names we are sure of: capitalised inside sentence-case text, acronyms, numbers (a
    # headline's first word and Title Case headlines are only `entities`).
    names: frozenset[str] = frozenset()
    title_words: frozenset[str] = frozenset()   # the title's content stems
    # A label before a colon ("Morning Briefing: …"), normalised, and the headline after
    # it: items of one series are compared without it (`same_series_apart`).
    kicker: str = ""
    headline: str = ""


@dataclass
class StoryShape:
    """A story as assignment sees it: summed member vectors, entity counts, its lead."""

    id: int
    count: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    entity_counts: dict[str, int] = field(default_factory=dict)
    name_counts: dict[str, int] = field(default_factory=dict)
    lead_id: Any = None                     # an article id, or a batch-local key
    lead_terms: dict[str, float] = field(default_factory=dict)
    lead_entities: frozenset[str] = frozenset()
    lead_decimals: frozenset[str] = frozenset()
    lead_names: frozenset[str] = frozenset()
    lead_title: str = ""
    # The story's section: its lead's, or, while the lead has none, the first that one of
    # its members has (an unsectioned outlet leading a technology story must not take it
    # off the Technology page).
    section_id: int | None = None
    lead_preferred: bool = False
    # Derived values (norms, the story's names), worked out once per change of shape
    # (the lead's norm once per lead: add_member keeps it while the lead stays).
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def changed(self) -> None:
        self.cache.clear()

    def sums_norm(self) -> float:
        found = self.cache.get("sums_norm")
        if found is None:
            found = self.cache["sums_norm"] = _norm(self.sums)
        return float(found)

    def centroid_cosine(self, unit: Mapping[str, float]) -> float:
        """Cosine of a unit vector with the centroid (the story's norm is cached)."""
        norm = self.sums_norm()
        return _dot(unit, self.sums) / norm if norm else 0.0

    def lead_cosine(self, unit: Mapping[str, float]) -> float:
        """Cosine of a unit vector with the lead headline's vector."""
        norm = self.lead_norm()
        return _dot(unit, self.lead_terms) / norm if norm else 0.0

    def lead_norm(self) -> float:
        found = self.cache.get("lead_norm")
        if found is None:
            found = self.cache["lead_norm"] = _norm(self.lead_terms)
        return float(found)

    # --- persistence as two JSON documents (models/stories.py stores them) ---
    def centroid_document(self) -> dict[str, Any]:
        sums = self.sums
        return {"n": self.count,
                "terms": {term: round(sums[term], 4)
                          for term in _strongest(sums, CENTROID_TERMS)},
                "entities": _heaviest(self.entity_counts, 20),
                "names": _heaviest(self.name_counts, 20)}

    def lead_document(self) -> dict[str, Any]:
        return {"terms": {term: round(weight, 4) for term, weight in self.lead_terms.items()},
                "entities": sorted(self.lead_entities), "decimals": sorted(self.lead_decimals),
                "names": sorted(self.lead_names), "preferred": self.lead_preferred}

    @classmethod
    def from_documents(cls, story_id: int, centroid: Mapping[str, Any],
                       lead: Mapping[str, Any], *, lead_id: int | None, title: str,
                       section_id: int | None) -> StoryShape:
        return cls(id=story_id, count=int(centroid.get("n", 1) or 1),
                   sums=dict(centroid.get("terms", {})),
                   entity_counts=dict(centroid.get("entities", {})),
                   name_counts=dict(centroid.get("names", {})), lead_id=lead_id,
                   lead_terms=dict(lead.get("terms", {})),
                   lead_entities=frozenset(lead.get("entities", ())),
                   lead_decimals=frozenset(lead.get("decimals", ())),
                   lead_names=frozenset(lead.get("names", ())), lead_title=title,
                   section_id=section_id, lead_preferred=bool(lead.get("preferred")))

    def index_terms(self) -> list[str]:
        found: list[str] | None = self.cache.get("index_terms")
        if found is None:
            found = self.cache["index_terms"] = _strongest(self.sums, INDEX_TERMS)
        return found

    def story_entities(self) -> frozenset[str]:
        """The lead's entities and those most members name (never one member's alone:
        a bridging article must not widen what the story is about)."""
        found: frozenset[str] | None = self.cache.get("entities")
        if found is None:
            found = self.cache["entities"] = self.lead_entities | _majority(self.entity_counts,
                                                                            self.count)
        return found

    def story_names(self) -> frozenset[str]:
        found: frozenset[str] | None = self.cache.get("names")
        if found is None:
            found = self.cache["names"] = self.lead_names | _majority(self.name_counts,
                                                                      self.count)
        return found


def _majority(counts: Mapping[str, int], members: int) -> set[str]:
    return {name for name, seen in counts.items() if seen >= 2 and seen * 2 > members}


# --- features ---------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'-")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# What a spelling is, worked out once per distinct spelling (news repeats its words).
_COUNTED = 1     # not a stop word and alphabetic: counts when telling Title Case
_CAPITAL = 2     # starts with a capital
_NAME = 4        # may name something: a capitalised word, a number or an acronym
_SURE = 8        # a number or an acronym: a name whatever the case of the text
_TERM = 16       # a term of the vector: two characters or more, not a stop word
_CASELESS = 32   # a letter of a script without capitals (Arabic, Hebrew, CJK, Thai…)
_DECIMAL_FIGURE = 64   # a figure with decimals or a percentage ("7.1", "4.5%", "30%")
_DATE_FIGURE = 128     # a year, or a number that is a day beside a month's name (_is_date)


@lru_cache(maxsize=65536)
def _word(raw: str) -> Word:
    """A spelling as features() reads it (`Word`)."""
    stem = _stem(raw.lower())
    kind = _CAPITAL if raw[:1].isupper() else 0
    if stem[:1].isdigit():      # (both patterns start with a digit)
        if _DECIMAL.match(stem):
            kind |= _DECIMAL_FIGURE
        if _YEAR.match(stem) or (len(stem) <= 2 and stem.isdigit()):
            kind |= _DATE_FIGURE
    if raw[:1].isalpha() and raw[:1].lower() == raw[:1].upper():
        kind |= _CASELESS
    if stem not in STOPWORDS:
        if raw[:1].isalpha():
            kind |= _COUNTED
        if len(stem) >= 2:
            kind |= _TERM
        if stem and stem not in _KNOWN_NON_NAMES:
            if raw[:1].isdigit() or (len(raw) >= 2 and raw.isupper()):
                kind |= _NAME | _SURE
            elif kind & _CAPITAL:
                kind |= _NAME
    encoded = stem.encode()
    counted = kind & _COUNTED
    name = 0 if not kind & _NAME else _MAY_NAME if not kind & _SURE \
        else _SURE_DATE if kind & _DATE_FIGURE else _SURE_NAME
    return (stem, kind, zlib.crc32(encoded), b" " + encoded, counted,
            1 if counted and kind & _CAPITAL else 0, bool(kind & _TERM), name)


# A word as features() reads it: its stem, its kind, the stem's CRC-32 parts (the CRC
# alone, and the bytes after a space, to continue a 3-gram's CRC with), and what _read
# asks of its kind, told once per spelling: 1 if it counts when telling Title Case (else
# 0), 1 if it also is capitalised, whether it is a term, and what name it may be (0: none,
# or one of the three below).
Word = tuple[str, int, int, bytes, int, int, bool, int]
_MAY_NAME = 1      # a capitalised word: a name unless its text capitalises every word
_SURE_NAME = 2     # a number or an acronym
_SURE_DATE = 3     # … that may be a date (a year, or a day beside a month: _is_date)


def _chunk(chunk: str) -> tuple[Word, ...]:
    """The words of one whitespace-separated chunk ("rate-hike," "U.S.")."""
    raws = _WORD.findall(chunk) if chunk.isascii() or _CJK.search(chunk) is None \
        else _cjk_raws(chunk)
    return tuple(map(_word, raws))


class _Chunks(dict[str, tuple[Word, ...]]):
    """Each chunk's words (`_chunk`), worked out once per process: looked up by dict's
    own __getitem__ (in C, no call of Python's per chunk), emptied when full."""

    def __missing__(self, chunk: str) -> tuple[Word, ...]:
        if len(self) >= CHUNKS_KEPT:
            self.clear()
        found = self[chunk] = _chunk(chunk)
        return found


CHUNKS_KEPT = 65536
_CHUNKS = _Chunks()


# Han, Hiragana and Katakana: Chinese and Japanese are written without spaces, so a
# headline would be one or two "words" and two wordings of it would share none. A run of
# these characters is read as its overlapping character pairs ("扩大内需" → 扩大 大内
# 内需), the usual unit for matching such text without a dictionary.
_CJK_CHARS = ("\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
              "\uff66-\uff9f\U00020000-\U0002fa1f")
_CJK = re.compile(f"[{_CJK_CHARS}]")
_CJK_RUNS = re.compile(f"([{_CJK_CHARS}]+)")


def _cjk_raws(chunk: str) -> list[str]:
    """The words of a chunk holding Chinese or Japanese: each run of those characters as
    its character pairs (a lone character as itself), the rest as usual ("iPhone", "0.5")."""
    raws: list[str] = []
    for number, part in enumerate(_CJK_RUNS.split(chunk)):
        if number % 2 == 0:
            raws += _WORD.findall(part)
        elif len(part) == 1:
            raws.append(part)
        else:
            raws += [part[start:start + 2] for start in range(len(part) - 1)]
    return raws


def _words(text: str) -> list[Word]:
    """The text's words. No word spans whitespace, so the text is split on it and each
    chunk is analysed once (`_CHUNKS` keeps up to 65,536; news repeats its words, and
    the regular expression is the slow part)."""
    return list(itertools.chain.from_iterable(map(_CHUNKS.__getitem__, text.split())))


def _read(words: Sequence[Word], weight: float, weights: dict[str, float], *,
          first_is_sure: bool) -> tuple[set[str], set[str]]:
    """One pass over a text's words: adds `weight` per occurrence of each term to
    `weights`; returns (entities, names): its name-like words, and those we are sure
    of (acronyms and numbers always; capitalised words unless the text is in Title Case,
    or is the headline's first word)."""
    found: set[str] = set()
    sure: set[str] = set()
    maybe: set[str] = set()
    counted = capitalised = 0
    get = weights.get
    for position, (stem, _, _, _, counts, capital, is_term, name) in enumerate(words):
        counted += counts
        capitalised += capital
        if is_term:
            weights[stem] = get(stem, 0.0) + weight
        if name and not (name == _SURE_DATE and _is_date(words, position)):
            found.add(stem)
            if name != _MAY_NAME:
                sure.add(stem)
            elif position > 0 or first_is_sure:
                maybe.add(stem)
    is_title_case = counted >= 3 and capitalised >= 0.8 * counted
    return found, (sure if is_title_case else sure | maybe)


# A day or a year names no event: "TV Talk Shows: Wednesday, March 12" and "Lean In
# Louisville kickoff event, March 12" share only the date, as "Unicredit posts loss for
# 2013" and "Transit ridership grew in 2013" share only the year.
_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july",
                     "august", "september", "october", "november", "december", "jan", "feb",
                     "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _is_date(words: Sequence[Word], position: int) -> bool:
    """Whether the number at `position` is a year, or a day beside a month's name."""
    stem = words[position][0]
    if _YEAR.match(stem):
        return True
    if len(stem) > 2 or not stem.isdigit():
        return False
    return (position > 0 and words[position - 1][0] in _MONTHS) or \
        (position + 1 < len(words) and words[position + 1][0] in _MONTHS)


def normalise_title(title: str) -> str:
    return " ".join(word[0] for word in _words(title))


def near_duplicate_keys(title_words: Sequence[Word], summary_words: Sequence[Word]
                        ) -> tuple[str, ...]:
    """The title's hash (titles of at least four words) and bottom-k sketch keys over word
    3-grams of title and summary (one CRC per 3-gram; each key is a pair of the smallest
    hashes, which two texts share with a probability that falls fast with their
    Jaccard similarity): copies of one wire text share at least one key."""
    keys = []
    if len(title_words) >= 4:
        joined = " ".join(word[0] for word in title_words)
        keys.append("h:" + hashlib.sha1(joined.encode()).hexdigest()[:20])  # noqa: S324
    words = [*title_words, *summary_words]
    # The CRC of "a b c", continued word by word (the same value as the CRC of the
    # joined 3-gram, without building it).
    crc = zlib.crc32
    hashes = {crc(c[3], crc(b[3], a[2]))
              for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    if len(hashes) >= 8:
        smallest = sorted(hashes)[:2 * SKETCH_KEYS]
        for band in range(SKETCH_KEYS):
            keys.append(f"b{band}:{smallest[2 * band]:08x}{smallest[2 * band + 1]:08x}")
    return tuple(keys)


def features(title: str, summary: str = "", outlet: str = "") -> Features:
    """What assignment compares of an article; `outlet` is its source's name, left out
    where the headline credits it (hopper.text `without_outlet`)."""
    title_words = _words(without_outlet(title, outlet) if outlet else title)
    summary_words = _words(summary[:SUMMARY_CHARS])
    # Term weights: a title word counts 1, a summary word SUMMARY_WEIGHT.
    weights: dict[str, float] = {}
    title_entities, title_names = _read(title_words, 1.0, weights, first_is_sure=False)
    title_terms = frozenset(weights)
    summary_entities, summary_names = _read(summary_words, SUMMARY_WEIGHT, weights,
                                            first_is_sure=True)
    title_kinds = 0             # the union of the title's words' kinds
    for word in title_words:
        title_kinds |= word[1]
    entities = title_entities | summary_entities
    log = math.log       # (the weighted values go straight in: no dict between)
    terms = _unit_of(weights, [(1.0 + log(weight)) * (ENTITY_WEIGHT if stem in entities
                                                      else 1.0)
                               for stem, weight in weights.items()])
    decimals = frozenset(word[0] for word in title_words if word[1] & _DECIMAL_FIGURE) \
        if title_kinds & _DECIMAL_FIGURE else frozenset()
    query = tuple(_strongest(terms, QUERY_TERMS))
    # What the guards compare: the headline's names, and the summary's only where they
    # confirm the headline (a summary may be a feed's boilerplate, the same for every
    # item); a headline that names nothing leaves the summary's. Except a headline in a
    # script without capitals: it names nothing only because names cannot be told there,
    # and its summary's capitalised words are Latin ones (often the outlet's own name),
    # which would keep two outlets' copies of one headline apart.
    caseless = title_kinds & _CASELESS
    if title_entities:
        guard_entities = title_entities
        guard_names = title_names | (summary_names & title_entities)
    elif caseless:
        guard_entities, guard_names = set(), title_names
    else:
        guard_entities, guard_names = entities, title_names | summary_names
    kicker, headline = split_kicker(title)
    return Features(terms=terms, entities=frozenset(guard_entities & terms.keys()),
                    decimals=decimals, keys=near_duplicate_keys(title_words, summary_words),
                    query=query, names=frozenset(guard_names & terms.keys()),
                    title_words=title_terms, kicker=kicker, headline=headline)


def repeated_summaries(summaries: Iterable[str]) -> frozenset[str]:
    """The summaries more than one item of a feed carries word for word: an outlet's
    boilerplate ("Read the full story on our website…"), not what the items report.
    Assignment reads such items by their headline alone: the boilerplate's words made the
    cosine of unrelated headlines of a feed, or of outlets sharing it."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for summary in summaries:
        text = summary.strip()
        if text:
            (repeated if text in seen else seen).add(text)
    return frozenset(repeated)


# A headline's label before a colon ("Morning Briefing: …", "Live: …", "The Science Hour,
# Episode 41: …"): at most six words, followed by a headline of its own (not "10:30").
_KICKER = re.compile(r"^\s*([^:]{1,80}?):\s+(\S.*)$", re.DOTALL)
KICKER_WORDS = 6


@lru_cache(maxsize=4096)
def split_kicker(title: str) -> tuple[str, str]:
    """(normalised label, headline) when the title starts with a short label and a
    colon, else ("", title). The label's numbers are left out: "Episode 41" and
    "Episode 42" are one series."""
    found = _KICKER.match(title) if ": " in title else None
    if found is None or len(found.group(1).split()) > KICKER_WORDS \
            or len(found.group(2).split()) < 3:
        return "", title
    label = " ".join(word for word in normalise_title(found.group(1)).split()
                     if not word[:1].isdigit())
    return (label, found.group(2)) if label else ("", title)


@lru_cache(maxsize=4096)
def _headline_features(headline: str) -> Features:
    return features(headline)


def same_series_apart(article: Features, story: StoryShape) -> bool:
    """Whether the article and the story's lead are two items of one series: the same
    label before a colon ("Morning Briefing: Storm Ciara…", "Morning Briefing: Tesla
    recalls…") and headlines that, without it, do not report one event (their names
    disagree, or they share too little). The label's words would otherwise make every
    item of an outlet's series one story."""
    return _labelled_apart(article.kicker, article.headline, story.lead_title)


def series_apart(title: str, other: str) -> bool:
    """`same_series_apart` for two headlines (the maintenance merge compares leads)."""
    return _labelled_apart(*split_kicker(title), other)


def _labelled_apart(kicker: str, headline: str, other_title: str) -> bool:
    if not kicker:
        return False
    other_kicker, other_headline = split_kicker(other_title)
    return kicker == other_kicker and _headlines_apart(headline, other_headline)


def _headlines_apart(headline: str, other: str) -> bool:
    mine, theirs = _headline_features(headline), _headline_features(other)
    if mine.names and theirs.names:
        if not mine.names & theirs.names:
            return True
    elif mine.entities and theirs.entities and not mine.entities & theirs.entities:
        return True
    return cosine(mine.terms, theirs.terms) < LEAD_MIN


def content_stems(text: str) -> list[str]:
    """A text's content stems in order, repeats kept: the words a term vector counts
    (two characters or more, not a stop word)."""
    return [word[0] for word in _words(text) if word[1] & _TERM]


@lru_cache(maxsize=4096)
def title_words(title: str) -> frozenset[str]:
    """A headline's content stems (its terms)."""
    return frozenset(content_stems(title))


def same_headline(article: Features, story: StoryShape) -> bool:
    """Whether the article's title says what the story's lead headline says (most of
    their content words shared): a copy's text matches, and so does its headline. Two
    items of one feed whose summaries are the same boilerplate do not."""
    theirs = title_words(story.lead_title)
    if not article.title_words or not theirs:
        return True
    shared = len(article.title_words & theirs)
    return shared >= TWIN_TITLE_SHARE * min(len(article.title_words), len(theirs))


def with_rarity(article: Features, story_counts: Mapping[str, int], *,
                cap: int) -> dict[str, float]:
    """The article's unit vector with each term weighted by how few open stories carry it
    (`story_counts`, counted up to `cap` from the index): an inverse document frequency
    over the open window, so "Titanfall" outweighs "release"."""
    rarity = _rarity_table(cap)
    unknown = rarity[cap // 4]       # terms not looked up (the article's weakest): middling
    weighted = {term: weight * (rarity[min(story_counts[term], cap)] if term in story_counts
                                else unknown)
                for term, weight in article.terms.items()}
    return _unit(weighted)


@lru_cache(maxsize=4)
def _rarity_table(cap: int) -> tuple[float, ...]:
    """The rarity weight of a term carried by 0 … `cap` open stories."""
    return tuple(math.log((cap + 1) / (count + 1) + 1.0) for count in range(cap + 1))


def _strongest(vector: Mapping[str, float], count: int) -> list[str]:
    """The `count` heaviest terms, heaviest first (ties in the vector's order: the same
    as heapq.nlargest, which is slower on vectors this small)."""
    return sorted(vector, key=vector.__getitem__, reverse=True)[:count]


Weight = TypeVar("Weight", int, float)


def _heaviest(vector: Mapping[str, Weight], count: int) -> dict[str, Weight]:
    """The `count` heaviest entries, heaviest first (ties in the vector's order, as
    `_strongest`)."""
    return {term: vector[term] for term in _strongest(vector, count)}


def _norm(vector: Mapping[str, float]) -> float:
    # The products are summed in the same order as a generator would (same result), in C.
    return math.sqrt(sum(map(mul, vector.values(), vector.values())))


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    return _unit_of(vector, list(vector.values()))


def _unit_of(terms: Iterable[str], weights: list[float]) -> dict[str, float]:
    """The unit vector of `terms` weighing `weights` (one each, in order)."""
    norm = math.sqrt(sum(map(mul, weights, weights)))     # as _norm sums them
    return {term: weight / norm for term, weight in zip(terms, weights, strict=True)} \
        if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    dot = _dot(a, b)
    if not dot:
        return 0.0
    norm_a, norm_b = _norm(a), _norm(b)
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


# --- decisions --------------------------------------------------------------------------

def guards_agree(article: Features, story: StoryShape) -> bool:
    """Different events that share words stay apart: the names both sides are sure of
    must overlap (else any name-like tokens must), and decimal figures (a quake's
    magnitude, a rate) must not disagree."""
    # (isdisjoint: no set is built; this runs for every candidate of every article.)
    names = story.story_names()
    if article.names and names:
        if article.names.isdisjoint(names):
            return False
    else:
        # Name-like tokens, none sure: a headline's capitalised first word ("Council
        # approves…") is one only by its place, so a side that writes the other's token
        # in lower case ("City council approves…") still agrees.
        entities = story.story_entities()
        if article.entities and entities and article.entities.isdisjoint(entities) \
                and article.entities.isdisjoint(story.lead_terms) \
                and entities.isdisjoint(article.terms):
            return False
    return not (article.decimals and story.lead_decimals
                and article.decimals.isdisjoint(story.lead_decimals))


def shares_more_than_names(article: Features, story: StoryShape) -> bool:
    """Whether the article's headline and summary share a word other than a name with
    the story's lead headline (or name nothing else). One name in common is how two
    events of one person, bank or country look ("Bank of England holds rates" and "Bank
    of England probes FX traders"; a singer's wardrobe slip and a fan's arrest): names
    weigh 2.5 times in the vectors, so they alone would pass the cosines."""
    return _shares_a_word_besides_names(article, story.lead_terms)


def _shares_a_word_besides_names(article: Features, terms: Mapping[str, float]) -> bool:
    words = article.terms.keys() - article.entities - article.names
    return not words or not words.isdisjoint(terms)


def headline_meets_lead(article: Features, story: StoryShape) -> bool:
    """Whether the article's headline shares a word other than a number or a date with the
    story's lead (its headline or summary), or has no such words. A summary can be an
    outlet's boilerplate, the same for every item ("The post appeared first on…"), and
    in a script without capitals the guards have no names to compare: without this, a
    Hebrew headline with an English boilerplate summary joined an English story with the
    same summary on those words alone."""
    return _headline_meets(article.title_words, story.lead_terms)


def _headline_meets(headline: frozenset[str], lead_terms: Mapping[str, float]) -> bool:
    words = _words_besides_dates(headline)
    return not words or not lead_terms.keys().isdisjoint(words)


@lru_cache(maxsize=4096)
def _words_besides_dates(headline: frozenset[str]) -> tuple[str, ...]:
    """A headline's words but numbers and dates, worked out once per headline (an article
    is compared with many stories). A number or a date is no word in common: "40
    degrees" and "40 home runs" share only it (a headline that is only a date, "March
    11, 2014, 2:02 am", has no such words)."""
    return tuple(word for word in headline
                 if not word[:1].isdigit() and word not in _KNOWN_NON_NAMES)


def echoes_lead(article: Features, story: StoryShape) -> bool:
    """Whether the article's headline shares ECHO_WORDS or more words with the story's lead
    (its headline or summary), leaving out names either side is sure of, numbers and
    dates. Such a headline retells the lead ("Metro lobbies for federal funding for
    public transit", "More Americans ride public transit than at any time since 1956")
    where the cosines fall short: other words dilute it, or the story's centroid has
    grown broad. The guards still apply, and a sure name counts for nothing here: "Miley
    Cyrus" is one name, not two words. A capitalised first word the lead also carries
    does count (not counting the words both sides capitalise cost recall and precision
    on the tuning half: Title Case headlines capitalise every word)."""
    names, lead_names, lead_terms = article.names, story.lead_names, story.lead_terms
    shared = [word for word in _words_besides_dates(article.title_words)
              if word in lead_terms and word not in names and word not in lead_names]
    return len(shared) >= ECHO_WORDS


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    # Over the shared terms only (the intersection is taken in C): vectors share few.
    shared = a.keys() & b.keys()
    products: Iterable[float] = map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared))
    return sum(products)


def has_room(story: StoryShape, joining: int = 1) -> bool:
    """Whether `joining` more articles keep the story within MAX_STORY_ARTICLES."""
    return story.count + joining <= MAX_STORY_ARTICLES


_story_id = attrgetter("id")


def choose_story(article: Features, candidates: Iterable[StoryShape], *,
                 duplicates: Iterable[StoryShape] = (),
                 weigh: Callable[[Features], Mapping[str, float]] | None = None
                 ) -> StoryShape | None:
    """The story this article joins, or None to start one; a full story (has_room) is
    never joined. A near-duplicate's story wins outright (newest first); otherwise the
    best story passing the guards and both thresholds, or when none does, the best of
    those passing the guards whose lead the headline echoes (`echoes_lead`), the
    article's vector being
    `weigh(article)` (its terms weighted by rarity, worked out once a candidate passes
    the guards) if given."""
    vector: Mapping[str, float] | None = None
    for story in sorted(duplicates, key=_story_id, reverse=True):
        if has_room(story) and same_headline(article, story) and guards_agree(article, story):
            return story
    best: tuple[float, StoryShape] | None = None
    echo: tuple[float, StoryShape] | None = None
    # What `shares_more_than_names` and `headline_meets_lead` take of the article, worked
    # out once for all its candidates (the same tests, inline).
    own_words = article.terms.keys() - article.entities - article.names
    headline = _words_besides_dates(article.title_words)
    for story in candidates:
        if story.count >= MAX_STORY_ARTICLES or not guards_agree(article, story):  # cheap first
            continue
        lead_terms = story.lead_terms
        if (own_words and own_words.isdisjoint(lead_terms)) \
                or (headline and lead_terms.keys().isdisjoint(headline)):
            continue
        if article.kicker and same_series_apart(article, story):
            continue
        if vector is None:
            vector = article.terms if weigh is None else weigh(article)
        centroid_sim = story.centroid_cosine(vector)
        lead_sim = story.lead_cosine(vector)
        score = centroid_sim + lead_sim
        if centroid_sim >= CENTROID_MIN and lead_sim >= LEAD_MIN:
            if best is None or score > best[0]:
                best = (score, story)
        elif best is None and echoes_lead(article, story) \
                and (echo is None or score > echo[0]):
            echo = (score, story)
    if best is None:        # no story close enough: one whose lead the headline echoes
        best = echo
    return best[1] if best else None


def add_member(story: StoryShape, article: Features, *, article_key: Any, title: str,
               section_id: int | None, is_preferred: bool) -> None:
    """Fold an article into the story's centroid; make it the lead if the story has none
    or if it is clearly more central (preferred sources count extra). The story takes
    its lead's section, or keeps the one it has when the lead has none."""
    # The lead's norm outlives the change (the lead's vector is replaced, never changed
    # in place): kept, unless a new lead takes over below.
    lead_norm = story.cache.get("lead_norm")
    story.changed()
    if lead_norm is not None:
        story.cache["lead_norm"] = lead_norm
    story.count += 1
    sums = story.sums
    if sums:
        get = sums.get
        for term, weight in article.terms.items():
            sums[term] = get(term, 0.0) + weight
    else:           # a story's first member (most stories have one): share its numbers
        sums = story.sums = dict(article.terms)
    _count(story.entity_counts, article.entities)
    _count(story.name_counts, article.names)
    if len(sums) > 4 * CENTROID_TERMS:
        story.sums = _heaviest(sums, 2 * CENTROID_TERMS)
    if story.lead_id is None or not story.lead_terms or _challenges(story, article,
                                                                    is_preferred):
        story.lead_id = article_key
        story.lead_terms = article.terms            # never changed in place: shared
        story.cache.pop("lead_norm", None)
        story.lead_entities = article.entities
        story.lead_decimals = article.decimals
        story.lead_names = article.names
        story.lead_title = title
        story.lead_preferred = is_preferred
        if section_id is not None:
            story.section_id = section_id
    if story.section_id is None:
        story.section_id = section_id


def _count(counts: dict[str, int], names: Iterable[str]) -> None:
    """One more sighting of each name."""
    get = counts.get
    for name in names:
        counts[name] = get(name, 0) + 1


def _challenges(story: StoryShape, article: Features, is_preferred: bool) -> bool:
    """Whether a new member is clearly more central than the story's lead (cosines with
    the centroid; the article's vector is a unit vector, the story's norms are cached)."""
    lead_norm = story.lead_norm()
    challenger = story.centroid_cosine(article.terms) + (PREFERRED_BONUS if is_preferred else 0)
    incumbent = (story.centroid_cosine(story.lead_terms) / lead_norm if lead_norm else 0.0) \
        + (PREFERRED_BONUS if story.lead_preferred else 0)
    return challenger > incumbent + LEAD_SWITCH_MARGIN


MERGE_CENTROID_MIN = 0.32
MERGE_LEAD_MIN = 0.15
# Two stories of comparable size (neither a fragment of the other): tuned on the tuning
# half like the rest; they lift held-out B-cubed recall from 0.369 to 0.401 (bench/stories.py).
PEER_CENTROID_MIN = 0.5
PEER_LEAD_MIN = 0.3


def should_merge(a: StoryShape, b: StoryShape, rarity: Mapping[str, float], *,
                 peers: bool = False) -> bool:
    """Two open stories that converged: centroids (terms weighted by `rarity`, an inverse
    document frequency over the open stories) and leads close, guards agreeing both
    ways. `peers`: neither is a fragment of the other, so both must be closer. Leads
    that tell one headline (`same_lead_headline`) merge at any size once the guards agree."""
    lead_a = Features(a.lead_terms, a.lead_entities, a.lead_decimals, (), (), a.lead_names)
    lead_b = Features(b.lead_terms, b.lead_entities, b.lead_decimals, (), (), b.lead_names)

    def weighted(vector: Mapping[str, float]) -> dict[str, float]:
        return {term: weight * rarity.get(term, 1.0) for term, weight in vector.items()}

    centroid_min, lead_min = (PEER_CENTROID_MIN, PEER_LEAD_MIN) if peers \
        else (MERGE_CENTROID_MIN, MERGE_LEAD_MIN)
    # A story of one is an article that assignment may have kept apart on purpose (it
    # shared only a name with the story): it joins only if it shares a word other than
    # a name with the other story's coverage.
    if not (guards_agree(lead_a, b) and guards_agree(lead_b, a)     # set operations first
            and _headline_meets(title_words(a.lead_title), b.lead_terms)
            and _headline_meets(title_words(b.lead_title), a.lead_terms)
            and not series_apart(a.lead_title, b.lead_title)):
        return False
    # Leads that tell the same headline ("George Clooney ex Stacy Keibler marries tech
    # exec Jared Pobre", "Stacy Keibler Marries Tech Entrepreneur Jared Pobre") are one
    # event, whatever else their coverage holds: two such stories showed as two cards.
    if same_lead_headline(a.lead_title, b.lead_title):
        return True
    return ((b.count > 1 or _shares_coverage_words(lead_b, a))
            and (a.count > 1 or _shares_coverage_words(lead_a, b))
            and cosine(a.lead_terms, b.lead_terms) >= lead_min
            and cosine(weighted(a.sums), weighted(b.sums)) >= centroid_min)


SAME_LEAD_WORDS = 4     # content words two leads share at least to be one headline told twice


def same_lead_headline(title: str, other: str) -> bool:
    """Whether two headlines tell the same thing: SAME_LEAD_WORDS or more content words in
    common, most of the shorter's (TWIN_TITLE_SHARE). Names and figures are the guards'
    business (should_merge checks them first)."""
    mine, theirs = title_words(title), title_words(other)
    shared = len(mine & theirs)
    return shared >= SAME_LEAD_WORDS and \
        shared >= TWIN_TITLE_SHARE * min(len(mine), len(theirs))


def _shares_coverage_words(article: Features, story: StoryShape) -> bool:
    """`shares_more_than_names` against the story's centroid terms, not only its lead's:
    the merge sees the whole coverage ("Colorado company joins plane search" shares
    nothing but Colorado with the coverage of Colorado's marijuana taxes)."""
    return _shares_a_word_besides_names(article, story.sums)


def fold_story(kept: StoryShape, absorbed: StoryShape) -> None:
    """The kept story's shape after absorbing another (its lead stays: no flicker)."""
    kept.changed()
    if kept.section_id is None:
        kept.section_id = absorbed.section_id
    kept.count += absorbed.count
    for term, weight in absorbed.sums.items():
        kept.sums[term] = kept.sums.get(term, 0.0) + weight
    for name, seen in absorbed.entity_counts.items():
        kept.entity_counts[name] = kept.entity_counts.get(name, 0) + seen
    for name, seen in absorbed.name_counts.items():
        kept.name_counts[name] = kept.name_counts.get(name, 0) + seen

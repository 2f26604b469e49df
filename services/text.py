"""Text normalisation shared by the stored search columns and the search queries.

Both sides go through the same functions, so "cliënt" in a listing and "client" typed by a
resident meet as "client".
"""

import re
import unicodedata

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
WORD_RE = re.compile(r"[0-9a-z]+")

# Light Dutch suffix stripping for the portable (SQLite) search path: the stored text is
# matched by substring, so a shortened query word still finds the longer stored forms
# ("vrijwilligers" -> "vrijwillig" finds "vrijwilligerswerk"). PostgreSQL uses its own
# Snowball stemmer instead.
SUFFIXES = (
    "heden",
    "ingen",
    "ende",
    "tjes",
    "heid",
    "ing",
    "ers",
    "jes",
    "en",
    "er",
    "je",
    "s",
    "e",
)
MIN_STEM = 4


def normalise(value):
    """Lower case, without accents and control characters, whitespace collapsed."""
    if not value:
        return ""
    value = str(value).replace("\x00", " ")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(value.lower().split())


def words(value):
    """The search words in a text, normalised, at most MAX_QUERY_TERMS of them."""
    text = normalise((value or "")[: MAX_QUERY_LENGTH * 4])[:MAX_QUERY_LENGTH]
    found = []
    for word in WORD_RE.findall(text):
        if word not in found:
            found.append(word)
    return found[:MAX_QUERY_TERMS]


def stem(word):
    """Strip one common Dutch suffix, keeping at least MIN_STEM letters."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def ascii_int(value, *, max_digits=18):
    """The number in a string of ASCII digits (at most max_digits), else None.

    "²" and "٣" pass str.isdigit() but int() refuses the first, and the second is no
    number anyone typed in a Dutch form: both are None here, as are signs and spaces.
    """
    value = str(value if value is not None else "")
    if 0 < len(value) <= max_digits and value.isascii() and value.isdigit():
        return int(value)
    return None


def normalise_input(value, max_length=MAX_QUERY_LENGTH):
    """What a person typed, made safe to show and reuse: no NUL or control characters,
    whitespace collapsed, capped. Keeps accents and case, unlike normalise()."""
    value = str(value or "")[: max_length * 4]
    value = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(value.split())[:max_length]


# Words that carry no meaning of their own in a search ("ik ben eenzaam" is about
# "eenzaam"): dropped from a query unless nothing else is left. Dutch first, then the
# commonest English ones for the English words residents type. Words that can be the point
# of a search ("alleen", "samen", "zelf", "thuis", "hulp") are deliberately not here.
_STOPWORD_LIST = """
    aan al als ben bent bij dan dat de deze die dit doe doen doet door een en er
    ga gaan gaat had heb hebben hebt heeft hem het hier hij hoe hun ik in is ja je jij
    jou jouw kan kun kunnen kunt maar me mee mij mijn moet moeten na naar nee niet nog
    nu of om ons onze ook op over te tot u uit uw van veel voor waar wanneer was wat we
    wel wie wil willen wilt word worden wordt zal ze zij zich zijn zo zou zoals zullen
    graag even erg heel echt iets iemand mezelf mijzelf jezelf uzelf zelfs soms vaak
    toch daar dus want welke waarom wij hen haar zit zitten meer steeds bijna beetje
    a an and am are at be do for from i im in is it me my of on or the to want with
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())


def query_words(value):
    """(words that count, stopwords left out) of a query, at most MAX_QUERY_TERMS counted.

    When a query holds only stopwords ("waar doe ik het voor"), they all count: something
    is better than nothing."""
    text = normalise((value or "")[: MAX_QUERY_LENGTH * 4])[:MAX_QUERY_LENGTH]
    found = list(dict.fromkeys(WORD_RE.findall(text)))
    content = [word for word in found if word not in STOPWORDS]
    if not content:
        return found[:MAX_QUERY_TERMS], []
    return content[:MAX_QUERY_TERMS], [word for word in found if word in STOPWORDS]

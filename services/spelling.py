"""Correcting a mistyped search word against the catalogue's own words.

A leaf: it knows nothing of models or databases. The caller passes the vocabulary (the
words of published names, summaries, texts, taxonomies and synonyms, with how often each
occurs; see services.vocabulary) and gets back, per query word, the word to search for.
Edit distance is the optimal string alignment distance (rapidfuzz's OSA: a swap of two
neighbouring letters, as in "eenzaamhied", counts as one edit), so the same correction
happens on PostgreSQL and SQLite.
"""

from bisect import bisect_left

from rapidfuzz import process
from rapidfuzz.distance import OSA

# Shorter words are left alone: "tas" is one edit away from too many other words.
MIN_CORRECT_LENGTH = 4
# One edit for ordinary words, two for long ones ("formulierenhulb", "telefoonsirkel").
LONG_WORD = 10
# Linking letters between the parts of a Dutch compound ("stads-pas", "ouderen-bond").
LINKS = ("", "s", "en", "e")
MIN_PART = 3


class Vocabulary:
    """The catalogue's words with their counts; answers "known?" and "meant which word?"."""

    def __init__(self, counts):
        self.counts = dict(counts)
        self.words = sorted(self.counts)

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.counts

    def is_known(self, word):
        """True for a catalogue word or the start of one ("mantelz" for "mantelzorg")."""
        if word in self.counts:
            return True
        index = bisect_left(self.words, word)
        return index < len(self.words) and self.words[index].startswith(word)

    def correct(self, word):
        """The catalogue word meant by an unknown word, or None when none is close enough.

        Of equally close words the commonest wins, then the alphabetically first, so the
        answer is the same on every run and engine."""
        if len(word) < MIN_CORRECT_LENGTH or not word.isalpha():
            return None
        limit = 2 if len(word) >= LONG_WORD else 1
        candidates = process.extract(
            word, self.words, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if not candidates:
            return None
        best = min(candidates, key=lambda c: (c[1], -self.counts[c[0]], c[0]))
        return best[0]

    def split(self, word):
        """Two known words a compound is made of ("computerhulp" -> computer, hulp), or None.

        The split with the longest shorter part wins: "ouderen|vereniging" over
        "ou|derenvereniging"."""
        best = None
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            for link in LINKS:
                if link and not head.endswith(link):
                    continue
                stem = head[: len(head) - len(link)] if link else head
                if len(stem) >= MIN_PART and stem in self.counts and tail in self.counts:
                    score = min(len(stem), len(tail))
                    if best is None or score > best[0]:
                        best = (score, [stem, tail])
        return best[1] if best else None

    def resolve(self, word):
        """What to search for instead of word: ([words], how) with how one of
        "known", "corrected", "split" or "unknown"."""
        if self.is_known(word):
            return [word], "known"
        corrected = self.correct(word)
        if corrected:
            return [corrected], "corrected"
        parts = self.split(word)
        if parts:
            return parts, "split"
        return [word], "unknown"

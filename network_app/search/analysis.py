"""Swedish text analysis for the search index: the same chain at index and at query time.

words of letters and digits -> lower case -> Swedish stop words out -> Snowball's Swedish stemmer
-> accents folded (å/ä -> a, ö -> o, é -> e …).

The stemmer sees the words with å/ä/ö intact (its suffix rules need them); folding comes after,
so "varmepump" typed on a keyboard without å/ä/ö still meets "värmepumpar". Whoosh pickles the
analyzer into the index's table of contents, so everything here is a module-level name.
"""
import re
from functools import lru_cache

import snowballstemmer
from whoosh.analysis import (CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token,
                             Tokenizer)
from whoosh.support.charset import accent_map

# Letters and digits; underscores and punctuation separate words ("styr-och-regler" is three words).
WORD_PATTERN = r"[^\W_]+"
_WORDS = re.compile(WORD_PATTERN)

# Common Swedish function words: they occur in nearly every text and only add noise and index size.
# Kept short on purpose: "ska", "bör", "krav" and numbers carry meaning in requirement texts.
STOP_WORDS = frozenset("""
alla allt andra annan annat att av de dem den denna deras dess dessa det detta dock du där då efter
ej eller en er ett från för genom ha hade han har hans hennes henne hon hos hur här i icke in inom
inte jag men med mellan mot man min mitt mina ni nu när och också om oss på samt sedan sig sin sina
sitt som så till under upp ut utan vad var vara varit vars vi vid vilka vilken vilket vår våra vårt
än är åt även över
""".split())


_FOLD = accent_map


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("swedish")


def swedish_stem(word: str) -> str:
    """The Snowball (Swedish) stem of a lower-case word: "värmepumpar" -> "värmepump"."""
    return _stemmer().stemWord(word)


def reference_analyzer():
    """The chain built from Whoosh's own parts; SwedishTokenizer does the same in one pass."""
    return (RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1)
            | StemFilter(stemfn=swedish_stem, cachesize=-1) | CharsetFilter(accent_map))


class SwedishTokenizer(Tokenizer):
    """The whole chain (words, lower case, stop words, stems, folded accents) in one pass with the
    term of each distinct word cached: indexing spends most of its time here, and five chained
    generators per word cost about three times as much."""

    is_morph = True

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        if not tokenize:  # a whole value (a prefix* or wildcard): analysed as one word
            token.original = value
            token.text = _term_of(value.lower()) or value.lower().translate(_FOLD)
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        pos = start_pos  # stop words take no position (as Whoosh's StopFilter renumbers)
        for index, match in enumerate(_WORDS.finditer(value), start=start_pos):
            word = match.group()
            term = _term_of(word.lower())
            if term is None:
                if removestops:
                    continue
                token.stopped, token.text = True, word.lower().translate(_FOLD)
                if positions:
                    token.pos = index
            else:
                token.stopped, token.text = False, term
                if positions:
                    token.pos = pos
                    pos += 1
            if keeporiginal:
                token.original = word
            if chars:
                token.startchar, token.endchar = start_char + match.start(), start_char + match.end()
            yield token


def swedish_analyzer():
    """The analyzer of every text field."""
    return SwedishTokenizer()


def term_of(word: str) -> str | None:
    """The index term of one word (None for a stop word); cached, for marking words in snippets."""
    return _term_of(word.lower())


@lru_cache(maxsize=200_000)
def _term_of(word: str) -> str | None:
    if word in STOP_WORDS:
        return None
    return swedish_stem(word).translate(_FOLD)


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (for tests and debugging)."""
    return [token.text for token in swedish_analyzer()(text)]

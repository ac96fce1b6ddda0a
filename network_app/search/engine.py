"""A fast evaluator for the queries people type, over the Whoosh index's postings.

Whoosh's matchers walk postings one document at a time through several Python objects each; at
50,000 documents a common word took 150 ms and a phrase 250 ms (target: 50 ms). Here a term's
postings are read a block at a time into arrays, cached per segment (segments never change, only
their deletions) and, as BM25 scores, per version of the index; queries combine those with set
and dict operations. A phrase is checked with the positions of its words in the documents that
have them all (decoded once per segment and word, then cached). A query this module does not
know (none the parser makes today) goes through Whoosh itself.
"""
import itertools
import math
import threading
from array import array
from collections import OrderedDict

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
MAX_EXPANSION = 512  # terms a prefix* or wildcard may stand for
TERM_CACHE_POSTINGS = 3_000_000  # postings kept as scores per index version (about 200 MB at most)
SEGMENT_CACHE_TERMS = 20_000


class Unsupported(Exception):
    """A query type this evaluator does not handle; Whoosh's own search is used instead."""


class _Segment:
    """What is cached of one segment: postings by term and field lengths (never stale: a segment's
    postings never change; deleted documents are left out by Engine.live)."""

    def __init__(self):
        self.postings: OrderedDict = OrderedDict()
        self.positions: OrderedDict = OrderedDict()
        self.lengths: dict[str, array] = {}


_segments: dict[str, _Segment] = {}
_segments_lock = threading.Lock()


def _segment_cache(reader) -> _Segment:
    segid = reader.segment().segment_id()
    with _segments_lock:
        found = _segments.get(segid)
        if found is None:
            found = _segments[segid] = _Segment()
        return found


def forget_segments(keep: set[str]) -> None:
    with _segments_lock:
        for segid in [s for s in _segments if s not in keep]:
            del _segments[segid]


def _raw_matcher(reader, field: str, btext: bytes):
    """The term's postings in a segment, deleted documents included (see Engine.live)."""
    if (field, btext) not in reader:
        return None
    matcher = reader.postings(field, btext)
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher


def _read_postings(reader, field: str, btext: bytes) -> tuple[array, array]:
    """(document numbers, term frequencies) of a term in one segment, deleted documents included."""
    ids, weights = array("i"), array("f")
    matcher = _raw_matcher(reader, field, btext)
    if matcher is None:
        return ids, weights
    if all(hasattr(matcher, a) for a in ("_read_ids", "_read_weights", "_next_block", "_ids", "_weights")):
        while matcher.is_active():  # a block (up to 128 postings) at a time
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


def _read_positions(reader, field: str, btext: bytes) -> dict[int, tuple]:
    """Document number -> positions of a term in one segment."""
    matcher = _raw_matcher(reader, field, btext)
    found = {}
    if matcher is None:
        return found
    decode = reader.schema[field].format.decode_positions
    if all(hasattr(matcher, a) for a in ("_read_ids", "_read_values", "_next_block", "_ids", "_values")):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_values()
            found.update(zip(matcher._ids, map(decode, matcher._values)))
            matcher._next_block()
    else:
        while matcher.is_active():
            found[matcher.id()] = tuple(matcher.value_as("positions"))
            matcher.next()
    return found


def _lengths(reader, field: str) -> array:
    """The length (in terms, as Whoosh keeps it: one byte, approximate) of `field` in every
    document of a segment; read as a whole column where the codec allows."""
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length

        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is not None:
            table = [byte_to_length(b) for b in range(256)]
            return array("i", (table[b] for b in column))
    except (AttributeError, ImportError):
        pass
    return array("i", (reader.doc_field_length(n, field, 0) or 0 for n in range(reader.doc_count_all())))


class Engine:
    """Evaluation over one version of the index (made per searcher, kept in its cache)."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.leaves = [(r, offset, _segment_cache(r), r.deleted_docs_set if r.has_deletions() else frozenset())
                       for r, offset in self.reader.leaf_readers()]
        forget_segments({r.segment().segment_id() for r, *_ in self.leaves})
        self.size = self.reader.doc_count_all()
        self.count = self.reader.doc_count()
        self._scores: OrderedDict = OrderedDict()
        self._lengths: dict[str, list[int]] = {}
        self._cached_postings = 0
        self._all: set[int] | None = None
        self._deleted: set[int] | None = None
        self._avg: dict[str, float] = {}

    # --- postings ---

    def postings(self, field: str, btext: bytes) -> tuple[list[int], list[float]]:
        """Document numbers (of this version) and term frequencies. Deleted documents (earlier
        versions of replaced ones) are included: live() leaves them out, and every search keeps
        only documents of the permission filter, which is made live."""
        ids, weights = [], []
        for reader, offset, cached, _deleted in self.leaves:
            key = (field, btext)
            found = cached.postings.get(key)
            if found is None:
                found = cached.postings[key] = _read_postings(reader, field, btext)
                if len(cached.postings) > SEGMENT_CACHE_TERMS:
                    cached.postings.popitem(last=False)
            else:
                cached.postings.move_to_end(key)
            seg_ids, seg_weights = found
            ids.extend([i + offset for i in seg_ids] if offset else seg_ids)
            weights.extend(seg_weights)
        return ids, weights

    def deleted(self) -> set[int]:
        """Document numbers of this version that are deleted."""
        if self._deleted is None:
            self._deleted = {d + offset for _r, offset, _c, deleted in self.leaves for d in deleted}
        return self._deleted

    def live(self, docs: set[int]) -> set[int]:
        """`docs` without the deleted documents."""
        deleted = self.deleted()
        return docs - deleted if deleted else docs

    def positions(self, field: str, btext: bytes) -> dict[int, tuple]:
        """Document number (of this version) -> positions of the term."""
        key = ("positions", field, btext)
        found = self._scores.get(key)
        if found is not None:
            return found
        found = {}
        for reader, offset, cached, _deleted in self.leaves:
            segment = cached.positions.get((field, btext))
            if segment is None:
                segment = cached.positions[(field, btext)] = _read_positions(reader, field, btext)
                if len(cached.positions) > SEGMENT_CACHE_TERMS // 10:
                    cached.positions.popitem(last=False)
            found.update(((d + offset, p) for d, p in segment.items()) if offset else segment)
        self._remember(key, found)
        return found

    def _remember(self, key, found) -> None:
        self._scores[key] = found
        self._cached_postings += len(found)
        while self._cached_postings > TERM_CACHE_POSTINGS and len(self._scores) > 1:
            _key, dropped = self._scores.popitem(last=False)
            self._cached_postings -= len(dropped)

    def docs(self, field: str, text: str) -> set[int]:
        return set(self.postings(field, self.schema[field].to_bytes(text))[0])

    def all_docs(self) -> set[int]:
        if self._all is None:
            self._all = self.live(set(range(self.size)))
        return self._all

    def _field_lengths(self, field: str) -> list[int]:
        found = self._lengths.get(field)
        if found is None:
            found = self._lengths[field] = []
            for reader, _offset, cached, _deleted in self.leaves:
                if field not in cached.lengths:
                    cached.lengths[field] = _lengths(reader, field)
                found.extend(cached.lengths[field])
        return found

    def _average_length(self, field: str) -> float:
        if field not in self._avg:
            self._avg[field] = (self.reader.field_length(field) / self.count) if self.count else 1.0
        return self._avg[field] or 1.0

    def scores(self, field: str, btext: bytes) -> dict[int, float]:
        """BM25 score of a term in every document that has it (cached for this index version)."""
        key = (field, btext)
        found = self._scores.get(key)
        if found is not None:
            self._scores.move_to_end(key)
            return found
        ids, weights = self.postings(field, btext)
        if not self.schema[field].scorable:
            found = dict.fromkeys(ids, 1.0)
        else:
            idf = math.log(self.size / (len(ids) + 1)) + 1
            lengths, avg = self._field_lengths(field), self._average_length(field)
            norm = K1 * (1 - B)
            per_length = K1 * B / avg
            top = idf * (K1 + 1)
            found = {d: top * w / (w + norm + per_length * lengths[d]) for d, w in zip(ids, weights)}
        self._remember(key, found)
        return found

    # --- queries ---

    def evaluate(self, q) -> dict[int, float]:
        """docnum -> score of every document the query matches."""
        boost = getattr(q, "boost", 1.0) or 1.0
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return {}
        if isinstance(q, wq.Term):
            found = self.scores(q.fieldname, self.schema[q.fieldname].to_bytes(q.text))
            return _boosted(found, boost)
        if isinstance(q, wq.Every):
            return dict.fromkeys(self.all_docs(), boost)
        if isinstance(q, wq.Phrase):
            return _boosted(self._phrase(q), boost)
        if isinstance(q, (wq.Prefix, wq.Wildcard)):
            return _boosted(self._expansion(q), boost)
        if isinstance(q, wq.Not):  # everything but (inside And, _and subtracts instead)
            excluded = self.evaluate(q.query)
            return {d: 0.0 for d in self.all_docs() if d not in excluded}
        if isinstance(q, wq.AndNot):
            found = dict(self.evaluate(q.a))
            for d in self.evaluate(q.b):
                found.pop(d, None)
            return _boosted(found, boost)
        if isinstance(q, wq.And):
            return _boosted(self._and(q.subqueries), boost)
        if isinstance(q, wq.Or) and not getattr(q, "minmatch", 0) and type(q) in (wq.Or,):
            return _boosted(self._or([self.evaluate(s) for s in q.subqueries]), boost)
        raise Unsupported(type(q).__name__)

    def matching_docs(self, q) -> set[int]:
        """The documents a query (a filter: no scores needed) matches, deleted ones included."""
        if isinstance(q, wq.Term):
            return set(self.postings(q.fieldname, self.schema[q.fieldname].to_bytes(q.text))[0])
        if isinstance(q, wq.Prefix):
            found = set()
            for term in itertools.islice(self.reader.expand_prefix(q.fieldname, q.text), MAX_EXPANSION):
                found.update(self.postings(q.fieldname, term)[0])
            return found
        if isinstance(q, wq.Or) and type(q) is wq.Or:
            return set().union(*(self.matching_docs(s) for s in q.subqueries))
        if isinstance(q, wq.And) and type(q) is wq.And:
            positive = [self.matching_docs(s) for s in q.subqueries if not isinstance(s, wq.Not)]
            if not positive:
                return set(self.evaluate(q))
            found = set.intersection(*positive)
            for s in q.subqueries:
                if isinstance(s, wq.Not):
                    found -= self.matching_docs(s.query)
            return found
        return set(self.evaluate(q))

    def _or(self, parts: list[dict]) -> dict[int, float]:
        if not parts:
            return {}
        parts = sorted(parts, key=len, reverse=True)
        found = dict(parts[0])
        for part in parts[1:]:
            get = found.get
            for d, s in part.items():
                found[d] = get(d, 0.0) + s
        return found

    def _and(self, subqueries) -> dict[int, float]:
        positive = [s for s in subqueries if not isinstance(s, wq.Not)]
        negative = [s.query for s in subqueries if isinstance(s, wq.Not)]
        if not positive:
            raise Unsupported("only NOT")
        parts = sorted((self.evaluate(s) for s in positive), key=len)
        found = dict(parts[0])
        for part in parts[1:]:
            found = {d: s + part[d] for d, s in found.items() if d in part}
        for q in negative:
            for d in self.evaluate(q):
                found.pop(d, None)
        return found

    def _phrase(self, q) -> dict[int, float]:
        """Documents with the words in this order (at most `slop` positions apart, 1: adjacent)."""
        field, words, slop = q.fieldname, list(q.words), max(1, getattr(q, "slop", 1) or 1)
        to_bytes = self.schema[field].to_bytes
        found = self._and_dicts([self.scores(field, to_bytes(w)) for w in words])
        if len(words) < 2 or not found:
            return found
        if not self.schema[field].format.supports("positions"):
            raise Unsupported(f"phrase in {field}, which has no positions")
        positions = [self.positions(field, to_bytes(w)) for w in words]
        kept = {}
        for d, score in found.items():
            ends = set(positions[0][d])
            for following in positions[1:]:
                if slop == 1:
                    ends = {p for p in following[d] if p - 1 in ends}
                else:
                    ends = {p for p in following[d] if any(0 < p - e <= slop for e in ends)}
                if not ends:
                    break
            if ends:
                kept[d] = score
        return kept

    @staticmethod
    def _and_dicts(parts: list[dict]) -> dict[int, float]:
        if not parts:
            return {}
        parts = sorted(parts, key=len)
        found = dict(parts[0])
        for part in parts[1:]:
            found = {d: s + part[d] for d, s in found.items() if d in part}
        return found

    def _expansion(self, q) -> dict[int, float]:
        field = q.fieldname
        if isinstance(q, wq.Prefix):
            terms = self.reader.expand_prefix(field, q.text)
        else:
            terms = q._btexts(self.reader)
        expanded = []
        for term in terms:
            expanded.append(term if isinstance(term, bytes) else self.schema[field].to_bytes(term))
            if len(expanded) >= MAX_EXPANSION:
                break
        return self._or([self.scores(field, t) for t in expanded])


def _boosted(found: dict, boost: float) -> dict:
    return found if boost == 1.0 else {d: s * boost for d, s in found.items()}


def query_terms(q, negated: bool = False) -> tuple[set[str], list[str]]:
    """(terms, prefixes) a query looks for in the text fields, for marking words in snippets."""
    terms, prefixes = set(), []
    if isinstance(q, wq.Not):
        return terms, prefixes
    if isinstance(q, wq.AndNot):
        return query_terms(q.a)
    if isinstance(q, wq.Term) and q.fieldname in ("title", "body"):
        terms.add(q.text)
    elif isinstance(q, wq.Phrase):
        terms.update(q.words)
    elif isinstance(q, wq.Prefix):
        prefixes.append(q.text)
    for sub in getattr(q, "subqueries", ()) or ():
        more_terms, more_prefixes = query_terms(sub)
        terms |= more_terms
        prefixes += more_prefixes
    return terms, prefixes

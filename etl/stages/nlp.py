"""spaCy stage: load the English pipeline once per process and parse texts into Docs.

Two parsers share one interface (``parse(texts) -> a Doc or a ParseFailure per text, in input
order``):

* ``InProcessParser`` parses in the calling process (Dask workers, in-thread runs).
* ``SubprocessParser`` parses in ``n_process`` child processes and streams the Docs back in
  chunks (as ``DocBin`` bytes). The caller's own Python work (normalizing the next texts,
  extracting and staging the parsed ones) then runs on another core while spaCy keeps parsing.

The model's ``attribute_ruler`` and ``lemmatizer`` run as one memoized component
(``token_attributes``): what they set on a token depends on the token's text, tag and dependency
label (and, for a few patterns, on its neighbours), so their answer is computed once per
(text, tag, label) with the model's own patterns and lemmatizer and reused; the Docs are the
same as the stock pipeline's, for about a quarter of its CPU.

Both isolate documents: a text that makes spaCy fail becomes a ``ParseFailure`` with the reason
and the texts beside it are parsed; a text longer than ``part_chars`` is parsed in parts cut on
paragraph, line, sentence or word boundaries and joined into one Doc (``Doc.from_docs``), so its
offsets are those of the whole text and no text is refused for the model's length limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, pairwise
from typing import Protocol

import numpy
import spacy
from spacy.attrs import DEP, IS_PUNCT, IS_SPACE, LEMMA, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc, DocBin, Token
from spacy.tokens._retokenize import set_token_attrs  # how the attribute ruler sets attributes
from spacy.vocab import Vocab

from etl.settings import Settings
from etl.stages.anatomy import PARAGRAPH_COMPONENT

# The model's name is written once, as the settings default (NEWSETL_SPACY_MODEL overrides it).
DEFAULT_MODEL: str = Settings.model_fields["spacy_model"].default
# Characters per part of a long text: far below spaCy's max_length (1,000,000). Parsing a
# 300,000-character text raised peak memory by 92 MiB in parts of 20,000 and by 290 MiB in parts
# of 100,000 (and took 8 % less CPU); news articles are rarely longer than 20,000 characters.
DEFAULT_PART_CHARS = 20_000
# Longest run without whitespace handed to the tokenizer at once: it strips prefixes and
# suffixes one at a time, so its cost grows with the square of a run's length (10,000 quote
# marks in a row take seconds, 30,000 punctuation marks minutes). Longer runs are cut into
# pieces, which costs at most a split token in text that has no words there anyway.
MAX_RUN_CHARS = 1_000
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN_CHARS + 1},}}")

# Where a long text may be cut, best first: the end of a paragraph, of a line, of a sentence
# (closing quotes and brackets stay with it), after any whitespace.
_CUT_PATTERNS = (
    re.compile(r"\n[^\S\n]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s+"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class ParseFailure:
    """A text spaCy could not parse; ``reason`` names the error."""

    reason: str

    @property
    def timed_out(self) -> bool:
        return self.reason.startswith(TIMEOUT_PREFIX)


TIMEOUT_PREFIX = "timeout: "


def timeout_reason(stage: str, budget_s: float, spent_s: float, per: str = "document") -> str:
    """The quarantine reason of a document whose ``stage`` passed its time budget (``per``
    document, or per part of a long one)."""
    return (
        f"{TIMEOUT_PREFIX}{stage} passed the time budget of {budget_s:g} s per {per} "
        f"({spent_s:.1f} s spent)"
    )


class ParseTimeout(Exception):
    """Parsing passed its time budget (raised by ``time_limit``'s alarm)."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(budget_s)
        self.budget_s = budget_s


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``ParseTimeout`` in the block once ``seconds`` have passed: the watchdog of a parse
    child, whose work runs in its main thread (signals reach no other). spaCy returns to Python
    between the parts of a long text (``part_chars``), so the alarm stops it within one part.
    Without ``seconds``, or outside the main thread, no limit."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise ParseTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


TOKEN_ATTRIBUTES_COMPONENT = "token_attributes"
# Entries of the per-process memo before it starts afresh: it grows with the vocabulary of what
# is parsed, and a child process may parse for hours (about 300 bytes an entry).
MEMO_ENTRIES = 200_000


class TokenAttributes:
    """The model's attribute ruler and rule lemmatizer, same output, a fraction of the CPU.

    Per token the stock components run a 179-pattern ``Matcher``, a Python call per match and
    one per lemma. Almost every pattern looks at one token only, at its text, tag and dependency
    label: for a (text, tag, label) seen before, the attributes they set (coarse POS, morphology,
    lemma, and tag and label for whitespace) are a row of a table, and a whole Doc is written
    with one ``Doc.from_array``. Unseen keys are worked out, all of a Doc's at once, by the
    model's own single-token patterns and lemmatizer on a Doc of those tokens alone. The few
    patterns that span tokens ("gon na", an expletive before "is") run as a ``Matcher`` of their
    own, only over runs of tokens that each fit one of their token patterns (a match can lie
    nowhere else); a token they match is worked out in place, its single- and multi-token
    matches in pattern order, as the attribute ruler applies them.
    """

    def __init__(self, vocab: Vocab, ruler: AttributeRuler, lemmatizer: Lemmatizer):
        self.vocab = vocab
        self.lemmatizer = lemmatizer
        # The rule lemmatizer asks only whether a form is in its index, of lists up to 57,000
        # words long; as sets, its answer is the same and an unseen word costs microseconds.
        index = lemmatizer.lookups.get_table("lemma_index")
        for pos, words in list(index.items()):
            index[pos] = frozenset(words)
        self.single = Matcher(vocab)  # the single-token patterns, by pattern number
        self.spanning = Matcher(vocab)  # the others
        self.spanning_parts = Matcher(vocab)  # every token pattern of the others, alone
        self.rules: list[tuple[dict[int, int], int]] = []  # (attrs, index) by pattern number
        for number, pattern in enumerate(ruler.patterns):
            alternatives = pattern["patterns"]
            if all(len(tokens) == 1 for tokens in alternatives):
                self.single.add(str(number), alternatives)
            else:
                self.spanning.add(str(number), alternatives)
                parts = [{k: v for k, v in t.items() if k != "OP"} for a in alternatives for t in a]
                self.spanning_parts.add("part", [[part] for part in parts])
            self.rules.append((ruler.attrs[number], pattern["index"]))
        self._start_afresh()

    def _start_afresh(self) -> None:
        self._rows: dict[tuple[int, int, int], int] = {}  # (orth, tag, dep) -> row
        # Per row: POS, MORPH, LEMMA, TAG, DEP as set, and 1 if the token fits a token pattern
        # of a spanning pattern.
        self._table = numpy.zeros((1024, 6), dtype="uint64")
        self._matched: list[list[int]] = []  # per row: the single-token patterns it matched

    def _rule_number(self, match_id: int) -> int:
        return int(self.vocab.strings[match_id])

    def _apply(self, token: Token, numbers: Iterable[int]) -> None:
        """Set the attributes of rules ``numbers`` in order (a later rule wins, as in the
        attribute ruler), then the lemma if no rule set one (as the lemmatizer does)."""
        for number in sorted(numbers):
            set_token_attrs(token, self.rules[number][0])
        if token.lemma == 0:
            token.lemma_ = self.lemmatizer.lemmatize(token)[0]

    def _learn(self, keys: list[tuple[int, int, int]]) -> None:
        """Add rows for tokens ``keys`` (orth, tag, dep), worked out on a Doc of them alone."""
        words = [self.vocab.strings[orth] for orth, _, _ in keys]
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.from_array([TAG, DEP], numpy.array([key[1:] for key in keys], dtype="uint64"))
        numbers: list[list[int]] = [[] for _ in keys]
        for match_id, start, _ in self.single(doc, allow_missing=True):
            numbers[start].append(self._rule_number(match_id))
        fits_spanning = {start for _, start, _ in self.spanning_parts(doc, allow_missing=True)}
        first = len(self._matched)
        if first + len(keys) > len(self._table):
            grown = numpy.zeros((2 * (first + len(keys)), 6), dtype="uint64")
            grown[:first] = self._table[:first]
            self._table = grown
        for i, (token, key, matched) in enumerate(zip(doc, keys, numbers, strict=True)):
            self._apply(token, matched)
            values = (token.pos, token.morph.key, token.lemma, token.tag, token.dep)
            self._table[first + i] = (*values, i in fits_spanning)
            self._rows[key] = first + i
            self._matched.append(matched)

    def _spanning_matches(self, doc: Doc, fits: numpy.ndarray) -> dict[int, list[int]]:
        """Token index -> the spanning patterns that set its attributes, matched on runs of
        tokens that fit their token patterns."""
        targets: dict[int, list[int]] = {}
        edges = numpy.flatnonzero(numpy.diff(numpy.concatenate(([0], fits, [0]))))
        for run_start, run_end in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            if run_end - run_start < 2:
                continue  # every spanning pattern spans two tokens or more
            for match_id, start, end in self.spanning(doc[run_start:run_end], allow_missing=True):
                number = self._rule_number(match_id)
                target = run_start + range(start, end)[self.rules[number][1]]
                targets.setdefault(target, []).append(number)
        return targets

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        keys = list(map(tuple, doc.to_array([ORTH, TAG, DEP]).tolist()))
        unseen = list(dict.fromkeys(key for key in keys if key not in self._rows))
        if len(self._rows) + len(unseen) > MEMO_ENTRIES:
            self._start_afresh()
            unseen = list(dict.fromkeys(keys))
        if unseen:
            self._learn(unseen)
        rows = [self._rows[key] for key in keys]
        values = self._table[rows]
        # Matched before anything is set, as the attribute ruler matches.
        spanning = self._spanning_matches(doc, values[:, 5])
        doc.from_array([POS, MORPH, LEMMA], values[:, :3])
        # Tag and label change only for whitespace (the ruler gives it _SP and "dep").
        for i in numpy.flatnonzero((values[:, 3:5] != doc.to_array([TAG, DEP])).any(axis=1)):
            set_token_attrs(doc[int(i)], {TAG: int(values[i, 3]), DEP: int(values[i, 4])})
        for i, numbers in spanning.items():
            # Worked out again in place: its own tag and label as the matcher saw them.
            token = doc[i]
            set_token_attrs(token, {TAG: keys[i][1], DEP: keys[i][2], POS: 0, LEMMA: 0, MORPH: 0})
            self._apply(token, [*self._matched[rows[i]], *numbers])
        return doc


@Language.factory(TOKEN_ATTRIBUTES_COMPONENT)
def make_token_attributes(
    nlp: Language, name: str, ruler: str = "attribute_ruler", lemmatizer: str = "lemmatizer"
) -> TokenAttributes:
    """``TokenAttributes`` over the (disabled) components ``ruler`` and ``lemmatizer``."""
    return TokenAttributes(nlp.vocab, nlp.get_pipe(ruler), nlp.get_pipe(lemmatizer))


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load (and cache per process) the pipeline from an installed package; never downloads.

    Paragraph breaks and datelines end sentences before the parser runs (``etl.stages.anatomy``);
    the attribute ruler and lemmatizer run as one ``TokenAttributes`` in their place.
    """
    nlp = spacy.load(model)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    if {"attribute_ruler", "lemmatizer"} <= set(nlp.pipe_names):
        nlp.add_pipe(TOKEN_ATTRIBUTES_COMPONENT, before="attribute_ruler")
        nlp.disable_pipe("attribute_ruler")
        nlp.disable_pipe("lemmatizer")
    return nlp


def count_words(doc: Doc) -> int:
    """Tokens that are neither punctuation nor whitespace (``documents.n_words``), counted on
    the Doc's arrays: a Python ``Token`` per token cost a tenth of extraction's time."""
    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    return int(numpy.count_nonzero(flags.sum(axis=1) == 0)) if len(doc) else 0


def boundary_cuts(text: str, part_chars: int, *, space_follows: bool = False) -> list[int]:
    """Where to cut ``text`` into pieces of at most ``part_chars`` characters: at the best
    boundary in the second half of each window (a hard cut only when the window has no whitespace
    at all). The whitespace of a boundary stays with the piece before it, or with the piece after
    it when ``space_follows`` (so a piece never ends in spaces a per-piece clean-up would strip)."""
    cuts = []
    start = 0
    while len(text) - start > part_chars:
        window_end = start + part_chars
        cut = window_end
        for pattern in _CUT_PATTERNS:
            matches = list(pattern.finditer(text, start + part_chars // 2, window_end))
            if matches:
                last = matches[-1]
                cut = last.start() + len(last.group().rstrip()) if space_follows else last.end()
                break
        cuts.append(cut)
        start = cut
    return cuts


def split_text(text: str, part_chars: int = DEFAULT_PART_CHARS) -> list[str]:
    """Cut ``text`` into parts whose concatenation is ``text``: each at most ``part_chars``
    characters, cut on the ``boundary_cuts``, and no run without whitespace over
    ``MAX_RUN_CHARS``."""
    edges = [0, *boundary_cuts(text, part_chars), len(text)]
    return [piece for a, b in pairwise(edges) for piece in _cut_long_runs(text[a:b])]


def _cut_long_runs(part: str) -> list[str]:
    """``part`` cut inside every run without whitespace longer than ``MAX_RUN_CHARS``."""
    cuts = [
        cut
        for run in _LONG_RUN.finditer(part)
        for cut in range(run.start() + MAX_RUN_CHARS, run.end(), MAX_RUN_CHARS)
    ]
    edges = [0, *cuts, len(part)]
    return [part[a:b] for a, b in pairwise(edges)]


def needs_parts(text: str, part_chars: int = DEFAULT_PART_CHARS) -> bool:
    """Whether ``text`` is parsed in parts: longer than ``part_chars``, or a run without
    whitespace the tokenizer would take quadratic time over."""
    return len(text) > part_chars or _LONG_RUN.search(text) is not None


def parse_long(nlp: Language, text: str, part_chars: int = DEFAULT_PART_CHARS) -> Doc:
    """One Doc for ``text``; a text that ``needs_parts`` is parsed part by part and joined."""
    if not needs_parts(text, part_chars):
        return nlp(text)
    docs = list(nlp.pipe(split_text(text, part_chars), batch_size=1))
    return Doc.from_docs(docs, ensure_whitespace=False)


def failure_reason(error: BaseException) -> str:
    message = " ".join(str(error).split())[:300]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def parse_one(
    nlp: Language, text: str, part_chars: int = DEFAULT_PART_CHARS, timeout_s: float | None = None
) -> Doc | ParseFailure:
    """``parse_long`` within ``timeout_s``, any error or timeout turned into a ``ParseFailure``."""
    started = time.monotonic()
    try:
        with time_limit(timeout_s):
            return parse_long(nlp, text, part_chars)
    except ParseTimeout as timeout:
        return ParseFailure(timeout_reason("nlp", timeout.budget_s, time.monotonic() - started))
    except Exception as error:  # any spaCy failure costs this text only
        return ParseFailure(failure_reason(error))


def parse_batch(
    nlp: Language,
    texts: Sequence[str],
    part_chars: int = DEFAULT_PART_CHARS,
    timeout_s: float | None = None,
) -> list[Doc | ParseFailure]:
    """Parse a batch with one ``nlp.pipe`` (long texts in parts); if that fails or passes
    ``timeout_s`` per text, text by text, so only the texts that fail (or pass ``timeout_s``)
    alone become ``ParseFailure``."""
    try:
        in_parts = [needs_parts(text, part_chars) for text in texts]
        whole_texts = [text for text, split in zip(texts, in_parts, strict=True) if not split]
        with time_limit(timeout_s and timeout_s * len(texts)):
            whole_docs = iter(nlp.pipe(whole_texts, batch_size=len(texts)))
            return [
                parse_long(nlp, text, part_chars) if split else next(whole_docs)
                for text, split in zip(texts, in_parts, strict=True)
            ]
    except Exception:  # ParseTimeout too
        return [parse_one(nlp, text, part_chars, timeout_s) for text in texts]


def parse_texts(
    nlp: Language,
    texts: Iterable[str],
    *,
    batch_size: int = 64,
    part_chars: int = DEFAULT_PART_CHARS,
    timeout_s: float | None = None,
) -> Iterator[Doc | ParseFailure]:
    """Parse texts in batches of ``batch_size``, one Doc or ``ParseFailure`` per text, in order."""
    remaining = iter(texts)
    while batch := list(islice(remaining, batch_size)):
        yield from parse_batch(nlp, batch, part_chars, timeout_s)


class Parser(Protocol):
    def parse(self, texts: Iterable[str]) -> Iterator[Doc | ParseFailure]:
        """One parsed Doc (or ParseFailure) per text, in input order (``texts`` may be consumed
        lazily)."""
        ...


class InProcessParser:
    """``parse_texts`` in this process."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        batch_size: int = 64,
        part_chars: int = DEFAULT_PART_CHARS,
    ):
        self.model = model
        self.batch_size = batch_size
        self.part_chars = part_chars

    def parse(self, texts: Iterable[str]) -> Iterator[Doc | ParseFailure]:
        nlp = load_pipeline(self.model)
        yield from parse_texts(nlp, texts, batch_size=self.batch_size, part_chars=self.part_chars)


def _warm_up(model: str) -> None:
    load_pipeline(model)


def parse_to_bytes(
    model: str,
    texts: list[str],
    batch_size: int,
    part_chars: int = DEFAULT_PART_CHARS,
    timeout_s: float | None = None,
) -> tuple[bytes, dict[int, str]]:
    """Parse ``texts`` in this (child) process: the Docs that parsed as one ``DocBin``, and the
    reason of each text (by index) that did not (or passed ``timeout_s``)."""
    nlp = load_pipeline(model)
    docs, failures = [], {}
    parsed_texts = parse_texts(
        nlp, texts, batch_size=batch_size, part_chars=part_chars, timeout_s=timeout_s
    )
    for index, parsed in enumerate(parsed_texts):
        if isinstance(parsed, ParseFailure):
            failures[index] = parsed.reason
        else:
            docs.append(parsed)
    return DocBin(store_user_data=False, docs=docs).to_bytes(), failures


@lru_cache(maxsize=4)
def _vocab_for(model: str) -> Vocab:
    # Rebuilding Docs needs only a vocabulary of the model's language (lexeme attributes such as
    # is_stop and like_num come from its rules); DocBin carries every string it uses.
    return spacy.blank(spacy.info(model)["lang"]).vocab


class SubprocessParser:
    """Parsing in ``n_process`` child processes; a context manager, so the children end.

    ``parse`` submits each chunk of ``chunk_size`` texts (``nlp.pipe`` batches of ``batch_size``
    in the child) as soon as the caller has produced it and yields Docs as chunks come back, so
    parsing of later chunks (and of later calls, from other threads) queues up behind and the
    children never wait for the caller's work. A chunk whose child died (out of memory, a crash
    in native code) is parsed again text by text in fresh children, so only the text that kills
    a child is lost.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        batch_size: int = 64,
        n_process: int = 1,
        chunk_size: int | None = None,
        part_chars: int = DEFAULT_PART_CHARS,
        timeout_s: float | None = None,
    ):
        self.model = model
        self.batch_size = batch_size
        self.n_process = n_process
        self.part_chars = part_chars
        self.timeout_s = timeout_s  # per text, enforced by an alarm in the child
        # Texts per request to a child: a few nlp.pipe batches, so the per-request cost (pickling,
        # the DocBin, the round trip) is paid less often than once per batch.
        self.chunk_size = chunk_size or batch_size
        self._vocab = _vocab_for(model)
        self._restart_lock = threading.Lock()  # two batch threads may find the pool broken
        self._pool: ProcessPoolExecutor | None = self._start_pool()

    def _start_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent runs threads (Prefect), which a forked child must not
        # inherit mid-lock.
        pool = ProcessPoolExecutor(
            max_workers=self.n_process,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_up,
            initargs=(self.model,),
        )
        # Start the children now, so loading the model overlaps the caller's preparations.
        for _ in range(self.n_process):
            pool.submit(_warm_up, self.model)
        return pool

    def _submit(self, texts: list[str]) -> Future[tuple[bytes, dict[int, str]]]:
        with self._restart_lock:
            if self._pool is None:  # its children were ended: parsing again needs them back
                self._pool = self._start_pool()
            pool = self._pool
        try:
            return pool.submit(
                parse_to_bytes, self.model, texts, self.batch_size, self.part_chars, self.timeout_s
            )
        except BrokenProcessPool:
            with self._restart_lock:
                if self._pool is pool:  # not yet replaced by the other thread
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._start_pool()
            return self._submit(texts)

    def _docs(
        self, texts: list[str], payload: tuple[bytes, dict[int, str]]
    ) -> list[Doc | ParseFailure]:
        data, failures = payload
        docs = iter(DocBin().from_bytes(data).get_docs(self._vocab))
        return [
            ParseFailure(failures[i]) if i in failures else next(docs) for i in range(len(texts))
        ]

    def _parse_alone(self, text: str) -> Doc | ParseFailure:
        """Parse one text in a child; a child that dies on it makes it a ``ParseFailure``."""
        try:
            return self._docs([text], self._submit([text]).result())[0]
        except BrokenProcessPool:
            return ParseFailure("the spaCy child process died parsing this text (out of memory?)")

    def parse(self, texts: Iterable[str]) -> Iterator[Doc | ParseFailure]:
        # Each chunk is submitted as soon as it is complete, so the children start early.
        remaining = iter(texts)
        chunks: list[tuple[list[str], Future]] = []
        while chunk := list(islice(remaining, self.chunk_size)):
            chunks.append((chunk, self._submit(chunk)))
        try:
            for chunk, future in chunks:
                try:
                    parsed = self._docs(chunk, future.result())
                except BrokenProcessPool:
                    parsed = [self._parse_alone(text) for text in chunk]
                yield from parsed
        finally:
            for _, future in chunks:
                future.cancel()

    def end_children(self) -> None:
        """End the child processes now, freeing the models' memory (the run's parsing is over);
        a later ``parse`` starts them again."""
        with self._restart_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self.end_children()

    def __enter__(self) -> SubprocessParser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

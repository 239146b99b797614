"""Where ECB+ event recall is lost: the gold event mentions of multi-document events that no
predicted event matches, each put under one cause.

``python -m etl.evaluate.event_misses [--gold GOLD] [--parse-cache DIR] [--examples N]`` runs
``extract_document`` (the pipeline's per-document path) over the gold documents as the pipeline
reads them (text, ``published_at`` and ``url`` of their ``.meta.json``) and takes every gold event
mention of the coreference sentences whose instance is reported by at least two documents. A
mention an event's trigger overlaps is matched; the others get the first cause that holds:

* ``dropped by the scorer``: an event is found there when the scorer keeps every candidate
  (``event_scoring.KEEP_ALL``), but the fitted scorer drops it;
* ``selected, no event``: a selected trigger, but no row (it names no party, or a rule drops it:
  an attitude, a facility as a visit's object);
* ``verb not selected``: a lexicon verb the sentence's candidates leave out (the content of another
  trigger, an adjunct beside a main-clause event);
* ``noun outside a frame``: a lexicon noun that is no event by the rules (no support verb, no
  occurrence verb: "the attack", "in the shooting");
* ``not in the lexicon``: no word of the mention is a trigger; its words' lemmas are counted, to
  tell PLOVER acts the lexicon lacks from acts PLOVER does not code (a heist, a film's sequel).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from etl.evaluate.entities import read_gold
from etl.evaluate.parse_cache import parse_cached
from etl.stages.document import extract_document
from etl.stages.extract.event_scoring import KEEP_ALL
from etl.stages.extract.events import load_event_lexicon, match_trigger, select_candidates
from etl.stages.nlp import load_pipeline
from etl.stages.normalize import normalize

_DEFAULT_GOLD = Path("../shared/data/ecb_dev/gold.jsonl")
CAUSES = (
    "matched",
    "dropped by the scorer",
    "selected, no event",
    "verb not selected",
    "noun outside a frame",
    "not in the lexicon",
)


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _meta(gold_path: Path, doc_key: str) -> dict:
    path = gold_path.parent / "docs" / f"{doc_key}.meta.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def multi_document_instances(gold_docs: list[dict]) -> set[str]:
    """Event instances of the coreference sentences that at least two documents report."""
    documents: dict[str, set[str]] = defaultdict(set)
    for doc in gold_docs:
        for mention in doc["mentions"]:
            if mention["kind"] == "event" and mention["in_coref_sentence"]:
                documents[mention["instance"]].add(doc["doc"])
    return {instance for instance, docs in documents.items() if len(docs) >= 2}


def classify(gold_path: Path, cache_dir: Path | None) -> tuple[Counter, Counter, Counter, dict]:
    """(mentions per cause, lexicon types of the nouns outside a frame, lemmas not in the
    lexicon, up to a few examples per cause)."""
    gold_docs = read_gold(gold_path)
    wanted = multi_document_instances(gold_docs)
    nlp = load_pipeline()
    lexicon = load_event_lexicon()
    causes: Counter = Counter()
    outside: Counter = Counter()
    missing: Counter = Counter()
    examples: dict[str, list[tuple[str, str]]] = defaultdict(list)
    texts = [normalize(doc["text"]).text for doc in gold_docs]
    for gold, text, doc in zip(gold_docs, texts, parse_cached(nlp, texts, cache_dir), strict=True):
        if text != gold["text"]:
            causes["(document skipped: normalization changed its text)"] += 1
            continue
        meta = _meta(gold_path, gold["doc"])
        published = date.fromisoformat(meta["published_at"]) if meta.get("published_at") else None
        kept, every = (
            [
                (row["start_char"], row["end_char"])
                for row in extract_document(
                    doc, "doc", published_at=published, url=meta.get("url"), event_scorer=scorer
                ).events
            ]
            for scorer in (None, KEEP_ALL)
        )
        selected = [
            (candidate.tokens[0].idx, candidate.tokens[-1].idx + len(candidate.tokens[-1]))
            for sentence in doc.sents
            for candidate in select_candidates(sentence, lexicon)
        ]
        for mention in gold["mentions"]:
            if mention["kind"] != "event" or mention["instance"] not in wanted:
                continue
            if not mention["in_coref_sentence"]:
                continue
            start, end = mention["start"], mention["end"]
            tokens = list(doc.char_span(start, end, alignment_mode="expand") or [])
            triggers = [token for token in tokens if match_trigger(token, lexicon)]
            if _overlaps(kept, start, end):
                cause = "matched"
            elif _overlaps(every, start, end):
                cause = "dropped by the scorer"
            elif _overlaps(selected, start, end):
                cause = "selected, no event"
            elif triggers and triggers[0].pos_ not in {"NOUN", "PROPN"}:
                cause = "verb not selected"
            elif triggers:
                cause = "noun outside a frame"
                trigger = match_trigger(triggers[0], lexicon)[0]
                outside[(trigger.event_type, triggers[0].lemma_.lower())] += 1
            else:
                cause = "not in the lexicon"
                missing.update(
                    (token.lemma_.lower(), token.pos_)
                    for token in tokens
                    if token.pos_ in {"VERB", "NOUN"}
                )
            causes[cause] += 1
            examples[cause].append((gold["doc"], mention["text"]))
    return causes, outside, missing, examples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=_DEFAULT_GOLD)
    parser.add_argument("--parse-cache", type=Path, default=None)
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    causes, outside, missing, examples = classify(args.gold, args.parse_cache)
    total = sum(n for cause, n in causes.items() if cause in CAUSES)
    print(f"gold event mentions of multi-document instances (coreference sentences): {total}")
    for cause in CAUSES:
        print(f"{causes[cause]:6d}  {causes[cause] / max(total, 1):6.1%}  {cause}")
    for cause, n in causes.items():
        if cause not in CAUSES:
            print(f"{n:6d}  {cause}")
    print("\nlexicon nouns outside a frame (type, lemma):")
    print(", ".join(f"{t} {lemma} {n}" for (t, lemma), n in outside.most_common(args.top)))
    print("\nnot in the lexicon (lemma, pos):")
    print(", ".join(f"{lemma}/{pos} {n}" for (lemma, pos), n in missing.most_common(args.top)))
    print("\nexamples:")
    for cause in CAUSES[1:]:
        shown = "; ".join(f"{doc} {text!r}" for doc, text in examples[cause][: args.examples])
        print(f"  {cause}: {shown}")


if __name__ == "__main__":
    main()

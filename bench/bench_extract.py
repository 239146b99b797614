"""Benchmark and fingerprint of extraction: ``extract_document`` over parsed Docs, alone.

Extraction runs in the parent process while the spaCy children parse, so its CPU per document
decides whether the pipeline keeps up with the model. This bench parses a fixed corpus once
(the seeds, ../shared/data: GUM news and more genres, cased and degraded, every ECB+ document,
the PLOVER sentences, and the first documents of ``bench_pipeline.py``'s corpus), the way a run
does (``normalize``, ``load_pipeline``, Docs shipped back as ``DocBin`` bytes), caches the Docs
in the temporary directory, and then:

* ``--time``: CPU seconds of ``extract_document`` per 1,000 documents, with the one-time loads
  (lexicons, gazetteers, the place index) counted apart from the per-document work;
* ``--profile``: a cProfile of the per-document work, the heaviest functions first;
* ``--dump PATH``: every record of every document (sentences, mentions, events with their rule
  and scorer features, date mentions, parts, anatomy, words) as JSON lines;
* ``--against REF``: the dump of this tree and of git revision ``REF`` (its ``etl`` package,
  run on the same texts) compared byte for byte: a performance change must print
  ``identical``.

Run: ``python bench/bench_extract.py --time [--profile] [--against 70c9563] [--bench-docs 300]``
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import json
import os
import pickle
import pstats
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import SHARED, build_corpus

REPO = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Text:
    doc_id: str
    raw: str
    published_at: date | None = None
    url: str | None = None


def corpus(bench_docs: int) -> list[Text]:
    """The fixed texts: every developer document of ../shared/data, the seeds, and the first
    ``bench_docs`` documents of the pipeline bench's corpus."""
    texts: list[Text] = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        meta_path = path.with_suffix(".meta.json")
        meta = json.loads(meta_path.read_text("utf8")) if meta_path.exists() else {}
        published = meta.get("published_at")
        texts.append(
            Text(
                f"seed:{path.stem}",
                path.read_text("utf8"),
                date.fromisoformat(published) if published else None,
                meta.get("url"),
            )
        )
    for folder in ("gum_news_dev", "gum_more_dev"):
        for path in sorted((SHARED / folder).glob("*.txt")):
            texts.append(Text(f"{folder}:{path.name}", path.read_text("utf8")))
    for path in sorted((SHARED / "ecb_dev" / "docs").glob("*/*.txt")):
        texts.append(Text(f"ecb:{path.stem}", path.read_text("utf8")))
    for line in (SHARED / "plover_dev.jsonl").read_text("utf8").splitlines():
        record = json.loads(line)
        for key in ("text", "lower_text"):
            texts.append(Text(f"plover:{record['id']}:{key}", record[key]))
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        generated = build_corpus(Path(tmp), bench_docs)
    texts += [Text(f"bench:{i}", text) for i, text in enumerate(generated)]
    return texts


def _parse_key(texts: list[Text]) -> str:
    """The cache key of the parsed corpus: the texts and the code that normalizes and parses."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.doc_id.encode() + b"\0" + text.raw.encode() + b"\0")
    import etl.stages.anatomy as anatomy
    import etl.stages.nlp as nlp

    sources = [Path(nlp.__file__), Path(anatomy.__file__)]
    sources += sorted((Path(nlp.__file__).parent / "normalize").rglob("*.py"))
    for source in sources:
        digest.update(source.read_bytes())
    digest.update(nlp.DEFAULT_MODEL.encode())
    return digest.hexdigest()[:16]


def parsed_corpus(texts: list[Text]):
    """(normalized texts, Docs) of the corpus, parsed as a run parses them, cached on disk."""
    from spacy.tokens import DocBin

    from etl.stages.nlp import DEFAULT_MODEL, _vocab_for, parse_to_bytes
    from etl.stages.normalize import normalize

    cache = Path(tempfile.gettempdir()) / f"newsetl-bench-extract-{_parse_key(texts)}.pickle"
    if cache.exists():
        normalized, data = pickle.loads(cache.read_bytes())
    else:
        started = time.perf_counter()
        normalized = [normalize(text.raw) for text in texts]
        data, failures = parse_to_bytes(DEFAULT_MODEL, [n.text for n in normalized], 64)
        assert not failures, failures
        cache.write_bytes(pickle.dumps((normalized, data)))
        print(f"parsed {len(texts)} texts in {time.perf_counter() - started:.0f} s -> {cache}")
    docs = list(DocBin().from_bytes(data).get_docs(_vocab_for(DEFAULT_MODEL)))
    return normalized, docs


def extract_all(texts: list[Text], normalized, docs) -> list:
    from etl.stages.document import extract_document

    return [
        extract_document(
            doc, text.doc_id, published_at=text.published_at, url=text.url, to_raw=norm.raw_span
        )
        for text, norm, doc in zip(texts, normalized, docs, strict=True)
    ]


def record_lines(texts: list[Text], extracted: list) -> list[str]:
    """One JSON line per document with every record extraction made of it."""
    lines = []
    for text, document in zip(texts, extracted, strict=True):
        record = {
            "doc_id": text.doc_id,
            "sentences": document.sentences,
            "mentions": document.mentions,
            "events": document.events,
            "findings": [[f.rule, list(f.features)] for f in document.event_findings],
            "date_mentions": document.date_mentions,
            "n_words": document.n_words,
            "anatomy": dataclasses.asdict(document.anatomy),
            "parts": document.parts,
            "published_at": document.published_at,
            "published_at_source": document.published_at_source,
        }
        lines.append(json.dumps(record, sort_keys=True, default=str))
    return lines


def warm_up(texts: list[Text], normalized, docs) -> float:
    """CPU seconds of the one-time loads (lexicons, gazetteers, place index, scorer): a first
    extraction of a few documents of every kind, which a run pays once per process."""
    started = time.process_time()
    sample = [i for i, t in enumerate(texts) if t.doc_id.startswith("seed:")][:2]
    sample += [i for i, t in enumerate(texts) if t.doc_id.startswith("plover:")][:4]
    extract_all(*([column[i] for i in sample] for column in (texts, normalized, docs)))
    return time.process_time() - started


def dump(path: Path, bench_docs: int) -> None:
    texts = corpus(bench_docs)
    normalized, docs = parsed_corpus(texts)
    path.write_text("\n".join(record_lines(texts, extract_all(texts, normalized, docs))) + "\n")


def against(ref: str, bench_docs: int) -> bool:
    """Dump this tree's records and ``ref``'s (its ``etl`` package, this script) and compare."""
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-ref-") as tmp:
        work = Path(tmp)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", ref, "etl"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
        outputs = {}
        for name, root in (("ref", work), ("tree", REPO)):
            out = work / f"{name}.jsonl"
            env = {**os.environ, "PYTHONPATH": str(root)}
            args = [sys.executable, __file__, "--dump", str(out), "--bench-docs", str(bench_docs)]
            subprocess.run(args, env=env, check=True)
            outputs[name] = out.read_bytes()
        ref_lines = outputs["ref"].splitlines()
        tree_lines = outputs["tree"].splitlines()
        pairs = zip(ref_lines, tree_lines, strict=False)  # a differing count is a difference
        differing = [i for i, (a, b) in enumerate(pairs) if a != b]
        same = outputs["ref"] == outputs["tree"]
        digest = hashlib.sha256(outputs["tree"]).hexdigest()[:16]
        print(
            f"records of {len(tree_lines)} documents against {ref}: "
            f"{'identical' if same else 'DIFFERENT'} (sha256 {digest}, "
            f"{len(outputs['tree']):,} bytes)"
        )
        for i in differing[:5]:
            print(f"  differs: {json.loads(tree_lines[i])['doc_id']}")
        return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-docs", type=int, default=300)
    parser.add_argument("--time", action="store_true", help="CPU seconds per 1,000 documents.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed passes (the least counts).")
    parser.add_argument("--profile", action="store_true", help="cProfile the per-document work.")
    parser.add_argument("--only", default="", help="Documents whose id starts with this.")
    parser.add_argument("--dump", type=Path, help="Write every record as JSON lines.")
    parser.add_argument("--against", metavar="REF", help="Compare records with a git revision.")
    args = parser.parse_args()
    if args.dump:
        dump(args.dump, args.bench_docs)
        return
    if args.against and not against(args.against, args.bench_docs):
        sys.exit(1)
    if not (args.time or args.profile):
        return
    texts = corpus(args.bench_docs)
    normalized, docs = parsed_corpus(texts)
    loads_s = warm_up(texts, normalized, docs)
    chosen = [i for i, text in enumerate(texts) if text.doc_id.startswith(args.only)]
    texts = [texts[i] for i in chosen]
    normalized = [normalized[i] for i in chosen]
    docs = [docs[i] for i in chosen]
    words = sum(len(doc) for doc in docs)
    print(f"{len(docs)} documents, {words:,} tokens; one-time loads {loads_s:.2f} CPU s")
    if args.time:
        # The least of a few passes: other processes on a shared machine only add time.
        passes = []
        for _ in range(args.repeat):
            started = time.process_time()
            extract_all(texts, normalized, docs)
            passes.append(time.process_time() - started)
        spent = min(passes)
        print(
            f"extract_document: {spent:.2f} CPU s (least of {args.repeat}), "
            f"{1000 * spent / len(docs):.1f} s per 1,000 documents, "
            f"{1000 * spent / words:.2f} s per 1,000 tokens"
        )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        extract_all(texts, normalized, docs)
        profile.disable()
        stats = pstats.Stats(profile).sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()

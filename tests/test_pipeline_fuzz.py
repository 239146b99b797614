"""Pipeline-level fuzzing: odd, huge and broken documents through ingest -> normalize -> spaCy ->
extract, next to good ones.

Two parts, counted together at the end of the module ("pipeline-level cases: N passed"):

* Hypothesis documents (any Unicode, word salads, punctuation and whitespace storms) are written
  as files and run through the per-document path in this process; each must load with offsets
  that point at its own text, or be quarantined with a reason.
* One ``newsetl run`` over a folder of pathological files (``pathological_docs``: a 1.5 MB single
  line, 200,000 one-letter tokens, nested quotes, mixed and right-to-left scripts, emoji, control
  characters, binary and empty files, a JSONL file with bad lines ...) beside the seeds: it must
  exit 0, load every good document and quarantine every bad one with its reason.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import pytest
from case_tally import tally_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsetl_procs import base_env, run, run_args
from pathological_docs import JSONL_REFUSED, MAX_FILE_BYTES, NEWS, pathological_docs

from etl.records import Article, SourceFile
from etl.stages.document import process_articles
from etl.stages.ingest import read_articles
from etl.stages.nlp import InProcessParser

HYPOTHESIS_EXAMPLES = 40
WORDS = [*NEWS.split(), "''", '"', "(", ")", "--", "...", "\u2019s", "Mr.", "U.S.", "\n\n", "\t"]

documents = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=120).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=120).map("".join),
    st.text(alphabet=st.sampled_from("\"'()[]{}.,;:!?-\u2014\u2026 \n\t"), max_size=500),
    st.text(alphabet=st.characters(categories=["Lo", "Mn", "So", "Zs", "Cf"]), max_size=300),
)


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest):
    """Counts the pipeline-level cases that passed; prints the count when the module ends."""
    yield from tally_cases(request, lambda n: f"pipeline-level cases: {n} passed")


def check_rows_point_at_their_text(rows) -> None:
    """Every row of the batch lies inside its document's text and says what is there."""
    texts = {row["doc_id"]: row["text"] for row in rows.documents}
    raw_lengths = {row["doc_id"]: len(row["raw_text"]) for row in rows.documents}
    for row in [*rows.sentences, *rows.mentions, *rows.events, *rows.date_mentions]:
        assert 0 <= row["start_char"] <= row["end_char"] <= len(texts[row["doc_id"]])
        if "raw_start_char" in row:
            assert 0 <= row["raw_start_char"] <= row["raw_end_char"] <= raw_lengths[row["doc_id"]]
    for row in [*rows.sentences, *rows.mentions]:
        assert texts[row["doc_id"]][row["start_char"] : row["end_char"]] == row["text"]


@settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=documents)
def test_hypothesis_documents_load_or_are_quarantined(text: str, tally) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(text.encode("utf-8"))
        (record,) = read_articles(SourceFile(path, path.as_uri(), "txt"))
    if not isinstance(record, Article):
        assert record.reason  # refused at ingest (empty, control characters), with a reason
    else:
        rows = process_articles(
            [record], InProcessParser(batch_size=4), run_id="fuzz", load_date=date(2026, 1, 1)
        )
        assert len(rows.documents) + len(rows.quarantined) == 1
        if rows.quarantined:
            assert rows.quarantined[0].reason
        else:
            check_rows_point_at_their_text(rows)
    tally.append("hypothesis")


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory, seeds_dir):
    """One ``newsetl run`` over the pathological files and the seeds."""
    root = tmp_path_factory.mktemp("fuzz")
    source = root / "src"
    source.mkdir()
    for doc in pathological_docs():
        (source / doc.name).write_bytes(doc.data)
    seeds = sorted(seeds_dir.glob("*.txt"))
    for path in seeds:
        shutil.copy(path, source / f"seed-{path.name}")
    env = {**base_env(root / "prefect"), "NEWSETL_MAX_FILE_BYTES": str(MAX_FILE_BYTES)}
    done = run(run_args(source, root / "w.duckdb", root / "lake"), env, timeout_s=1800)
    return done, source.resolve(), root / "w.duckdb", [f"seed-{p.name}" for p in seeds]


@pytest.mark.flow
def test_one_run_over_pathological_files_loads_the_good_and_quarantines_the_bad(fuzz_run, tally):
    done, source, db, seed_names = fuzz_run
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(db), read_only=True) as conn:
        loaded = {uri for (uri,) in conn.sql("select source_uri from documents").fetchall()}
        reasons = dict(conn.sql("select source_uri, reason from quarantine").fetchall())
        misplaced = conn.sql(
            """select count(*) from entity_mentions m join documents d using (doc_id)
               where substr(d.text, m.start_char + 1, m.end_char - m.start_char) <> m.text"""
        ).fetchall()[0][0]
    assert misplaced == 0, "mention offsets must point at the mention in documents.text"
    expected_loaded = [(source / name).as_uri() for name in seed_names]
    expected_refused: dict[str, tuple[str, ...]] = {}
    for doc in pathological_docs():
        uri = (source / doc.name).as_uri()
        if doc.name.endswith(".jsonl"):
            for line in (1, 2, 3, 4):
                line_uri = f"{uri}#{line}"
                if line in JSONL_REFUSED:
                    expected_refused[line_uri] = JSONL_REFUSED[line]
                else:
                    expected_loaded.append(line_uri)
        elif doc.refused is None:
            expected_loaded.append(uri)
        else:
            expected_refused[uri] = doc.refused
    for uri in expected_loaded:
        assert uri in loaded, f"{uri} was not loaded (quarantined: {reasons.get(uri)})"
        tally.append(uri)
    for uri, words in expected_refused.items():
        assert uri in reasons, f"{uri} was not quarantined"
        for word in words:
            assert word in reasons[uri], f"{word!r} not in reason {reasons[uri]!r}"
        tally.append(uri)
    assert len(expected_loaded) + len(expected_refused) >= 30


@pytest.mark.flow
def test_the_long_single_line_loads_in_parts_with_offsets_into_it(fuzz_run):
    _, source, db, _ = fuzz_run
    uri = (source / "single-line-1_5mb.txt").as_uri()
    # The text is read once: joined to every sentence row, DuckDB would copy 1.5 MB per row.
    with duckdb.connect(str(db), read_only=True) as conn:
        doc_id, text, raw_text = conn.execute(
            "select doc_id, text, raw_text from documents where source_uri = ?", [uri]
        ).fetchone()
        sentences = conn.execute(
            "select sentence_idx, start_char, end_char, text from sentences where doc_id = ?",
            [doc_id],
        ).fetchall()
        mentions = conn.execute(
            """select start_char, end_char, raw_start_char, raw_end_char, text
               from entity_mentions where doc_id = ?""",
            [doc_id],
        ).fetchall()
    length = len(text)
    assert length > 1_000_000
    # Sentences run to the end of the text: every part was parsed and placed at its offset.
    assert max(end for _, _, end, _ in sentences) >= length - len(NEWS)
    assert len({idx for idx, _, _, _ in sentences}) == len(sentences) >= length // len(NEWS)
    assert all(text[start:end] == sentence for _, start, end, sentence in sentences)
    assert all(
        text[start:end] == name and raw_text[raw_start:raw_end] == name
        for start, end, raw_start, raw_end, name in mentions
    )
    n_people = sum(1 for *_, name in mentions if name == "Nursultan Nazarbaev")
    assert n_people >= (length // len(NEWS)) * 0.9

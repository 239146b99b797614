"""Incremental entity resolution and event clustering equal a full recomputation: after every
run (new documents, superseded ones, person names that relink documents loaded before, blocks
that grow past the size where only close dates are compared), the entity tables, every
mention's entity and label, every event's participants and cluster, the clusters and the
candidate pairs are what resolving and clustering the whole warehouse afresh gives."""

from __future__ import annotations

import json
import random
import shutil
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from etl import schema
from etl.ids import content_sha256, stable_id
from etl.run import commit, incremental, incremental_coref
from etl.settings import Settings
from etl.stages.resolve import clusters
from etl.storage.warehouse import load
from etl.storage.warehouse.engine import create_empty_warehouse
from etl.storage.warehouse.sqlfiles import read_sql

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "gum_news_dev" / "gold.jsonl"
GUM_LABELS = {"person": "PERSON", "place": "GPE", "organization": "ORG"}
COMPARED = {
    "entities": "entity_id",
    "entity_aliases": "entity_id, alias",
    "entity_tallies": "entity_id",
    "resolution_keys": "doc_id, role, key",
    "person_names": "key",
    "entity_mentions": "mention_id",
    "events": "event_id",
    "event_clusters": "cluster_id",
    "event_pairs": "first_event_id, second_event_id",
    "event_blocks": "block, event_id",
    "document_profiles": "doc_id, entity_id",
    "document_terms": "doc_id, term",
}
EVENT_TYPES = ("CONSULT", "ACCUSE", "AGREE")


def document(doc_id: str, text: str, spans: list[tuple[int, int, str]]) -> dict[str, list]:
    """Rows of one document: its mentions (start, end, label) and an event between the first
    two of them."""
    mentions = [
        {
            "mention_id": stable_id(doc_id, start, end),
            "doc_id": doc_id,
            "sentence_idx": 0,
            "start_char": start,
            "end_char": end,
            "raw_start_char": start,
            "raw_end_char": end,
            "text": text[start:end],
            "label": label,
            "spacy_label": label,
        }
        for start, end, label in spans
    ]
    # Events between consecutive mentions, dated around the document's day (some undated).
    rng = random.Random(doc_id)
    day = date(2020, 1, 1) + timedelta(days=rng.randrange(40))
    events = [
        {
            "event_id": stable_id(doc_id, "event", index),
            "doc_id": doc_id,
            "event_type": rng.choice(EVENT_TYPES),
            "actor_mention_id": first["mention_id"],
            "recipient_mention_id": second["mention_id"],
            "trigger_text": rng.choice(("met", "accused", "agreed")),
            "event_date": None if rng.random() < 0.2 else day + timedelta(days=rng.randrange(5)),
            "date_source": rng.choice(("sentence", "publication")),
        }
        for index, (first, second) in enumerate(pairwise(mentions[:6]))
    ]
    return {
        "documents": [
            {
                "doc_id": doc_id,
                "source_uri": f"file:///{doc_id}.txt",
                "raw_text": text,
                "text": text,
                "case_restored": False,
                "content_sha256": content_sha256(text),
                "run_id": "test",
                "publisher": rng.choice(("Reuters", "AP")),
                "published_at": day,
            }
        ],
        "mentions": mentions,
        "events": events,
    }


def spans_of(text: str, names: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each (surface, label), the n-th repeat at its n-th occurrence."""
    spans, seen = [], {}
    for surface, label in names:
        start = -1
        for _ in range(seen.get(surface, 0) + 1):
            start = text.index(surface, start + 1)
        seen[surface] = seen.get(surface, 0) + 1
        spans.append((start, start + len(surface), label))
    return spans


def made_up(doc_id: str, text: str, names: list[tuple[str, str]]) -> dict[str, list]:
    return document(doc_id, text, spans_of(text, names))


def gum_documents() -> list[dict[str, list]]:
    """GUM news texts with their named person, place and organization mentions."""
    if not GOLD.exists():
        pytest.skip("../shared/data/gum_news_dev not available")
    docs = []
    for line in GOLD.read_text("utf8").splitlines():
        record = json.loads(line)
        spans = {
            (m["name_start"], m["name_end"], GUM_LABELS[m["type"]])
            for m in record["entities"]
            if m["type"] in GUM_LABELS and m.get("name_text") and m["name_end"] > m["name_start"]
        }
        docs.append(document(record["doc_id"], record["text"], sorted(spans)))
    return docs


def run_batch(settings: Settings, run_id: str, docs: list[dict], superseded: list[str]) -> None:
    files = {}
    for table, table_schema in commit.BATCH_TABLES.items():
        rows = [row for doc in docs for row in doc.get(table, [])]
        files[table] = [commit.stage_table(settings, run_id, table, "0", rows, table_schema)]
    with load.connect(settings.db_path) as conn:
        commit.apply_documents(conn, settings, run_id, files, superseded)


def state(db_path: Path) -> dict[str, list]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
            for table, key in COMPARED.items()
        }


def full_recomputation(settings: Settings, tmp_path: Path) -> dict[str, list]:
    full = Settings(db_path=tmp_path / "full.duckdb", lake_dir=settings.lake_dir)
    shutil.copyfile(settings.db_path, full.db_path)
    with load.connect(full.db_path) as conn:
        commit.resolve_and_cluster(conn, full, "full")
    return state(full.db_path)


def assert_runs_equal_full(tmp_path: Path, batches: list[tuple[list[dict], list[str]]]) -> None:
    settings = Settings(db_path=tmp_path / "w.duckdb", lake_dir=tmp_path / "lake")
    create_empty_warehouse(settings.db_path)
    for number, (docs, superseded) in enumerate(batches):
        run_batch(settings, f"run-{number}", docs, superseded)
        incremental = state(settings.db_path)
        assert incremental["entities"], number
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            for data_test in ("tests/unique_keys.sql", "tests/resolved_references.sql"):
                assert con.execute(read_sql(data_test)).fetchall() == [], (number, data_test)
        full = full_recomputation(settings, tmp_path)
        for table in COMPARED:
            assert incremental[table] == full[table], (number, table)


def test_relinking_surnames_anchors_and_superseded_documents_equal_full(tmp_path):
    lone = made_up(
        "lone",
        "Smith met Garcia in Paris.",
        [("Smith", "PERSON"), ("Garcia", "ORG"), ("Paris", "GPE")],
    )
    nazarbayev = made_up(
        "nazarbayev",
        "Nursultan Nazarbayev met Omurbek Babanov. Nazarbayev thanked him.",
        [("Nursultan Nazarbayev", "PERSON"), ("Omurbek Babanov", "PERSON"), ("Nazarbayev", "ORG")],
    )
    laci = made_up(
        "laci", "Laci met Ana in Paris.", [("Laci", "PERSON"), ("Ana", "PERSON"), ("Paris", "GPE")]
    )
    first = [lone, nazarbayev, laci]
    # A full name makes the lone surname a person; a spelling that sorts first moves the anchor;
    # a first name makes "Laci" that person; one document is superseded by a new version.
    john = made_up(
        "john",
        "John Smith met Maria Garcia.",
        [("John Smith", "PERSON"), ("Maria Garcia", "PERSON")],
    )
    nazarbaev = made_up(
        "nazarbaev",
        "Nursultan Nazarbaev met Babanov in Astana.",
        [("Nursultan Nazarbaev", "PERSON"), ("Babanov", "PERSON"), ("Astana", "GPE")],
    )
    peterson = made_up(
        "peterson", "Laci Peterson met Smith.", [("Laci Peterson", "PERSON"), ("Smith", "PERSON")]
    )
    laci_v2 = made_up(
        "laci-v2", "Laci met Ana in Lima.", [("Laci", "PERSON"), ("Ana", "PERSON"), ("Lima", "GPE")]
    )
    second = [john, nazarbaev, peterson, laci_v2]
    # A second Smith makes the surname ambiguous; the spelling that moved the anchor goes away.
    jane = made_up(
        "jane",
        "Jane Smith met Omurbek Babanov.",
        [("Jane Smith", "PERSON"), ("Omurbek Babanov", "PERSON")],
    )
    third = [jane]
    assert_runs_equal_full(
        tmp_path, [(first, []), (second, ["laci"]), (third, ["nazarbaev", "lone"])]
    )


PEOPLE = ("Ana Lopez", "Omar Haddad", "Li Wei", "John Smith", "Jane Smith", "Olga Ivanova")
PLACES = ("Lima", "Nairobi", "Osaka")


def news_like(number: int) -> dict[str, list]:
    """A short report naming a few of a small cast (full names, surnames alone, places), so that
    documents share participants, salient entities and dates."""
    rng = random.Random(number)
    names = [*rng.sample(PEOPLE, 3), rng.choice(PLACES)]
    if rng.random() < 0.5:
        names.append(rng.choice(PEOPLE).split()[1])  # a surname alone
    text = ". ".join(f"{name} spoke" for name in names) + "."
    labels = [("GPE" if name in PLACES else "PERSON") for name in names]
    return made_up(f"news-{number}", text, list(zip(names, labels, strict=True)))


@pytest.mark.parametrize("max_full_block", [200, 6])
@pytest.mark.parametrize("forked", ["no", "held", "streamed"])
def test_many_related_reports_in_runs_equal_full(tmp_path, monkeypatch, max_full_block, forked):
    """Blocks grow past the size where only close dates are compared (at 6), and shrink back
    when reports are superseded. ``forked``: the commit's work split across processes as a
    large run's is (pair scoring, components; the run's documents grouped and tallied in
    slices, ``held``), or its documents ``streamed``: grouped as they stream by after their
    names, not held."""
    monkeypatch.setattr(clusters, "MAX_FULL_BLOCK", max_full_block)
    if forked != "no":
        monkeypatch.setattr(incremental_coref, "MIN_PAIRS_PER_PROCESS", 1)
        monkeypatch.setattr(incremental_coref, "available_cores", lambda: 2)
        monkeypatch.setattr(incremental, "MIN_MENTIONS_PER_PROCESS", 1)
        monkeypatch.setattr(incremental, "available_cores", lambda: 3)
    if forked == "streamed":
        monkeypatch.setattr(incremental, "MAX_HELD_MENTIONS", 0)
    runs = [
        ([news_like(n) for n in range(0, 6)], []),
        ([news_like(n) for n in range(6, 14)], ["news-2"]),
        ([news_like(n) for n in range(14, 17)], ["news-7", "news-8", "news-9", "news-10"]),
    ]
    assert_runs_equal_full(tmp_path, runs)


@pytest.mark.parametrize("max_full_block", [200, 6])
def test_reports_beyond_the_date_window_in_runs_equal_full(tmp_path, monkeypatch, max_full_block):
    """A publication-day window narrower than the reports' dates spread (a day; dates read from
    the text within one day too): pairs in every block are pruned by date, and a block crossing
    the size changes only its undated and publication-dated members' pairs."""
    monkeypatch.setattr(clusters, "MAX_FULL_BLOCK", max_full_block)
    monkeypatch.setattr(clusters, "_learned_window", lambda: {"publication_days": 1})
    monkeypatch.setattr(clusters, "widest_gap", lambda model: 1)
    runs = [
        ([news_like(n) for n in range(0, 6)], []),
        ([news_like(n) for n in range(6, 14)], ["news-2"]),
        ([news_like(n) for n in range(14, 17)], ["news-7", "news-8", "news-9", "news-10"]),
    ]
    assert_runs_equal_full(tmp_path, runs)


@pytest.mark.parametrize("max_full_block", [200, 4])
def test_gum_news_loaded_in_random_runs_equals_full(tmp_path, monkeypatch, max_full_block):
    monkeypatch.setattr(clusters, "MAX_FULL_BLOCK", max_full_block)
    docs = gum_documents()
    rng = random.Random(19)
    rng.shuffle(docs)
    batches, loaded = [], []
    for start in range(0, len(docs), max(1, len(docs) // 4)):
        batch = docs[start : start + max(1, len(docs) // 4)]
        superseded = rng.sample(loaded, min(2, len(loaded)))
        loaded = [doc_id for doc_id in loaded if doc_id not in superseded]
        loaded.extend(doc["documents"][0]["doc_id"] for doc in batch)
        batches.append((batch, superseded))
    assert_runs_equal_full(tmp_path, batches)


def test_warehouse_without_resolution_state_is_resolved_in_full_once(tmp_path):
    settings = Settings(db_path=tmp_path / "w.duckdb", lake_dir=tmp_path / "lake")
    create_empty_warehouse(settings.db_path)
    doc = made_up("one", "Ana Lopez met Smith.", [("Ana Lopez", "PERSON"), ("Smith", "PERSON")])
    run_batch(settings, "run-0", [doc], [])
    with load.connect(settings.db_path) as conn:  # as an older release left it
        conn.exec_driver_sql("DELETE FROM entity_tallies")
        conn.exec_driver_sql("DELETE FROM resolution_keys")
        assert not load.resolution_state_complete(conn)
    other = made_up("two", "Ana Lopez met Lima.", [("Ana Lopez", "PERSON"), ("Lima", "GPE")])
    run_batch(settings, "run-1", [other], [])
    assert state(settings.db_path) == full_recomputation(settings, tmp_path)
    assert len(state(settings.db_path)["entity_tallies"]) == len(
        state(settings.db_path)["entities"]
    )
    assert schema.ENTITY_TALLIES.names[0] == "entity_id"


def test_warehouse_without_stored_person_names_links_them_once(tmp_path):
    """A warehouse resolved before ``person_names`` existed: its names are linked in full once
    and stored, and the run equals a full recomputation."""
    settings = Settings(db_path=tmp_path / "w.duckdb", lake_dir=tmp_path / "lake")
    create_empty_warehouse(settings.db_path)
    first = made_up(
        "one", "Ana Lopez met John Smith.", [("Ana Lopez", "PERSON"), ("John Smith", "PERSON")]
    )
    run_batch(settings, "run-0", [first], [])
    with load.connect(settings.db_path) as conn:
        conn.exec_driver_sql("DELETE FROM person_names")
    other = made_up("two", "Smith met Ana Lopes.", [("Smith", "PERSON"), ("Ana Lopes", "PERSON")])
    run_batch(settings, "run-1", [other], [])
    assert state(settings.db_path) == full_recomputation(settings, tmp_path)
    assert len(state(settings.db_path)["person_names"]) == 3


def test_runs_resolved_in_forked_slices_equal_runs_resolved_in_one_process(tmp_path, monkeypatch):
    """The run's documents grouped and tallied in slices across processes (a first run's
    commit) give every row that one process gives."""
    runs = [
        ([news_like(n) for n in range(0, 9)], []),
        ([news_like(n) for n in range(9, 15)], ["news-2", "news-4"]),
    ]
    states = {}
    for forked in (False, True):
        if forked:
            monkeypatch.setattr(incremental, "MIN_MENTIONS_PER_PROCESS", 1)
            monkeypatch.setattr(incremental, "available_cores", lambda: 3)
        folder = tmp_path / str(forked)
        settings = Settings(db_path=folder / "w.duckdb", lake_dir=folder / "lake")
        folder.mkdir()
        create_empty_warehouse(settings.db_path)
        states[forked] = []
        for number, (docs, superseded) in enumerate(runs):
            run_batch(settings, f"run-{number}", docs, superseded)
            states[forked].append(state(settings.db_path))
    assert states[True] == states[False]
    assert states[False][0]["entities"]


def test_slices_are_whole_documents_in_order_with_enough_mentions_each(monkeypatch):
    import pyarrow as pa

    doc_ids = [
        doc for doc in ("a", "b", "c", "d") for _ in range({"a": 5, "b": 1, "c": 3, "d": 3}[doc])
    ]
    mentions = pa.table({"doc_id": doc_ids, "n": list(range(len(doc_ids)))})
    documents = pa.table({"doc_id": ["a", "b", "c", "d"], "text": ["", "", "", ""]})
    monkeypatch.setattr(incremental, "MIN_MENTIONS_PER_PROCESS", 4)
    slices = incremental._slices([(mentions, documents)], 4)
    assert len(slices) == 3  # 12 mentions, at least 4 a slice
    held = [sorted(set(part[0][0].column("doc_id").to_pylist())) for part in slices]
    assert held == [["a"], ["b", "c"], ["d"]]
    assert [part[0][1].column("doc_id").to_pylist() for part in slices] == held
    assert incremental._slices([(mentions, documents)], 1) == [[(mentions, documents)]]

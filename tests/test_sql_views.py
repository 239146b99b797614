"""The analyst views and table macros of sql/, and each worked example in sql/queries/, on the
seed warehouse built by the real flow.

Expectations are robust to small extraction changes (exact counts are recomputed here from the
base tables in plain Python rather than written down) but fail when the SQL is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from etl.storage.warehouse.query import check_read_only

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
QUERY_FILES = sorted((SQL_DIR / "queries").glob("*.sql"))
SEED_DAY = dt.date(2017, 9, 20)
PUBLISHERS = {"RFE/RL", "Reuters"}


def rows(conn, sql: str, params: list | None = None) -> list[dict]:
    relation = conn.execute(sql, params or [])
    names = [d[0] for d in relation.description]
    return [dict(zip(names, values, strict=True)) for values in relation.fetchall()]


def run_example(seed_db, name: str) -> list[dict]:
    path = SQL_DIR / "queries" / name
    with seed_db() as conn:
        return rows(conn, path.read_text(encoding="utf-8"))


def entity_ids_for(conn, form: str) -> set[str]:
    """Entities whose name or an alias equals ``form`` (case-insensitive), computed in Python."""
    named = rows(conn, "SELECT entity_id, name AS form FROM entities")
    aliased = rows(conn, "SELECT entity_id, alias AS form FROM entity_aliases")
    return {r["entity_id"] for r in named + aliased if r["form"].lower() == form.lower()}


@pytest.fixture(scope="module")
def base(seed_db) -> dict[str, list[dict]]:
    with seed_db() as conn:
        return {
            "documents": rows(conn, "SELECT doc_id, publisher, published_at FROM documents"),
            "mentions": rows(
                conn, "SELECT doc_id, sentence_idx, entity_id, text FROM entity_mentions"
            ),
            "entities": rows(conn, "SELECT entity_id, name FROM entities"),
        }


def test_query_files_have_a_question_header_and_one_select():
    assert len(QUERY_FILES) >= 5
    for path in QUERY_FILES:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- Question:"), path.name
        statement = check_read_only(text)
        assert re.match(r"\s*(--[^\n]*\n\s*)*SELECT\b", text, re.IGNORECASE), path.name
        assert statement


def test_every_view_and_macro_file_is_in_the_warehouse(seed_db):
    with seed_db() as conn:
        views = {r["view_name"] for r in rows(conn, "SELECT view_name FROM duckdb_views()")}
        macros = {
            r["function_name"]
            for r in rows(
                conn,
                "SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro'",
            )
        }
    for path in sorted((SQL_DIR / "views").glob("*.sql")):
        for name in re.findall(r"CREATE OR REPLACE VIEW (\w+)", path.read_text()):
            assert name in views, path.name
    for path in sorted((SQL_DIR / "macros").glob("*.sql")):
        for name in re.findall(r"CREATE OR REPLACE MACRO (\w+)", path.read_text()):
            assert name in macros, path.name


def test_detail_views_keep_every_row_exactly_once(seed_db):
    with seed_db() as conn:
        count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        assert count("SELECT count(*) FROM entity_mentions") > 0
        assert count("SELECT count(*) FROM mention_details") == count(
            "SELECT count(*) FROM entity_mentions"
        )
        assert count("SELECT count(DISTINCT mention_id) FROM mention_details") == count(
            "SELECT count(*) FROM entity_mentions"
        )
        assert count("SELECT count(*) FROM event_details") == count("SELECT count(*) FROM events")
        assert count("SELECT sum(n_mentions) FROM entity_daily_counts") == count(
            "SELECT count(*) FROM entity_mentions WHERE entity_id IS NOT NULL"
        )
        assert count("SELECT sum(n_event_mentions) FROM event_reports") == count(
            "SELECT count(*) FROM events WHERE cluster_id IS NOT NULL"
        )
        assert count("SELECT count(*) FROM entity_names") == count(
            "SELECT (SELECT count(*) FROM entities) + (SELECT count(*) FROM entity_aliases)"
        )


def test_entity_timeline_of_nazarbayev(seed_db, base):
    result = run_example(seed_db, "01_entity_timeline.sql")
    with seed_db() as conn:
        ids = entity_ids_for(conn, "Nazarbayev")
    assert ids, "the seeds mention Nazarbayev"
    expected_docs = {m["doc_id"] for m in base["mentions"] if m["entity_id"] in ids}
    assert {r["doc_id"] for r in result} == expected_docs
    publisher_of = {d["doc_id"]: d["publisher"] for d in base["documents"]}
    assert {r["publisher"] for r in result} == PUBLISHERS
    assert {publisher_of[r["doc_id"]] for r in result} == PUBLISHERS
    counts = Counter(m["doc_id"] for m in base["mentions"] if m["entity_id"] in ids)
    assert {r["doc_id"]: r["n_mentions"] for r in result} == dict(counts)
    assert all(r["report_date"] == SEED_DAY for r in result)
    forms = {form for r in result for form in r["mention_forms"]}
    assert any("Nazarbaev" in f for f in forms) and any("Nazarbayev" in f for f in forms)
    assert [r["report_date"] for r in result] == sorted(r["report_date"] for r in result)


def test_entity_timeline_matches_any_spelling_case_and_word(seed_db):
    with seed_db() as conn:
        by = lambda q: {r["doc_id"] for r in rows(conn, "FROM entity_timeline(?)", [q])}  # noqa: E731
        assert by("Nazarbayev")
        assert by("nazarbaev") == by("Nazarbayev") == by("NURSULTAN NAZARBAYEV")
        assert by("Nursultan") == by("Nazarbayev")  # one whole word of the name
        assert by("no such entity anywhere") == set()
        assert by("Nazarb") == set()  # a word fragment is not a name


def test_events_between_kyrgyzstan_and_kazakhstan(seed_db):
    result = run_example(seed_db, "02_events_between_countries.sql")
    assert result
    assert all(dt.date(2017, 9, 1) <= r["event_day"] <= dt.date(2017, 9, 30) for r in result)
    assert {r["publisher"] for r in result} == PUBLISHERS
    with seed_db() as conn:
        full = rows(conn, "FROM events_between('KGZ', 'KAZ', '2017-09-01', '2017-09-30')")
        swapped = rows(conn, "FROM events_between('kaz', 'kgz', '2017-09-01', '2017-09-30')")
        october = rows(conn, "FROM events_between('KGZ', 'KAZ', '2017-10-01', '2017-10-31')")
        expected = conn.execute(
            """SELECT count(*) FROM events ev
               JOIN entities a ON a.entity_id = ev.actor_entity_id
               JOIN entities r ON r.entity_id = ev.recipient_entity_id
               JOIN documents d ON d.doc_id = ev.doc_id
               WHERE list_sort([a.country_code, r.country_code]) = ['KAZ', 'KGZ']
                 AND coalesce(ev.event_date, d.published_at) BETWEEN '2017-09-01' AND '2017-09-30'
            """
        ).fetchone()[0]
    assert len(full) == len(result) == expected
    assert sorted(r["event_id"] for r in swapped) == sorted(r["event_id"] for r in full)
    for r in full:
        assert {r["actor_country_code"], r["recipient_country_code"]} == {"KGZ", "KAZ"}
    assert october == []


def test_who_reported_the_meeting(seed_db):
    result = run_example(seed_db, "03_who_reported_the_meeting.sql")
    assert result
    assert {r["publisher"] for r in result} == PUBLISHERS
    by_cluster: dict[str, set[str]] = defaultdict(set)
    for r in result:
        by_cluster[r["cluster_id"]].add(r["publisher"])
    assert any(publishers == PUBLISHERS for publishers in by_cluster.values())
    for r in result:
        assert r["n_publishers"] == len(by_cluster[r["cluster_id"]])
        assert r["n_event_mentions"] >= 1 and r["doc_ids"]
    with seed_db() as conn:
        types = {r["event_type"] for r in rows(conn, "FROM who_reported('consult', 'Nazarbaev')")}
        assert types == {"CONSULT"}
        assert rows(conn, "FROM who_reported('CONSULT', 'no such entity anywhere')") == []


def test_top_entities_on_the_seed_day(seed_db, base):
    result = run_example(seed_db, "04_top_entities_on_a_day.sql")
    day_docs = {d["doc_id"] for d in base["documents"] if d["published_at"] == SEED_DAY}
    docs_per_entity: dict[str, set[str]] = defaultdict(set)
    mentions_per_entity: Counter = Counter()
    for m in base["mentions"]:
        if m["doc_id"] in day_docs and m["entity_id"]:
            docs_per_entity[m["entity_id"]].add(m["doc_id"])
            mentions_per_entity[m["entity_id"]] += 1
    name_of = {e["entity_id"]: e["name"] for e in base["entities"]}
    ranking = sorted(
        docs_per_entity,
        key=lambda e: (-len(docs_per_entity[e]), -mentions_per_entity[e], name_of[e]),
    )
    assert [r["rank"] for r in result] == list(range(1, 6))
    assert [r["name"] for r in result] == [name_of[e] for e in ranking[:5]]
    assert [r["n_mentions"] for r in result] == [mentions_per_entity[e] for e in ranking[:5]]
    assert {"Kyrgyzstan", "Kazakhstan"} <= {r["name"] for r in result}
    with seed_db() as conn:
        assert rows(conn, "FROM top_entities('2017-09-21')") == []
        assert len(rows(conn, "FROM top_entities('2017-09-20')")) == min(10, len(ranking))


def test_entities_co_mentioned_with_babanov(seed_db, base):
    result = run_example(seed_db, "05_co_mentioned_with_babanov.sql")
    with seed_db() as conn:
        target = entity_ids_for(conn, "Babanov")
        everything = rows(conn, "FROM co_mentioned('Babanov')")
    assert target
    target_docs = {m["doc_id"] for m in base["mentions"] if m["entity_id"] in target}
    target_sentences = {
        (m["doc_id"], m["sentence_idx"]) for m in base["mentions"] if m["entity_id"] in target
    }
    docs: dict[str, set] = defaultdict(set)
    sentences: dict[str, set] = defaultdict(set)
    for m in base["mentions"]:
        entity = m["entity_id"]
        if entity and entity not in target and m["doc_id"] in target_docs:
            docs[entity].add(m["doc_id"])
            if (m["doc_id"], m["sentence_idx"]) in target_sentences:
                sentences[entity].add((m["doc_id"], m["sentence_idx"]))
    name_of = {e["entity_id"]: e["name"] for e in base["entities"]}
    assert {r["entity_id"]: (r["n_documents"], r["n_sentences"]) for r in everything} == {
        e: (len(docs[e]), len(sentences[e])) for e in docs
    }
    assert len(result) == min(10, len(docs))
    nazarbayev = [r for r in result if "Nazarba" in r["name"]]
    assert nazarbayev and nazarbayev[0]["n_documents"] == 2 and nazarbayev[0]["n_sentences"] >= 1
    assert all(name_of[t] not in {r["name"] for r in everything} for t in target)

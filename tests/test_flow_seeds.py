"""The whole flow on the seeds: content the analysts rely on, and idempotent re-runs."""

from __future__ import annotations

import re
import shutil

import pytest

from flows.pipeline import newsetl_run
from tests.conftest import make_settings
from tests.newsetl_procs import warehouse_state

pytestmark = pytest.mark.flow

TABLES = (
    "documents",
    "sentences",
    "date_mentions",
    "entities",
    "entity_aliases",
    "entity_mentions",
    "events",
    "event_clusters",
    "quarantine",
)


def squash(text: str) -> str:
    """Lowercase without spaces or apostrophes: what restoration may change."""
    return re.sub(r"[\s'’]", "", text.lower())


def rows(connect, sql, *params):
    with connect() as con:
        return con.execute(sql, list(params)).fetchall()


def table_fingerprints(db_path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every table but runs."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            table: con.execute(
                f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} AS t"
            ).fetchone()
            for table in TABLES
        }


def test_both_documents_loaded_and_reuters_restored(seed_db):
    docs = dict(rows(seed_db, "SELECT publisher, case_restored FROM documents"))
    assert docs == {"RFE/RL": False, "Reuters": True}
    (text,) = rows(seed_db, "SELECT text FROM documents WHERE publisher = 'Reuters'")[0]
    assert text.startswith("BISHKEK (Reuters) - Kyrgyzstan accused Kazakhstan")
    assert "Kazakhstan's Foreign Ministry" in text
    assert "Nursultan Nazarbayev" in text
    assert " ," not in text and " ." not in text
    for line in text.splitlines():
        assert line[:1].isupper(), line


def test_rfe_rl_text_is_unchanged(seed_db, seeds_dir):
    (raw, text) = rows(seed_db, "SELECT raw_text, text FROM documents WHERE publisher='RFE/RL'")[0]
    assert text == raw.rstrip("\n")
    assert raw == (seeds_dir / "000_ee074c9f644e6634.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("label", "spellings"),
    [
        ("PERSON", ("Nazarbaev", "Nazarbayev")),
        ("PERSON", ("Babanov",)),
        ("PERSON", ("Atambaev", "Atambayev")),
        ("PERSON", ("Jeenbekov",)),
        ("GPE", ("Kyrgyzstan",)),
        ("GPE", ("Kazakhstan",)),
    ],
)
def test_mentions_in_both_documents(seed_db, label, spellings):
    found = rows(
        seed_db,
        """
        SELECT d.publisher, count(*)
        FROM entity_mentions m JOIN documents d USING (doc_id)
        WHERE m.label = ? AND list_has_any(
            regexp_extract_all(m.text, '[A-Za-z]+'), ?::VARCHAR[])
        GROUP BY 1
        """,
        label,
        list(spellings),
    )
    assert {publisher for publisher, _ in found} == {"RFE/RL", "Reuters"}


def test_mention_labels_are_their_entities_labels_and_spacy_labels_are_kept(seed_db):
    mismatched = rows(
        seed_db,
        """
        SELECT m.text, m.label, e.label
        FROM entity_mentions m JOIN entities e USING (entity_id)
        WHERE m.label <> e.label OR (m.spacy_label IS NULL AND m.antecedent_mention_id IS NULL)
        """,
    )
    assert mismatched == []
    people = rows(
        seed_db,
        """
        SELECT DISTINCT m.label FROM entity_mentions m
        WHERE list_has_any(regexp_extract_all(m.text, '[A-Za-z]+'),
                           ['Babanov', 'Nazarbayev', 'Nazarbaev', 'Atambayev', 'Atambaev'])
        """,
    )
    assert people == [("PERSON",)]
    countries = rows(
        seed_db,
        "SELECT DISTINCT m.label FROM entity_mentions m JOIN entities e USING (entity_id) "
        "WHERE e.country_code IS NOT NULL AND e.name IN ('Kazakhstan', 'Kyrgyzstan')",
    )
    assert countries == [("GPE",)]


def test_mention_offsets_point_at_the_same_words(seed_db):
    for text, start, end, raw_start, raw_end, doc_text, raw_text in rows(
        seed_db,
        """
        SELECT m.text, m.start_char, m.end_char, m.raw_start_char, m.raw_end_char, d.text,
               d.raw_text
        FROM entity_mentions m JOIN documents d USING (doc_id)
        """,
    ):
        assert doc_text[start:end] == text
        assert squash(raw_text[raw_start:raw_end]) == squash(text)


def test_seed_people_are_one_entity_each(seed_db):
    for spellings in (("Nazarbaev", "Nazarbayev"), ("Atambaev", "Atambayev"), ("Babanov",)):
        found = rows(
            seed_db,
            """
            SELECT DISTINCT m.entity_id, count(DISTINCT m.doc_id) OVER (PARTITION BY m.entity_id)
            FROM entity_mentions m
            WHERE list_has_any(regexp_extract_all(m.text, '[A-Za-z]+'), ?::VARCHAR[])
              AND m.label = 'PERSON'
            """,
            list(spellings),
        )
        assert len(found) == 1, (spellings, found)
        assert found[0][1] == 2


def test_meeting_and_accusation_events(seed_db):
    def events(event_type, actor, recipient):
        """(publisher, event date, cluster id, cluster date, cluster publishers) of the events."""
        return rows(
            seed_db,
            """
            SELECT DISTINCT d.publisher, e.event_date, c.cluster_id, c.event_date, c.n_publishers
            FROM events e
            JOIN documents d USING (doc_id)
            JOIN event_clusters c USING (cluster_id)
            JOIN entities a ON a.entity_id = e.actor_entity_id
            JOIN entities r ON r.entity_id = e.recipient_entity_id
            WHERE e.event_type = ? AND a.name ILIKE ? AND r.name ILIKE ?
            """,
            event_type,
            actor,
            recipient,
        )

    def clusters(found):
        return {(str(day), n_publishers) for _, _, _, day, n_publishers in found}

    meeting = events("CONSULT", "%Nazarba%", "%Babanov%")
    assert {row[0] for row in meeting} == {"RFE/RL", "Reuters"}
    # The ledes ("after Kazakhstan's president met with a Kyrgyz presidential candidate") state
    # no date of their own, so their events carry the publication day (date_source
    # 'publication': uncertain). The meeting is one event all the same: every report of it is in
    # one cluster, and the cluster's date is the one its reports' sentences give, the 19th.
    assert len({row[2] for row in meeting}) == 1
    assert clusters(meeting) == {("2017-09-19", 2)}
    accusation = events("ACCUSE", "Kyrgyzstan", "Kazakhstan")
    assert {row[0] for row in accusation} == {"RFE/RL", "Reuters"}
    assert {str(row[1]) for row in accusation} == {"2017-09-20"}
    assert len({row[2] for row in accusation}) == 1
    assert clusters(accusation) == {("2017-09-20", 2)}


def test_meeting_place_reply_resignation_and_negated_support(seed_db):
    meeting_places = rows(
        seed_db,
        """
        SELECT DISTINCT d.publisher, e.location_text, e.location_country_code
        FROM events e JOIN documents d USING (doc_id)
        JOIN entities a ON a.entity_id = e.actor_entity_id
        JOIN entities r ON r.entity_id = e.recipient_entity_id
        WHERE e.event_type = 'CONSULT' AND e.event_date = DATE '2017-09-19'
          AND a.name ILIKE '%Nazarba%' AND r.name ILIKE '%Babanov%'
          AND e.location_country_code IS NOT NULL
        """,
    )
    assert ("RFE/RL", "Almaty", "KAZ") in meeting_places
    assert {p for p, _, _ in meeting_places} == {"RFE/RL", "Reuters"}
    replies = rows(
        seed_db,
        """
        SELECT DISTINCT d.publisher FROM events e JOIN documents d USING (doc_id)
        WHERE e.event_type IN ('REJECT', 'ACCUSE') AND e.event_date = DATE '2017-09-20'
          AND e.actor_text ILIKE '%Kazakhstan%' AND e.recipient_text ILIKE '%Bishkek%'
        """,
    )
    assert {p for (p,) in replies} == {"RFE/RL", "Reuters"}
    stepped_down = rows(
        seed_db,
        """
        SELECT e.event_date FROM events e JOIN entities a ON a.entity_id = e.actor_entity_id
        WHERE e.event_type = 'RETREAT' AND a.name ILIKE '%Jeenbekov%'
        """,
    )
    assert stepped_down and {str(d)[:7] for (d,) in stepped_down} == {"2017-08"}
    support = rows(
        seed_db,
        """
        SELECT e.negated, e.factuality FROM events e
        JOIN entities a ON a.entity_id = e.actor_entity_id
        WHERE e.event_type = 'SUPPORT' AND a.name ILIKE '%Nazarba%'
        """,
    )
    assert (True, "negated") in support


def test_election_date_is_a_date_mention(seed_db):
    found = rows(
        seed_db,
        """
        SELECT d.publisher, m.text, m.granularity, m.sentence_idx,
               substr(d.text, m.start_char + 1, m.end_char - m.start_char),
               substr(d.raw_text, m.raw_start_char + 1, m.raw_end_char - m.raw_start_char)
        FROM date_mentions m JOIN documents d USING (doc_id)
        WHERE m.resolved_date = DATE '2017-10-15'
        """,
    )
    # Only Reuters names the day; RFE/RL says "just over three weeks before" the election.
    # Sentence 1: the dateline "BISHKEK (Reuters) -" is sentence 0 of its own.
    assert [(p, t.lower(), g, i, normalized, raw) for p, t, g, i, normalized, raw in found] == [
        ("Reuters", "oct. 15", "day", 1, "Oct. 15", "oct. 15")
    ]


def test_date_mentions_name_the_dates_events_use(seed_db):
    linked = rows(
        seed_db,
        """
        SELECT DISTINCT d.publisher, e.event_type, m.resolved_date = e.event_date
        FROM date_mentions m JOIN events e USING (event_id) JOIN documents d ON d.doc_id = m.doc_id
        """,
    )
    assert ("Reuters", "ACCUSE", True) in linked and ("RFE/RL", "CONSULT", True) in linked
    assert all(same for _, _, same in linked)
    dangling = rows(
        seed_db,
        "SELECT count(*) FROM date_mentions m WHERE m.event_id IS NOT NULL "
        "AND m.event_id NOT IN (SELECT event_id FROM events)",
    )
    assert dangling == [(0,)]


def test_same_event_reported_twice_is_one_cluster(seed_db):
    clusters = rows(
        seed_db,
        """
        SELECT c.event_type, c.n_publishers
        FROM event_clusters c
        JOIN entities a ON a.entity_id = c.actor_entity_id
        JOIN entities r ON r.entity_id = c.recipient_entity_id
        WHERE (c.event_type = 'ACCUSE' AND a.name = 'Kyrgyzstan' AND r.name = 'Kazakhstan')
           OR (c.event_type = 'CONSULT' AND a.name ILIKE '%Nazarba%' AND r.name ILIKE '%Babanov%')
           OR (c.event_type = 'CONSULT' AND r.name ILIKE '%Nazarba%' AND a.name ILIKE '%Babanov%')
        """,
    )
    assert sorted(clusters) == [("ACCUSE", 2), ("CONSULT", 2)]


def test_run_is_recorded(seed_run, seed_db):
    _, summary = seed_run
    run = rows(
        seed_db,
        "SELECT status, docs_seen, docs_loaded, docs_unchanged, docs_quarantined FROM runs "
        "WHERE run_id = ?",
        summary.run_id,
    )
    assert run == [("succeeded", 2, 2, 0, 0)]


def test_lake_has_every_table(seed_run):
    import pyarrow.dataset as ds

    settings, summary = seed_run
    for table in (*TABLES, "runs"):
        dataset = ds.dataset(settings.lake_dir / table, format="parquet", partitioning="hive")
        assert dataset.count_rows() == (summary.table_counts.get(table) or dataset.count_rows())
    assert not (settings.lake_dir / "_staging").exists() or not any(
        (settings.lake_dir / "_staging").iterdir()
    )


def test_rerun_changes_nothing_and_changed_file_replaces_its_rows(
    prefect_harness, seeds_dir, tmp_path
):
    source = tmp_path / "source"
    shutil.copytree(seeds_dir, source)
    settings = make_settings(tmp_path / "out", source)
    first = newsetl_run(settings=settings)
    before = table_fingerprints(settings.db_path)

    again = newsetl_run(settings=settings)
    assert again.docs_unchanged == 2 and again.docs_loaded == 0
    assert table_fingerprints(settings.db_path) == before

    reuters = source / "004_fb51ec9794fbacba.txt"
    reuters.write_text(reuters.read_text() + "kazakhstan denied the accusation on thursday .\n")
    changed = newsetl_run(settings=settings)
    assert changed.docs_loaded == 1 and changed.docs_unchanged == 1
    import duckdb

    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
        assert con.execute(
            "SELECT count(*) FROM documents WHERE text LIKE '%denied the accusation%'"
        ).fetchone() == (1,)
        for table in ("entity_mentions", "date_mentions", "sentences", "events"):
            orphans = con.execute(
                f"SELECT count(*) FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
            ).fetchone()
            assert orphans == (0,), table
        # The changed document's date mentions are replaced, not added to.
        assert con.execute(
            "SELECT count(*) FILTER (text = 'Thursday'), count(*) FILTER (text = 'Wednesday') "
            "FROM date_mentions"
        ).fetchone() == (1, 1)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (3,)
    assert first.run_id != changed.run_id


def test_unreadable_file_is_quarantined_every_run_until_fixed(
    prefect_harness, seeds_dir, tmp_path, monkeypatch
):
    source = tmp_path / "source"
    shutil.copytree(seeds_dir, source)
    (source / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    # The source typed relative to the working directory is recorded resolved.
    monkeypatch.chdir(tmp_path)
    settings = make_settings(tmp_path / "out", source).updated(source_dir="source")
    summary = newsetl_run(settings=settings)
    assert summary.docs_quarantined == 1 and summary.docs_loaded == 2
    assert summary.files_seen == 3 and summary.source == str(source.resolve())
    again = newsetl_run(settings=settings)
    import duckdb

    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows_by_run = con.execute(
            "SELECT run_id, source_uri, reason FROM quarantine ORDER BY run_id"
        ).fetchall()
        current = con.execute(
            "SELECT run_id, source_uri, source FROM quarantine_current"
        ).fetchall()
        sources = {s for (s,) in con.execute("SELECT source FROM runs").fetchall()}
    # One row per run and file, the same reason each time.
    assert [r[0] for r in rows_by_run] == [summary.run_id, again.run_id]
    assert all(uri.endswith("broken.txt") and reason for _, uri, reason in rows_by_run)
    assert current == [(again.run_id, rows_by_run[0][1], str(source.resolve()))]
    assert sources == {str(source.resolve())}

    (source / "broken.txt").write_text("The broken file was replaced by a readable article.\n")
    fixed = newsetl_run(settings=settings)
    assert fixed.docs_quarantined == 0
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quarantine_current").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (2,)


def test_resolution_one_document_at_a_time_gives_the_same_warehouse(seed_run, seeds_dir, tmp_path):
    reference, _ = seed_run
    settings = make_settings(tmp_path, seeds_dir, resolution_chunk_docs=1)
    newsetl_run(settings=settings)
    assert warehouse_state(settings.db_path) == warehouse_state(reference.db_path)

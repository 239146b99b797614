"""Event coreference on the seeds, through the real flow: each story's event is one cluster;
older warehouses gain the new event_clusters columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from etl import schema
from etl.storage.warehouse.engine import make_engine
from etl.storage.warehouse.load import upgrade_schema


def test_the_meeting_is_one_cluster_of_both_publishers_on_its_day(seed_db):
    with seed_db() as con:
        found = con.execute(
            """
            SELECT c.cluster_id, c.n_publishers, c.event_date, c.date_source,
                   c.first_reported_at, c.last_reported_at, c.confidence,
                   list(DISTINCT e.location_country_code)
                       FILTER (WHERE e.location_country_code IS NOT NULL)
            FROM event_clusters AS c
            JOIN events AS e USING (cluster_id)
            WHERE e.event_type = 'CONSULT' AND e.event_date = DATE '2017-09-19'
            GROUP BY ALL
            """
        ).fetchall()
        babanov_meetings = con.execute(
            """
            SELECT count(DISTINCT e.cluster_id)
            FROM events AS e
            JOIN entities AS a ON a.entity_id IN (e.actor_entity_id, e.recipient_entity_id)
            WHERE e.event_type = 'CONSULT' AND a.name ILIKE '%Babanov%'
            """
        ).fetchone()[0]
    assert len(found) == 1
    _, n_publishers, day, source, first, last, confidence, countries = found[0]
    assert (n_publishers, day, source) == (2, date(2017, 9, 19), "sentence")
    assert first == last == date(2017, 9, 20)
    assert countries == ["KAZ"]  # Almaty
    assert 0.0 < confidence <= 1.0
    assert babanov_meetings == 1


def test_an_earlier_meeting_of_the_same_leader_stays_its_own_event(seed_db):
    with seed_db() as con:
        clusters = con.execute(
            """
            SELECT event_date, count(DISTINCT cluster_id)
            FROM events
            WHERE event_type = 'CONSULT' AND date_source = 'sentence'
            GROUP BY ALL ORDER BY 1
            """
        ).fetchall()
        shared = con.execute(
            """
            SELECT count(*) FROM (
                SELECT cluster_id FROM events WHERE event_type = 'CONSULT'
                    AND date_source = 'sentence'
                GROUP BY cluster_id HAVING count(DISTINCT event_date) > 1)
            """
        ).fetchone()[0]
    assert len(clusters) >= 2  # 2017-08-01 and 2017-09-19
    assert shared == 0


def test_an_older_warehouse_gains_the_new_event_cluster_columns(tmp_path):
    """A warehouse of the release before event coreference (tests/warehouse_v1.sql) gains the
    event_clusters columns when a run opens it."""
    db_path = tmp_path / "old.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute((Path(__file__).parent / "warehouse_v1.sql").read_text())
        old_columns = [row[0] for row in con.execute("DESCRIBE event_clusters").fetchall()]
    assert "confidence" not in old_columns
    engine = make_engine(db_path)
    try:
        with engine.connect() as conn:
            upgrade_schema(conn)
            upgrade_schema(conn)  # a no-op once up to date
            conn.commit()
            columns = [row[0] for row in conn.exec_driver_sql("DESCRIBE event_clusters")]
    finally:
        engine.dispose()
    assert columns == schema.EVENT_CLUSTERS.names

"""The story check (``tests/data/story``): its gold file is built from its annotations and
documents, every annotated trigger is found where it says, and ``newsetl eval coref`` reads it."""

from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path

from etl.evaluate.coref import gold_mentions, largest_cluster_share, match_all
from etl.evaluate.entities import read_gold

STORY = Path(__file__).parent / "data" / "story"


def test_the_committed_gold_is_what_make_gold_builds(tmp_path):
    copy = tmp_path / "story"
    shutil.copytree(STORY, copy, ignore=shutil.ignore_patterns("gold.jsonl", "__pycache__"))
    runpy.run_path(str(copy / "make_gold.py"), run_name="__main__")
    assert (copy / "gold.jsonl").read_text(encoding="utf-8") == (STORY / "gold.jsonl").read_text(
        encoding="utf-8"
    )


def test_every_gold_mention_is_its_trigger_in_the_document_text():
    documents = read_gold(STORY / "gold.jsonl")
    for document in documents:
        text = (STORY / "docs" / f"{document['doc']}.txt").read_text(encoding="utf-8")
        assert text == document["text"]
        for mention in document["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]
    meeting_reports = {
        d["doc"] for d in documents if any(m["instance"] == "M" for m in d["mentions"])
    }
    assert len(meeting_reports) >= 10  # a multi-publisher story, as the hidden one
    publishers = {
        json.loads((STORY / "docs" / f"{d['doc']}.meta.json").read_text())["publisher"]
        for d in documents
    }
    assert len(publishers) >= 10


def test_one_cluster_per_reported_event_scores_a_share_of_one():
    gold = gold_mentions(read_gold(STORY / "gold.jsonl"), "events")
    one_cluster_each = {
        doc: [(start, end, instance) for start, end, instance in spans]
        for doc, spans in gold.items()
    }
    matched = match_all(gold, one_cluster_each)
    docs_of: dict[str, set[str]] = {}
    for doc, spans in gold.items():
        for _, _, instance in spans:
            docs_of.setdefault(instance, set()).add(doc)
    multi = {instance for instance, docs in docs_of.items() if len(docs) >= 2}
    assert set(largest_cluster_share(matched, docs_of, multi).values()) == {1.0}


def test_the_story_loaded_by_the_flow_keeps_each_meeting_apart_and_its_reports_together(
    prefect_harness, tmp_path
):
    """The real flow over the rewrites: every report of the September meeting whose meeting was
    extracted shares one cluster, most reports of the protest note share one, and the meetings
    of August (dated in the text) and November (dated only by its publication day, eight weeks
    later) stay events of their own."""
    import duckdb

    from etl.evaluate.coref import evaluate_coref
    from flows.pipeline import newsetl_run
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, STORY / "docs")
    newsetl_run(settings=settings)
    events = evaluate_coref(STORY / "gold.jsonl", settings.db_path)["warehouse"]["events"]
    gold = gold_mentions(read_gold(STORY / "gold.jsonl"), "events")
    reports = {doc for doc, spans in gold.items() if any(m[2] == "M" for m in spans)}
    assert events["largest_cluster_share"]["M"] >= 0.5
    # The protest note, worded "protested", "accused", "a note of protest" by different
    # publishers, is one complaint (ACCUSE, mode disapprove) in most of its reports.
    assert events["largest_cluster_share"]["P"] >= 0.8
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        clusters = dict(
            con.execute(
                """
                SELECT regexp_extract(d.source_uri, '(s[0-9]+)\\.txt$', 1),
                       list(DISTINCT e.cluster_id)
                FROM events AS e JOIN documents AS d USING (doc_id)
                WHERE e.event_type = 'CONSULT' AND e.trigger_text = 'met'
                GROUP BY ALL
                """
            ).fetchall()
        )
    september = {cluster for doc in reports for cluster in clusters.get(doc[6:], [])}
    assert september
    assert not september & (set(clusters["s12"]) | set(clusters["s13"]))

"""Incremental planning as a plain function: new, changed, unchanged and duplicate articles."""

from __future__ import annotations

import pyarrow as pa

from etl.ids import content_sha256, stable_id
from etl.records import Article
from etl.run.plan import batches, plan_load


def article(text: str, uri: str) -> Article:
    sha = content_sha256(text)
    return Article(stable_id(sha), uri, text, sha, "utf-8")


def loaded(*articles: Article) -> pa.Table:
    return pa.table(
        {
            "doc_id": [a.doc_id for a in articles],
            "source_uri": [a.source_uri for a in articles],
            "content_sha256": [a.content_sha256 for a in articles],
        }
    )


def test_new_articles_are_processed():
    plan = plan_load([article("a", "file:///a"), article("b", "file:///b")], loaded())
    assert [a.source_uri for a in plan.to_process] == ["file:///a", "file:///b"]
    assert plan.unchanged == 0 and plan.superseded_doc_ids == []
    assert plan.changes_anything


def test_unchanged_content_is_skipped():
    old = article("a", "file:///a")
    plan = plan_load([article("a", "file:///a")], loaded(old))
    assert plan.to_process == [] and plan.unchanged == 1
    assert not plan.changes_anything


def test_changed_content_supersedes_the_previous_version():
    old = article("a", "file:///a")
    new = article("a, revised", "file:///a")
    plan = plan_load([new], loaded(old))
    assert plan.to_process == [new]
    assert plan.superseded_doc_ids == [old.doc_id]


def test_same_text_under_two_names_is_loaded_once():
    plan = plan_load([article("same", "file:///x"), article("same", "file:///y")], loaded())
    assert len(plan.to_process) == 1 and plan.unchanged == 1


def test_batches_keep_order_and_size():
    items = [article(str(i), f"file:///{i}") for i in range(5)]
    assert [len(b) for b in batches(items, 2)] == [2, 2, 1]
    assert [a for b in batches(items, 2) for a in b] == items

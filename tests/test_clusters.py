"""Event coreference: reports of one event share a cluster; other events, dates and families stay
apart; ids are deterministic; candidate pairs are blocked."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from etl import schema
from etl.ids import stable_id
from etl.stages.resolve import clusters as clustering
from etl.stages.resolve.clusters import (
    FEATURES,
    CorefModel,
    Event,
    average_link,
    candidate_pairs,
    cluster_events,
    document_profiles,
    family_of,
    same_predicate,
    trigger_stem,
)

EVENT_COLUMNS = schema.EXTRACTED_EVENTS.append(pa.field("actor_entity_id", pa.string())).append(
    pa.field("recipient_entity_id", pa.string())
)
SALIENT = [
    {"entity_id": "KGZ", "n_mentions": 5, "n_documents": 3},
    {"entity_id": "KAZ", "n_mentions": 4, "n_documents": 3},
    {"entity_id": "NAZ", "n_mentions": 3, "n_documents": 2},
]


def event(event_id, doc_id, event_type, actor, recipient, day, trigger="accused", source=None):
    row = dict.fromkeys(EVENT_COLUMNS.names)
    row.update(
        event_id=event_id,
        doc_id=doc_id,
        event_type=event_type,
        actor_entity_id=actor,
        recipient_entity_id=recipient,
        event_date=day,
        trigger_text=trigger,
        date_source=source or ("sentence" if day else None),
    )
    return row


DOCUMENTS = pa.Table.from_pylist(
    [
        {
            "doc_id": doc_id,
            "publisher": publisher,
            "published_at": published,
            "n_corpus_documents": 100,
            "salient_entities": SALIENT,
        }
        for doc_id, publisher, published in [
            ("rferl", "RFE/RL", date(2017, 9, 20)),
            ("reuters", "Reuters", date(2017, 9, 21)),
            ("reuters2", "Reuters", None),
        ]
    ]
)


def run(rows: list[dict], model: CorefModel | None = None):
    events = pa.Table.from_pylist(rows, schema=EVENT_COLUMNS)
    cluster_map, clusters = cluster_events(events, DOCUMENTS, model)
    return dict(zip(*cluster_map.to_pydict().values(), strict=True)), {
        row["cluster_id"]: row for row in clusters.to_pylist()
    }


def test_same_event_reported_by_two_publishers_is_one_cluster():
    rows = [
        event("e1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e2", "reuters", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20), "accusations"),
        event("e3", "reuters2", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 21)),
    ]
    cluster_of, clusters = run(rows)
    assert cluster_of["e1"] == cluster_of["e2"] == cluster_of["e3"] == stable_id("e1")
    cluster = clusters[cluster_of["e1"]]
    assert (cluster["n_mentions"], cluster["n_documents"], cluster["n_publishers"]) == (3, 3, 2)
    assert cluster["event_date"] == date(2017, 9, 20)
    assert cluster["date_source"] == "sentence"
    assert (cluster["first_reported_at"], cluster["last_reported_at"]) == (
        date(2017, 9, 20),
        date(2017, 9, 21),
    )
    assert (cluster["actor_entity_id"], cluster["recipient_entity_id"]) == ("KGZ", "KAZ")
    assert 0.0 < cluster["confidence"] <= 1.0


def test_meetings_of_the_same_people_weeks_apart_stay_two_events():
    rows = [
        event("m1", "rferl", "CONSULT", "NAZ", "KGZ", date(2017, 9, 19), "met"),
        event("m2", "reuters", "CONSULT", "KGZ", "NAZ", date(2017, 9, 19), "met"),
        event("m3", "reuters2", "CONSULT", "NAZ", "KGZ", date(2017, 8, 1), "met"),
    ]
    cluster_of, clusters = run(rows)
    assert cluster_of["m1"] == cluster_of["m2"] != cluster_of["m3"]
    assert clusters[cluster_of["m1"]]["n_publishers"] == 2


def test_types_of_different_families_are_never_compared():
    assert family_of("ACCUSE") == family_of("PROTEST") != family_of("ASSAULT")
    rows = [
        event("e1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20), "attacked"),
        event("e2", "reuters", "ASSAULT", "KGZ", "KAZ", date(2017, 9, 20), "attacked"),
    ]
    cluster_of, clusters = run(rows)
    assert cluster_of["e1"] != cluster_of["e2"]
    assert len(clusters) == 2


def test_related_types_of_one_family_may_corefer():
    everything = CorefModel((-1.0, *[0.0] * (len(FEATURES) - 1), 0.0), 0.2, 1)
    rows = [
        event("e1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e2", "reuters", "PROTEST", "KGZ", "KAZ", date(2017, 9, 20), "protest"),
    ]
    cluster_of, _ = run(rows, everything)
    assert cluster_of["e1"] == cluster_of["e2"]


def test_events_sharing_no_entity_or_document_are_not_candidates():
    lonely = pa.Table.from_pylist(
        [
            {"doc_id": doc_id, "publisher": None, "published_at": None, "salient_entities": []}
            for doc_id in ("a", "b")
        ]
    )
    events = [
        Event("e1", "a", "ACCUSE", None, None, date(2017, 9, 20), "sentence", trigger_text="x"),
        Event("e2", "b", "ACCUSE", None, None, date(2017, 9, 20), "sentence", trigger_text="x"),
        Event("e3", "b", "ACCUSE", None, None, None, trigger_text="y"),
    ]
    assert candidate_pairs(events, document_profiles(lonely), 7) == [(1, 2)]


def test_large_blocks_compare_only_events_dated_close_together(monkeypatch):
    monkeypatch.setattr(clustering, "MAX_FULL_BLOCK", 2)
    events = [
        Event("e1", "a", "ACCUSE", "KGZ", None, date(2017, 9, 1), "sentence"),
        Event("e2", "b", "ACCUSE", "KGZ", None, date(2017, 9, 2), "sentence"),
        Event("e3", "c", "ACCUSE", "KGZ", None, date(2017, 12, 1), "sentence"),
        Event("e4", "d", "ACCUSE", "KGZ", None, None),
    ]
    assert candidate_pairs(events, {}, 1) == [(0, 1)]


def test_average_link_does_not_chain_through_one_event():
    events = [Event(f"e{i}", f"d{i}", "ACCUSE", None, None, None) for i in range(3)]
    model = CorefModel((0.0,) * (len(FEATURES) + 1), 0.6, 1)
    # e0-e1 and e1-e2 are likely, e0-e2 was never compared: e2 would join at mean 0.85/2.
    found = average_link(events, {(0, 1): 0.9, (1, 2): 0.85}, model)
    assert sorted(sorted(cluster.members) for cluster in found) == [[0, 1], [2]]
    joined = next(cluster for cluster in found if len(cluster.members) == 2)
    assert joined.confidence == pytest.approx(0.9)


def test_clustering_does_not_depend_on_row_order_and_reruns_identically():
    rows = [
        event("e2", "reuters", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e3", "reuters", "ACCUSE", "KGZ", None, date(2017, 9, 20)),
        event("e4", "reuters2", "ASSAULT", "KGZ", None, None, "shot"),
    ]
    assert run(rows) == run(list(reversed(rows))) == run(rows)


def test_trigger_stems_meet_for_forms_of_one_predicate():
    assert same_predicate(trigger_stem("accusations"), trigger_stem("accused"))
    assert same_predicate(trigger_stem("killed"), trigger_stem("killing"))
    assert not same_predicate(trigger_stem("met"), trigger_stem("accused"))
    assert not same_predicate(None, trigger_stem("met"))


def test_irregular_forms_of_one_predicate_meet_through_the_lemma_table():
    assert same_predicate(trigger_stem("shot"), trigger_stem("shooting"))
    assert same_predicate(trigger_stem("struck"), trigger_stem("strikes"))
    assert same_predicate(trigger_stem("opened fire"), trigger_stem("fired"))
    assert not same_predicate(trigger_stem("shot"), trigger_stem("struck"))


def test_trigger_lemma_table_keeps_only_inflections_of_lexicon_heads():
    from etl.stages.resolve.build_trigger_lemmas import trigger_lemmas

    lookup = {"shot": "shoot", "Shooting": "shoot", "shoot": "shoot", "cats": "cat", "a b": "shoot"}
    assert trigger_lemmas(lookup, {"shoot"}) == {"shot": "shoot", "shooting": "shoot"}


def test_reports_sharing_their_particular_words_are_textually_similar():
    def terms(*words):
        return [{"term": word, "n": 2, "n_documents": 2} for word in words]

    documents = pa.Table.from_pylist(
        [
            {
                "doc_id": "escape",
                "n_corpus_documents": 50,
                "distinctive_terms": terms("inmate", "handcuffs", "guards", "escape", "the"),
            },
            {
                "doc_id": "escape2",
                "n_corpus_documents": 50,
                "distinctive_terms": terms("inmate", "handcuffs", "escape", "which"),
            },
            {
                "doc_id": "patch",
                "n_corpus_documents": 50,
                "distinctive_terms": terms("microsoft", "patch", "browser", "the", "which"),
            },
        ]
    )
    profiles = document_profiles(documents)
    assert "the" not in profiles["escape"].terms  # a stop word never counts
    assert profiles["escape"].text_similarity(profiles["escape2"]) > 0.8
    assert profiles["escape"].text_similarity(profiles["patch"]) == 0.0
    assert profiles["patch"].text_similarity(profiles["patch"]) == pytest.approx(1.0)


def test_another_word_for_the_same_kind_of_act_counts_as_the_same_mode():
    from etl.stages.resolve.clusters import pair_features

    profile = document_profiles(DOCUMENTS)["rferl"]
    day = date(2011, 11, 10)

    def arrest(event_id, trigger, mode):
        return Event(event_id, event_id, "COERCE", None, None, day, trigger_text=trigger, mode=mode)

    def same_mode(first, second):
        features = dict(zip(FEATURES, pair_features(first, second, profile, profile), strict=True))
        return features["same_mode_other_trigger"], features["same_trigger"]

    nabbed, arrested = arrest("a", "nabbed", "arrest"), arrest("b", "arrested", "arrest")
    assert same_mode(nabbed, arrested) == (1.0, 0.0)
    assert same_mode(arrested, arrest("c", "arrests", "arrest")) == (0.0, 1.0)
    assert same_mode(nabbed, arrest("d", "seized", "confiscate")) == (0.0, 0.0)
    assert same_mode(arrest("e", "held", None), arrest("f", "detained", None)) == (0.0, 0.0)


def test_shared_participants_count_as_one_event_only_on_the_same_day():
    from etl.stages.resolve.clusters import pair_features

    profile = document_profiles(DOCUMENTS)["rferl"]

    def meeting(event_id, day, source="sentence", recipient="KGZ"):
        return Event(
            event_id, event_id, "CONSULT", "NAZ", recipient, day, source, trigger_text="met"
        )

    def same_day(first, second):
        features = dict(zip(FEATURES, pair_features(first, second, profile, profile), strict=True))
        return features["participant_overlap_same_day"], features["participant_overlap"]

    on_19 = meeting("a", date(2017, 9, 19))
    assert same_day(on_19, meeting("b", date(2017, 9, 19))) == (1.0, 1.0)
    # A report of the 20th dated only by its publication may tell of the meeting of the 19th.
    assert same_day(on_19, meeting("c", date(2017, 9, 20), "publication")) == (1.0, 1.0)
    one_of_three = pytest.approx((1 / 3, 1 / 3))  # NAZ shared of NAZ, KGZ, KAZ
    assert same_day(on_19, meeting("d", date(2017, 9, 19), recipient="KAZ")) == one_of_three
    # The same people weeks apart, or on a day nobody knows, are no evidence of one event.
    assert same_day(on_19, meeting("e", date(2017, 11, 14))) == (0.0, 1.0)
    assert same_day(on_19, meeting("f", None, None)) == (0.0, 1.0)
    # Inside one document a story's steps share its people: participants do not count there.
    assert same_day(on_19, on_19._replace(event_id="g")) == (0.0, 0.0)


def test_one_act_by_the_same_actor_toward_the_same_recipient_on_one_day_is_one_event():
    from dataclasses import replace

    from etl.stages.resolve.clusters import one_act_one_day

    # A model that merges nothing by itself: only the rule can join these reports.
    strict = replace(clustering.default_model(), threshold=0.999)
    rows = [
        event("t1", "rferl", "CONSULT", "NAZ", "BAB", date(2017, 9, 19), "talks"),
        event("t2", "reuters", "CONSULT", "NAZ", "BAB", date(2017, 9, 20), "received"),
    ]
    cluster_of, _ = run(rows, strict)
    assert cluster_of["t1"] == cluster_of["t2"]

    def report(doc_id, actor="NAZ", recipient="BAB", day=date(2017, 9, 19), source="sentence"):
        return Event(doc_id, doc_id, "CONSULT", actor, recipient, day, source)

    first = report("rferl")
    assert one_act_one_day(first, report("reuters"))
    # Not the rule's: the other direction, a day only of publication, days apart, one
    # participant, another type, the same document.
    assert not one_act_one_day(first, report("reuters", "BAB", "NAZ"))
    assert not one_act_one_day(first, report("reuters", source="publication"))
    assert not one_act_one_day(first, report("reuters", day=date(2017, 9, 22)))
    assert not one_act_one_day(report("a", recipient=None), report("b", recipient=None))
    assert not one_act_one_day(first, report("reuters")._replace(event_type="ACCUSE"))
    assert not one_act_one_day(first, first._replace(event_id="again"))


def test_a_publication_slack_keeps_meetings_weeks_apart_apart_when_no_text_dates_them():
    from dataclasses import replace

    bounded = replace(clustering.default_model(), publication_slack_days=7)
    rows = [
        event("m1", "rferl", "CONSULT", "NAZ", "KGZ", date(2017, 9, 20), "met", "publication"),
        event("m2", "reuters", "CONSULT", "KGZ", "NAZ", date(2017, 9, 19), "met"),
        event("m3", "reuters2", "CONSULT", "NAZ", "KGZ", date(2017, 8, 28), "met", "publication"),
    ]
    cluster_of, clusters = run(rows, bounded)
    # The report of the 20th may tell of the meeting of the 19th; the one of August 28 may not.
    assert cluster_of["m1"] == cluster_of["m2"] != cluster_of["m3"]
    assert clusters[cluster_of["m1"]]["event_date"] == date(2017, 9, 19)


def test_a_family_slack_bounds_meetings_by_their_publication_day_but_not_attacks(monkeypatch):
    """Meetings are reported on their day or soon after; a killing may be reported at a trial
    weeks later: the publication slack of a type family overrides the overall one (when the
    candidate window, learned apart, compares reports that far apart)."""
    from dataclasses import replace

    monkeypatch.setattr(clustering, "_learned_window", lambda: {"publication_days": 365})
    # Pairs scored by their trigger alone (the same word: 0.88), so that only the slacks,
    # not the fitted weights, decide which reports join.
    only_trigger = [0.0] * (len(FEATURES) + 1)
    only_trigger[0], only_trigger[1 + FEATURES.index("same_trigger")] = -2.0, 4.0
    model = replace(
        clustering.default_model(),
        weights=tuple(only_trigger),
        threshold=0.5,
        publication_slack_days=None,
        family_publication_slack={family_of("CONSULT"): 7},
    )
    assert model.publication_slack("AGREE") == 7 and model.publication_slack("ASSAULT") is None
    november = date(2017, 11, 14)
    rows = [
        event("m1", "rferl", "CONSULT", "NAZ", "KGZ", date(2017, 9, 19), "met"),
        event("m2", "reuters", "CONSULT", "NAZ", "KGZ", date(2017, 9, 20), "met", "publication"),
        event("m3", "reuters2", "CONSULT", "NAZ", "KGZ", november, "met", "publication"),
        event("k1", "rferl", "ASSAULT", "NAZ", "KGZ", date(2017, 9, 19), "killed"),
        event("k2", "reuters2", "ASSAULT", "NAZ", "KGZ", november, "killed", "publication"),
    ]
    cluster_of, _ = run(rows, model)
    assert cluster_of["m1"] == cluster_of["m2"] != cluster_of["m3"]
    assert cluster_of["k1"] == cluster_of["k2"]


def test_the_committed_model_reads_its_family_slacks():
    import json

    data = json.loads(clustering.MODEL_PATH.read_text(encoding="utf-8"))
    model = CorefModel.from_json(data)
    assert model.family_publication_slack == (data.get("family_publication_slack_days") or {})
    for family, slack in model.family_publication_slack.items():
        kind = next(k for k, f in clustering.type_families().items() if f == family)
        assert model.publication_slack(kind) == slack


def test_documents_for_clustering_lists_each_documents_distinctive_opening_words():
    import duckdb

    from etl.storage.warehouse.sqlfiles import read_sql, split_statements

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE documents (doc_id VARCHAR, publisher VARCHAR, published_at DATE, "
        "text VARCHAR)"
    )
    con.execute(
        "CREATE TABLE entity_mentions "
        "(doc_id VARCHAR, entity_id VARCHAR, antecedent_mention_id VARCHAR, repeated BOOLEAN)"
    )
    escape = "The inmate escaped. Guards found the inmate's handcuffs. " + "x" * 2000 + " zebra"
    con.executemany(
        "INSERT INTO documents VALUES (?, NULL, NULL, ?)",
        [
            ("a", escape),
            ("b", "An inmate escaped from the prison."),
            ("c", "Microsoft patched the browser."),
        ],
    )
    con.execute(
        "INSERT INTO entity_mentions VALUES ('a', 'E1', NULL, FALSE), ('a', 'E1', NULL, NULL), "
        "('b', 'E1', NULL, FALSE)"
    )
    # A further, untagged occurrence of a tagged name (repeated) is left out of the counts, and
    # a document whose only mention of an entity is such an occurrence has no salient entity.
    con.execute(
        "INSERT INTO entity_mentions VALUES ('a', 'E1', NULL, TRUE), ('c', 'E1', NULL, TRUE)"
    )
    con.execute("CREATE TABLE entities AS SELECT 'E1' AS entity_id, 2 AS n_documents")
    con.execute(
        "CREATE TABLE document_terms (doc_id VARCHAR, term VARCHAR, n BIGINT, weight DOUBLE)"
    )

    def count_words(doc_ids: list[str]) -> None:
        for statement in split_statements(read_sql("load/document_term_counts.sql")):
            con.execute(statement, {"doc_ids": doc_ids})

    # Every document's opening words are counted once, in document_terms.
    count_words(["a", "b", "c"])
    assert con.execute(
        "SELECT n FROM document_terms WHERE doc_id = 'a' AND term = 'inmate'"
    ).fetchall() == [(2,)]
    query = read_sql("load/documents_for_clustering.sql")
    found = {row[0]: row for row in con.execute(query, {"all": True, "chunk_ids": []}).fetchall()}
    # A chunk of the run's new documents: word frequencies count all of them.
    chunk = con.execute(query, {"all": False, "chunk_ids": ["a"]})
    assert [row[5] for row in chunk.fetchall()] == [found["a"][5]]
    # Profiles of new documents count the stored documents' words (document_terms), not texts;
    # counting a document's words again replaces its rows.
    con.execute("DELETE FROM documents WHERE doc_id = 'b'")
    con.execute("DELETE FROM document_terms WHERE doc_id = 'b'")
    con.execute("INSERT INTO document_terms VALUES ('b', 'inmate', 1, NULL)")
    count_words(["a"])
    only_a = con.execute(query, {"all": False, "chunk_ids": ["a"]}).fetchall()
    assert [row[0] for row in only_a] == ["a"]
    assert {t["term"]: t["n_documents"] for t in only_a[0][5]}["inmate"] == 2
    terms = {
        doc: {t["term"]: (t["n"], t["n_documents"]) for t in row[5]} for doc, row in found.items()
    }
    assert terms["a"]["inmate"] == (2, 2)
    assert "zebra" not in terms["a"]  # past the opening
    assert set(terms["c"]) == {"microsoft", "patched", "the", "browser"}
    assert found["a"][4] == [{"entity_id": "E1", "n_mentions": 2, "n_documents": 2}]
    assert found["c"][4] is None and found["c"][3] == 3


def test_a_directed_act_and_its_reply_are_two_events_however_alike():
    from etl.stages.resolve.clusters import reversed_roles

    def act(doc_id, event_type, actor, recipient, countries=(None, None)):
        return Event(doc_id, doc_id, event_type, actor, recipient, date(2017, 9, 20))._replace(
            mode="disapprove", actor_country_code=countries[0], recipient_country_code=countries[1]
        )

    protest = act("a", "ACCUSE", "KGZ", "KAZ", ("KGZ", "KAZ"))
    # The other way round, by entity or by the parties' countries (a ministry and a capital).
    assert reversed_roles(protest, act("b", "ACCUSE", "KAZ", "KGZ"))
    assert reversed_roles(protest, act("b", "REJECT", "MFA", "BISHKEK", ("KAZ", "KGZ")))
    # The same direction, one party missing, a mutual family, one country on both sides.
    assert not reversed_roles(protest, act("b", "ACCUSE", "KGZ", "KAZ"))
    assert not reversed_roles(protest, act("b", "ACCUSE", "KAZ", None))
    assert not reversed_roles(act("a", "CONSULT", "NAZ", "BAB"), act("b", "CONSULT", "BAB", "NAZ"))
    assert not reversed_roles(
        act("a", "ACCUSE", "POLICE", "SUSPECT", ("USA", "USA")),
        act("b", "ACCUSE", "SUSPECT", "POLICE", ("USA", "USA")),
    )
    # Scored 0 by clustering: the reply stays apart even where the model would merge it.
    rows = [
        event("p1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("p2", "reuters", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("r1", "reuters2", "ACCUSE", "KAZ", "KGZ", date(2017, 9, 20)),
    ]
    cluster_of, _ = run(rows)
    assert cluster_of["p1"] == cluster_of["p2"] != cluster_of["r1"]


def test_a_repeated_predicate_counts_by_how_alike_the_two_reports_read():
    from etl.stages.resolve.clusters import DocumentProfile, pair_feature_rows, pair_features

    release = {"prison": 0.6, "inmate": 0.8}
    profiles = {
        "first": DocumentProfile(None, None, {}, release),
        "alike": DocumentProfile(None, None, {}, {"prison": 0.8, "inmate": 0.6}),
        "other": DocumentProfile(None, None, {}, {"album": 1.0}),
    }

    def released(event_id, doc_id, trigger="released"):
        return Event(event_id, doc_id, "RETREAT", None, None, None, trigger_text=trigger)

    events = [
        released("a", "first"),
        released("b", "alike"),
        released("c", "other"),
        released("d", "alike", "freed"),
        released("e", "first", "releases"),
    ]
    pairs = [(0, 1), (0, 2), (0, 3), (0, 4)]
    at = FEATURES.index("same_trigger_text_similarity")
    values = [
        pair_features(events[i], events[j], profiles[events[i].doc_id], profiles[events[j].doc_id])
        for i, j in pairs
    ]
    # Same predicate: the reports' text similarity (0.96); another text shares the word but
    # nothing else; another predicate, or the same document, gives nothing.
    assert [row[at] for row in values] == pytest.approx([0.96, 0.0, 0.0, 0.0])
    # The array path the pipeline and the fitter read gives the same values to the bit.
    rows, _, _ = pair_feature_rows(events, pairs, profiles)
    assert rows.tolist() == [list(row) for row in values]


def test_smallest_members_are_each_components_smallest_node():
    """The components found by array are those of a union-find, one edge at a time (chains
    long enough to need many rounds, isolated nodes, repeated edges)."""
    import random
    from itertools import pairwise

    import numpy as np

    from etl.stages.resolve.clusters import smallest_members

    rng = random.Random(11)
    for _ in range(200):
        n = rng.randint(1, 80)
        edges = [tuple(rng.sample(range(n), 2)) for _ in range(rng.randint(0, 90)) if n > 1]
        edges += [(k, k + 1) for k in range(rng.randint(0, n - 1))]  # a chain from 0
        chain = list(range(n))
        rng.shuffle(chain)
        edges += list(pairwise(chain))[: rng.randint(0, n)]  # a chain in any order
        parent = list(range(n))

        def root(node, parent=parent):
            while parent[node] != node:
                node = parent[node]
            return node

        for i, j in edges:
            a, b = root(i), root(j)
            parent[max(a, b)] = min(a, b)
        first = np.array([i for i, _ in edges], np.int64)
        second = np.array([j for _, j in edges], np.int64)
        assert smallest_members(n, first, second).tolist() == [root(k) for k in range(n)]

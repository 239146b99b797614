"""The ECB+ event-recall diagnostic: which gold instances it scores."""

from etl.evaluate.event_misses import multi_document_instances


def _mention(instance, kind="event", in_coref=True):
    return {"instance": instance, "kind": kind, "in_coref_sentence": in_coref}


def test_only_events_reported_by_two_documents_in_coreference_sentences_are_scored():
    gold = [
        {"doc": "1/a", "mentions": [_mention("shot"), _mention("met"), _mention("J", "entity")]},
        {"doc": "1/b", "mentions": [_mention("shot"), _mention("met", in_coref=False)]},
        {"doc": "1/c", "mentions": [_mention("J", "entity"), _mention("fled"), _mention("fled")]},
    ]
    # "met" is in a second document only outside its coreference sentences; "fled" in one.
    assert multi_document_instances(gold) == {"shot"}

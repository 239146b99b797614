"""Cross-document entity coreference on ECB+ topic by topic: where a resolution change gains.

``python -m etl.evaluate.coref_topics --db WAREHOUSE [--gold GOLD] [--examples N]
[--surname-dominance X]`` scores the
entity ids of an ECB+ warehouse built by ``newsetl run`` (*before*: the ids stored in it) and the
ids this tree's resolution gives the same mention rows (*after*: ``entity_misses``
re-resolves them, no parsing), both matched to the gold like ``newsetl eval coref``, and prints:

* per topic, cross-document pairwise precision / recall / F1 before and after, and the change;
* the **leave-one-topic-out view of the change**: the F1 over all topics when one topic keeps
  its *before* pairs, for each topic. A change whose gain comes from one topic (a rule written
  while reading it) shows as one topic whose removal takes most of the gain away;
* the missed gold cross-document pairs *after*, by cause (``entity_misses.cause``: description
  unresolved, possessive, label split, place vs org, surname only, initial, spelling ...), with
  the number of topics each cause costs pairs in and its largest topic's share, so work can go
  where the loss spreads over many topics;
* the wrongly merged pairs after, by cause (``entity_misses.wrong_cause``: a description's
  antecedent, one name for two gold things, a short form, a demonym ...), the same way;
* the **unmatched gold mentions** (no predicted mention overlaps them: extraction, not
  linking, loses them) by ECB+ tag, split by whether their instance spans two documents or
  more (only those can cost cross-document pairs), with the most frequent texts.

Gold instances never leave a topic, so a pair of gold mentions is a pair of one topic. A
predicted pair joining two topics is wrong in any case: it counts in the totals (as
``cross-topic``) and stays as *after* in the leave-one-topic-out view.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from etl.evaluate.coref import gold_mentions, is_entity_gold, load_prediction, match_all
from etl.evaluate.entities import pairwise_scores, read_gold
from etl.evaluate.entity_misses import (
    cause,
    load_rows,
    matched_rows,
    missed_pairs,
    predicted_entities,
    wrong_cause,
    wrong_pairs,
)
from etl.stages.resolve.entities import NameMatching

_DEFAULT_GOLD = Path("../shared/data/ecb_dev/gold.jsonl")
Matched = list[tuple[str, tuple[int, int], str, str]]  # doc key, gold span, instance, entity
Counts = tuple[int, int, int]  # gold, predicted, correct cross-document pairs


def topic_of(doc: str) -> str:
    """The ECB+ topic of a ``<topic>/<doc>`` key."""
    return doc.split("/", 1)[0]


def _topic_sort_key(topic: str) -> tuple[int, str]:
    return (int(topic), topic) if topic.isdigit() else (10**9, topic)


def across_counts(matched: Matched) -> Counts:
    """(gold, predicted, correct) pairs of matched mentions in two documents."""
    across = pairwise_scores([(doc, instance, entity) for doc, _, instance, entity in matched])[
        "across"
    ]
    return across["gold_pairs"], across["predicted_pairs"], across["correct_pairs"]


def counts_by_topic(matched: Matched) -> dict[str, Counts]:
    """Each topic's cross-document pair counts (pairs of two mentions of that topic)."""
    by_topic: dict[str, Matched] = defaultdict(list)
    for item in matched:
        by_topic[topic_of(item[0])].append(item)
    return {topic: across_counts(items) for topic, items in by_topic.items()}


def prf(counts: Counts) -> tuple[float, float, float]:
    """Precision, recall and F1 of (gold, predicted, correct) pair counts."""
    gold, predicted, correct = counts
    precision = correct / predicted if predicted else 1.0
    recall = correct / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _minus(first: Counts, second: Counts) -> Counts:
    return tuple(one - other for one, other in zip(first, second, strict=True))


def _plus(first: Counts, second: Counts) -> Counts:
    return tuple(one + other for one, other in zip(first, second, strict=True))


def change_left_out(
    before: dict[str, Counts], after: dict[str, Counts], total_after: Counts
) -> dict[str, float]:
    """Topic -> the F1 over all topics when that topic keeps its pairs from before."""
    empty = (0, 0, 0)
    return {
        topic: prf(_plus(_minus(total_after, after.get(topic, empty)), before.get(topic, empty)))[2]
        for topic in sorted(set(before) | set(after), key=_topic_sort_key)
    }


def cause_breakdown(missed: list[tuple[str, str]]) -> dict[str, Counter]:
    """cause -> topic -> missed pairs, from (cause, topic) of each missed pair."""
    by_cause: dict[str, Counter] = defaultdict(Counter)
    for reason, topic in missed:
        by_cause[reason][topic] += 1
    return dict(by_cause)


def _cause_lines(title: str, pairs: list[tuple[str, str, dict, dict]], examples: int) -> list[str]:
    """Pairs (cause, topic, row, other row) counted by cause: pairs, share, topics, the largest
    topic's share, per topic, and the most frequent examples."""
    by_cause = cause_breakdown([(reason, topic) for reason, topic, _, _ in pairs])
    samples: dict[str, Counter] = defaultdict(Counter)
    for reason, _, row, other_row in pairs:
        samples[reason][tuple(sorted(f"{r['text']}/{r['label']}" for r in (row, other_row)))] += 1
    lines = [
        f"{title}, by cause ({len(pairs)} pairs):",
        f"  {'cause':<17} {'pairs':>6} {'share':>6} {'topics':>6} {'largest':>8}  topics",
    ]
    for reason, topics in sorted(by_cause.items(), key=lambda item: (-item[1].total(), item[0])):
        total = topics.total()
        lines.append(
            f"  {reason:<17} {total:>6} {total / len(pairs):>6.3f} {len(topics):>6} "
            f"{max(topics.values()) / total:>8.2f}  "
            + ", ".join(f"{topic}:{n}" for topic, n in topics.most_common())
        )
        for pair, n in samples[reason].most_common(examples):
            lines.append(f"      {n:>5}  {pair[0]}  |  {pair[1]}")
    return lines


def unmatched_lines(gold_docs: list[dict], matched: Matched, examples: int) -> list[str]:
    """The scored gold entity mentions no predicted mention matched, by tag and by whether
    their instance is named in two documents or more, with the most frequent texts."""
    scored = [
        (doc["doc"], mention)
        for doc in gold_docs
        for mention in doc["mentions"]
        if mention["in_coref_sentence"] and is_entity_gold(mention)
    ]
    documents_of: dict[str, set[str]] = defaultdict(set)
    for doc, mention in scored:
        documents_of[mention["instance"]].add(doc)
    found = {(doc, span) for doc, span, _, _ in matched}
    counts: dict[str, Counter] = defaultdict(Counter)
    texts: dict[str, Counter] = defaultdict(Counter)
    for doc, mention in scored:
        if (doc, (mention["start"], mention["end"])) in found:
            continue
        spread = "multi-doc" if len(documents_of[mention["instance"]]) >= 2 else "one doc"
        counts[mention["tag"]][spread] += 1
        texts[mention["tag"]][mention["text"]] += 1
    total = sum(counter.total() for counter in counts.values())
    lines = [
        f"unmatched gold mentions by tag ({total} of {len(scored)}; no predicted mention "
        "overlaps them):",
        f"  {'tag':<24} {'multi-doc':>9} {'one doc':>8}  most frequent texts",
    ]
    for tag, counter in sorted(counts.items(), key=lambda item: -item[1].total()):
        common = ", ".join(f"{text} ({n})" for text, n in texts[tag].most_common(examples))
        lines.append(f"  {tag:<24} {counter['multi-doc']:>9} {counter['one doc']:>8}  {common}")
    return lines


def report(
    db_path: Path, gold_path: Path, examples: int, matching: NameMatching | None = None
) -> str:
    """The per-topic report of a warehouse (see the module docstring)."""
    gold_docs = read_gold(gold_path)
    gold = gold_mentions(gold_docs, "entities")
    before_matched = match_all(gold, load_prediction(db_path).entities)
    mentions, documents, rows = load_rows(db_path)
    predicted, row_at = predicted_entities(mentions, documents, rows, matching)
    after_matched = match_all(gold, predicted)
    before, after = counts_by_topic(before_matched), counts_by_topic(after_matched)
    total_before, total_after = across_counts(before_matched), across_counts(after_matched)
    lines = [
        "cross-document entity pairs per topic (before: the warehouse's entity ids; after: this "
        "tree's resolution of its mentions)",
        f"{'topic':>6} {'gold':>6}  {'P':>6} {'R':>6} {'F1':>6}   ->  {'P':>6} {'R':>6} "
        f"{'F1':>6}  {'dF1':>7}  {'F1 w/o change':>13}",
    ]
    left_out = change_left_out(before, after, total_after)
    for topic in left_out:
        first = prf(before.get(topic, (0, 0, 0)))
        second = prf(after.get(topic, (0, 0, 0)))
        lines.append(
            f"{topic:>6} {after.get(topic, (0, 0, 0))[0]:>6}  "
            + " ".join(f"{value:>6.3f}" for value in first)
            + "   ->  "
            + " ".join(f"{value:>6.3f}" for value in second)
            + f"  {second[2] - first[2]:>+7.3f}  {left_out[topic]:>13.3f}"
        )
    cross_topic = [
        _minus(total, sum_counts)
        for total, sum_counts in (
            (total_before, _sum(before.values())),
            (total_after, _sum(after.values())),
        )
    ]
    lines.append(
        f"{'all':>6} {total_after[0]:>6}  "
        + " ".join(f"{value:>6.3f}" for value in prf(total_before))
        + "   ->  "
        + " ".join(f"{value:>6.3f}" for value in prf(total_after))
        + f"  {prf(total_after)[2] - prf(total_before)[2]:>+7.3f}"
    )
    lines.append(
        f"predicted pairs joining two topics (wrong): before {cross_topic[0][1]}, "
        f"after {cross_topic[1][1]}"
    )
    lines.append(
        "F1 with one topic's change left out: min "
        f"{min(left_out.values()):.3f}, max {max(left_out.values()):.3f}"
    )
    matched = matched_rows(gold, predicted, row_at)
    missed = [
        (cause(row, other_row), topic_of(doc), row, other_row)
        for row, other_row, doc in missed_pairs(matched)
    ]
    lines.extend(_cause_lines("missed gold cross-document pairs after", missed, examples))
    wrong = [
        (wrong_cause(row, other_row), topic_of(doc), row, other_row)
        for row, other_row, doc in wrong_pairs(matched)
    ]
    lines.extend(_cause_lines("wrongly merged cross-document pairs after", wrong, examples))
    lines.extend(unmatched_lines(gold_docs, after_matched, examples))
    return "\n".join(lines)


def _sum(counts: object) -> Counts:
    total: Counts = (0, 0, 0)
    for item in counts:
        total = _plus(total, item)
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--gold", type=Path, default=_DEFAULT_GOLD)
    parser.add_argument("--examples", type=int, default=4)
    parser.add_argument(
        "--surname-dominance",
        type=float,
        help="resolve 'after' with this NameMatching.surname_dominance instead of the learned one",
    )
    args = parser.parse_args(argv)
    matching = NameMatching.learned()
    if args.surname_dominance is not None:
        matching = replace(matching, surname_dominance=args.surname_dominance)
    print(report(args.db, args.gold, args.examples, matching))


if __name__ == "__main__":
    main()

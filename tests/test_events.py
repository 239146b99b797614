"""PLOVER event extraction: triggers, arguments, modality, dates, places, seeds and dev scores."""

from datetime import date
from pathlib import Path

import pytest

from etl.schema import EXTRACTED_EVENTS
from etl.stages.extract.events import extract_events, load_event_lexicon
from etl.stages.extract.mentions import extract_mentions
from etl.stages.extract.sentences import extract_sentences

PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip
PUBLISHED = date(2017, 9, 20)
REPO = Path(__file__).resolve().parents[1]
GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "plover_dev.jsonl"


def run(nlp, text: str, published: date | None = PUBLISHED) -> list[dict]:
    doc = nlp(text)
    sentences = extract_sentences(doc, "doc")
    mentions = extract_mentions(doc, "doc", [s["start_char"] for s in sentences])
    return extract_events(doc, mentions, doc_id="doc", published_at=published)


def test_lexicon_uses_only_plover_types():
    lexicon = load_event_lexicon()
    types = {t.event_type for t in [*lexicon.words.values(), *lexicon.pairs.values()]}
    assert types <= PLOVER_TYPES
    assert len(types) == 16


def test_rows_have_exactly_the_schema_columns(nlp):
    rows = run(nlp, "Kyrgyzstan accused Kazakhstan on Wednesday of interfering in its election.")
    assert rows
    assert all(list(row) == EXTRACTED_EVENTS.names for row in rows)


def test_accusation_with_actor_recipient_trigger_and_date(nlp):
    text = "Kyrgyzstan accused Kazakhstan on Wednesday of interfering in its election."
    (row,) = run(nlp, text)
    assert (row["event_type"], row["actor_text"], row["recipient_text"]) == (
        "ACCUSE",
        "Kyrgyzstan",
        "Kazakhstan",
    )
    assert text[row["start_char"] : row["end_char"]] == row["trigger_text"] == "accused"
    assert row["actor_mention_id"] and row["recipient_mention_id"]
    assert (row["event_date"], row["date_text"], row["date_source"]) == (
        PUBLISHED,
        "Wednesday",
        "sentence",
    )
    assert row["factuality"] == "asserted" and row["negated"] is False
    assert 0.0 <= row["confidence"] <= 1.0


def test_event_ids_are_deterministic(nlp):
    text = "Kyrgyzstan accused Kazakhstan on Wednesday of interfering in its election."
    assert [r["event_id"] for r in run(nlp, text)] == [r["event_id"] for r in run(nlp, text)]


def test_reporting_verb_alone_is_no_event(nlp):
    assert run(nlp, "The minister said the weather was fine on Tuesday.") == []


def test_reported_content_can_be_an_event(nlp):
    rows = run(nlp, "The ministry said it considers the meeting an interference.")
    assert {r["event_type"] for r in rows} == {"ACCUSE"}


def test_negated_support(nlp):
    rows = run(nlp, "It said Nazarbayev had not expressed support for any particular candidate.")
    (row,) = [r for r in rows if r["event_type"] == "SUPPORT"]
    assert row["negated"] is True and row["factuality"] == "negated"
    assert row["actor_text"] == "Nazarbayev"


def test_future_statement_is_marked(nlp):
    rows = run(nlp, "The commission will investigate the allegations against Babanov.")
    (row,) = rows
    assert row["event_type"] == "ACCUSE" and row["factuality"] == "future"
    assert row["recipient_text"] == "Babanov"


def test_a_place_is_never_a_recipient(nlp):
    rows = run(nlp, "The Central Election Commission will examine the meeting in Almaty.")
    assert not any(r["recipient_text"] == "Almaty" for r in rows)
    rows = run(nlp, "Rebels attacked a convoy in Kabul.")
    assert rows and all(r["recipient_text"] != "Kabul" for r in rows)


def test_joint_statement_is_one_event_not_two_mirrored_ones(nlp):
    rows = run(nlp, "Kyrgyzstan and Kazakhstan exchanged pointed accusations.")
    pairs = {(r["actor_text"], r["recipient_text"]) for r in rows if r["event_type"] == "ACCUSE"}
    assert pairs == {("Kyrgyzstan", "Kazakhstan")}
    rows = run(nlp, "Nazarbaev met Babanov in Almaty.")
    assert [(r["actor_text"], r["recipient_text"]) for r in rows] == [("Nazarbaev", "Babanov")]


def test_feelings_and_hopes_are_no_agreement(nlp):
    assert not run(nlp, "We accept with joy the successful achievement of brotherly Kazakhstan.")
    assert not run(nlp, "We hope to cooperate with Kazakhstan.")
    rows = run(nlp, "Kazakhstan agreed to cooperate with Kyrgyzstan.")
    assert [r["event_type"] for r in rows] == ["AGREE"]


def test_event_without_actor_or_recipient_is_dropped(nlp):
    assert not run(nlp, "The necessity to further strengthen ties was stressed.")


def test_relative_clause_does_not_name_the_recipient(nlp):
    from etl.stages.document import extract_document
    from etl.stages.extract.event_scoring import KEEP_ALL

    text = "We will cooperate with a new president the Kyrgyz nation will elect."
    rows = extract_document(nlp(text), "doc", event_scorer=KEEP_ALL).events
    assert [r["recipient_text"] for r in rows] == ["new president"]


def test_scorer_learns_weights_and_drops_below_its_threshold():
    from etl.stages.extract.event_scoring import EventScorer, fit_weights

    right, wrong = ("actor:named", "rule:verb"), ("actor:thing", "rule:verb")
    examples = [(right, True)] * 8 + [(wrong, False)] * 8
    weights, bias = fit_weights(examples, l2_penalty=1.0)
    assert weights["actor:named"] > 0 > weights["actor:thing"]
    scorer = EventScorer(weights, bias, threshold=0.5)
    assert scorer.keeps(right) and not scorer.keeps(wrong)


def test_a_sentence_keeps_its_best_event_and_others_only_when_clearly_right():
    from etl.stages.extract.event_scoring import ASIDE, EventScorer

    scorer = EventScorer({"clause:main": 1.0, "clause:background": 0.5}, 0.0, 0.5, 0.9)
    main, background = ("clause:main",), ("clause:background",)
    # p(main) = 0.73, p(background) = 0.62: both pass 0.5, only the best is kept
    assert scorer.select([main, background, main]) == [True, False, True]
    assert scorer.select([background]) == [True]  # alone, it is the sentence's best
    assert scorer.select([background, ("clause:background", ASIDE)]) == [True, True]
    lenient = EventScorer(scorer.weights, 0.0, 0.5, 0.6)
    assert lenient.select([main, background]) == [True, True]
    flat = EventScorer(scorer.weights, 0.0, 0.65)  # no others threshold: each on its own
    assert flat.select([main, background]) == [True, False]


def test_nominalization_comes_from_wordnet_not_the_seeds():
    lexicon = load_event_lexicon()
    accusation = lexicon.words[("accusation", "NOUN")]
    assert accusation.event_type == "ACCUSE"
    derived = [t for t in lexicon.words.values() if t.source == "nominalization"]
    assert len(derived) > 50 and {t.event_type for t in derived} >= {"ACCUSE", "ASSAULT"}
    assert ("say", "VERB") not in lexicon.words  # a reporting verb never becomes a trigger


def test_location_gets_country_code(nlp):
    rows = run(nlp, "Nazarbayev met Babanov in Almaty on Tuesday.")
    assert rows
    assert {r["location_country_code"] for r in rows} == {"KAZ"}
    assert {r["event_date"] for r in rows} == {date(2017, 9, 19)}


def test_place_set_off_by_a_comma_after_a_long_object(nlp):
    rows = run(
        nlp,
        "Macron met the opposition leader, Alexei Navalny, a founder of the Russia of the Future "
        "party, in Paris on Monday.",
    )
    assert rows
    assert {(r["location_text"], r["location_country_code"]) for r in rows} == {("Paris", "FRA")}


def test_place_of_the_object_itself_beats_its_apposition(nlp):
    rows = run(
        nlp, "The French president met his Italian counterpart in Rome, the capital of Italy."
    )
    assert {(r["location_text"], r["location_country_code"]) for r in rows} == {("Rome", "ITA")}


def test_definite_reference_places_an_earlier_event(nlp):
    rows = run(
        nlp,
        "Germany's chancellor held talks with the Polish prime minister. "
        "The talks in Warsaw focused on energy.",
    )
    consult = [r for r in rows if r["event_type"] == "CONSULT"]
    assert consult
    assert {(r["location_text"], r["location_country_code"]) for r in consult} == {
        ("Warsaw", "POL")
    }


def test_no_place_without_a_place_phrase(nlp):
    rows = run(nlp, "Germany's chancellor held talks with the Polish prime minister.")
    assert rows and {r["location_text"] for r in rows} == {None}


def test_publication_date_is_the_fallback(nlp):
    rows = run(nlp, "Kyrgyzstan accused Kazakhstan of interference.")
    assert {(r["event_date"], r["date_source"]) for r in rows} == {(PUBLISHED, "publication")}
    rows = run(nlp, "Kyrgyzstan accused Kazakhstan of interference.", published=None)
    assert {(r["event_date"], r["date_source"]) for r in rows} == {(None, None)}


def test_a_day_after_shifts_the_date(nlp):
    rows = run(
        nlp,
        "The dispute between the two Central Asian neighbors deepened on September 20, a day "
        "after Kazakh leader Nursultan Nazarbaev held a meeting with Omurbek Babanov.",
    )
    consult = [r for r in rows if r["event_type"] == "CONSULT"]
    assert consult and {r["event_date"] for r in consult} == {date(2017, 9, 19)}


def test_future_cooperation_is_an_intention(nlp):
    rows = run(nlp, "The United Nations will provide food aid to refugees in Liberia.")
    assert {r["event_type"] for r in rows} == {"AGREE"}


def test_demand_reported_with_must(nlp):
    (row,) = run(nlp, "Russia said on Tuesday that Sudan must return the helicopter.")
    assert (row["event_type"], row["actor_text"], row["recipient_text"]) == (
        "REQUEST",
        "Russia",
        "Sudan",
    )


def _seed_events(nlp, name: str) -> list[dict]:
    text = (REPO / "seeds" / name).read_text(encoding="utf-8")
    try:
        from etl.stages.normalize import normalize
    except ImportError:
        normalize = None
    if normalize is not None and "( reuters )" in text[:40]:
        text = normalize(text).text
    return run(nlp, text)


@pytest.fixture(scope="module")
def seed_rows(nlp):
    return {
        "rferl": _seed_events(nlp, "000_ee074c9f644e6634.txt"),
        "reuters": _seed_events(nlp, "004_fb51ec9794fbacba.txt"),
    }


def _has(rows, event_type, when=None, actor=None, recipient=None, **extra):
    for row in rows:
        if row["event_type"] != event_type or (when and row["event_date"] != when):
            continue
        if actor and actor not in (row["actor_text"] or "").lower():
            continue
        if recipient and recipient not in (row["recipient_text"] or "").lower():
            continue
        if all(row[key] == value for key, value in extra.items()):
            return True
    return False


def test_seed_accusation_in_both_reports(seed_rows):
    for rows in seed_rows.values():
        assert _has(rows, "ACCUSE", date(2017, 9, 20), "kyrgyzstan", "kazakhstan")


def test_seed_meeting_on_tuesday(seed_rows):
    assert _has(seed_rows["rferl"], "CONSULT", date(2017, 9, 19), "nazarba", "babanov")
    assert _has(seed_rows["reuters"], "CONSULT", date(2017, 9, 19), "nazarba")


def test_seed_meeting_place(seed_rows):
    assert _has(
        seed_rows["rferl"],
        "CONSULT",
        date(2017, 9, 19),
        "nazarba",
        "babanov",
        location_text="Almaty",
        location_country_code="KAZ",
    )
    assert _has(
        seed_rows["reuters"], "CONSULT", date(2017, 9, 19), "nazarba", location_country_code="KAZ"
    )


def test_seed_kazakh_reply(seed_rows):
    for rows in seed_rows.values():
        assert _has(rows, "ACCUSE", date(2017, 9, 20), "kazakhstan", "bishkek")


def test_seed_jeenbekov_stepped_down_last_month(seed_rows):
    # An aside (a relative clause beside the sentence's main event "is backing") is kept.
    assert _has(
        seed_rows["reuters"], "RETREAT", date(2017, 8, 1), "jeenbekov", date_text="last month"
    )


def test_seed_negated_support(seed_rows):
    assert _has(seed_rows["reuters"], "SUPPORT", actor="nazarbayev", negated=True)


def test_dev_scores_meet_goals(nlp):
    if not GOLD.exists():
        pytest.skip("shared PLOVER gold data not available")
    from etl.evaluate.events import evaluate_events

    metrics = evaluate_events(GOLD, nlp)
    assert metrics["cased"]["f1"] >= 0.75
    assert metrics["degraded"]["f1"] >= 0.75
    assert metrics["cased"]["actor_match_rate"] >= 0.85
    assert metrics["cased"]["recipient_match_rate"] >= 0.75


def test_cross_validated_scores_hold_out(nlp):
    if not GOLD.exists():
        pytest.skip("shared PLOVER gold data not available")
    from etl.evaluate.events import (
        format_cross_validation,
        format_repeats,
        repeated_cross_validation,
        score_all,
    )

    # Three partitions into folds: with ~100 sentences one partition moves by a sentence.
    results = repeated_cross_validation(score_all(GOLD, nlp), folds=5, repeats=3)
    for form in ("cased", "degraded"):
        fitted = sum(r["fitted"][form]["f1"] for r in results) / len(results)
        held_out = sum(r["held_out"][form]["f1"] for r in results) / len(results)
        assert held_out >= 0.80
        assert fitted - held_out < 0.03  # a larger gap means the scorer is fitting
        assert all(r["held_out"][form]["actor_match_rate"] >= 0.85 for r in results)
        assert all(r["held_out"][form]["recipient_match_rate"] >= 0.80 for r in results)
    assert len(results[0]["per_fold"]) == 5
    report = format_cross_validation(results[0])
    assert "held_out" in report and "held mean" in report and "fit 4" in report
    assert "mean" in format_repeats(results)


def test_calibration_shrinks_rare_rules_toward_the_overall_precision():
    from etl.evaluate.calibrate_events import Outcome, fit

    events = [Outcome(f"s{i}", "verb", True, i % 4 != 0) for i in range(40)]
    events += [Outcome("r1", "adjective", False, False), Outcome("r2", "adjective", False, False)]
    table = fit(events, shrinkage=8.0)
    overall = table.fallback
    assert 0.6 < overall < 0.8
    assert 0.0 < table(("adjective", False)) < overall  # two misses pull it down, not to zero
    assert abs(table(("verb", True)) - 0.75) < 0.02
    assert table(("never-seen", True)) == overall


def test_held_out_calibration_never_scores_a_sentence_with_its_own_fold():
    from etl.evaluate.calibrate_events import Outcome, fold_of, held_out

    # Every sentence has a rule of its own, right or wrong: a table that had seen the held-out
    # sentence would score its right events higher than its wrong ones; a held-out one cannot.
    events = [Outcome(f"s{i}", f"rule{i}", True, i % 2 == 0) for i in range(40)]
    scored = held_out(events, shrinkage=1.0, folds=5)
    assert len(scored) == 40
    by_fold: dict[int, set[float]] = {}
    for event, (confidence, correct) in zip(
        sorted(events, key=lambda e: fold_of(e.record_id, 5)), scored, strict=True
    ):
        assert correct == event.correct
        by_fold.setdefault(fold_of(event.record_id, 5), set()).add(round(confidence, 9))
    assert set(by_fold) == set(range(5))
    assert all(len(values) == 1 for values in by_fold.values())


def test_shipped_confidence_table_says_how_it_was_built():
    from etl.stages.extract.events import DATA_DIR, load_confidence

    header = [
        line
        for line in (DATA_DIR / "event_confidence.tsv").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    assert any("calibrate_events" in line for line in header)
    assert any("held-out" in line for line in header)
    table = load_confidence()
    assert ("*", False) in table and ("verb", True) in table
    assert all(0.0 < value < 1.0 for value in table.values())


def test_stative_participle_keeps_its_subject_as_actor(nlp):
    rows = run(nlp, "Israel is opposed to French mediation in the talks with Syria.")
    reject = [r for r in rows if r["event_type"] == "REJECT"]
    assert reject and reject[0]["actor_text"] == "Israel"
    assert "French" in reject[0]["recipient_text"]


def test_quantity_is_no_recipient(nlp):
    rows = run(nlp, "Swiss doctors handed over 700 kg of medicine to the Red Crescent.")
    assert {r["recipient_text"] for r in rows if r["event_type"] == "AID"} == {"Red Crescent"}


def test_clause_role_main_background_and_embedded(nlp):
    from etl.stages.extract.events import clause_role

    lexicon = load_event_lexicon()
    doc = nlp(
        "Lebanon complained on Tuesday over Israeli raids in which 20 people were killed, "
        "officials said, as the leaders sought to ease tensions."
    )
    by_word = {t.text: t for t in doc}
    assert clause_role(by_word["complained"], lexicon) == "main"  # reported by "said"
    assert clause_role(by_word["killed"], lexicon) == "aside"  # happened, not the news
    assert clause_role(by_word["ease"], lexicon) == "embedded"  # an attempt, not a fact


def test_background_event_is_the_news_when_the_main_clause_has_none(nlp):
    from etl.stages.extract.events import select_candidates

    lexicon = load_event_lexicon()
    doc = nlp(
        "The dispute between the two neighbors deepened on September 20, a day after Kazakh "
        "leader Nursultan Nazarbaev held a meeting with Omurbek Babanov."
    )
    (candidate,) = select_candidates(next(doc.sents), lexicon)
    assert candidate.role == "alone"
    doc = nlp("Kyrgyzstan accused Kazakhstan on Wednesday after Nazarbaev met Babanov.")
    roles = {c.tokens[0].text: c.role for c in select_candidates(next(doc.sents), lexicon)}
    assert roles == {"accused": "main", "met": "background"}


def test_asides_are_kept_and_not_judged_by_the_scorer():
    from etl.stages.extract.event_scoring import ASIDE, EventScorer

    strict = EventScorer({"clause:main": 1.0}, -5.0, 0.5)
    assert strict.keeps(("rule:verb", ASIDE))
    assert not strict.keeps(("rule:verb", "clause:background"))


def test_a_country_hosting_a_base_is_not_consulting_it(nlp):
    # The object of "host" names a facility (WordNet noun.artifact), not a party.
    rows = run(nlp, "Kyrgyzstan hosts a Russian military air base.")
    assert not [r for r in rows if r["event_type"] == "CONSULT"]
    rows = run(nlp, "Kyrgyzstan hosted the Russian president on Tuesday.")
    assert [r for r in rows if r["event_type"] == "CONSULT"]


def test_a_thing_is_the_recipient_only_when_the_clause_names_no_party(nlp):
    from etl.stages.document import extract_document
    from etl.stages.extract.event_scoring import KEEP_ALL

    def arguments(text: str) -> set[tuple[str, str | None]]:
        rows = extract_document(nlp(text), "doc", event_scorer=KEEP_ALL).events
        return {(r["event_type"], r["recipient_text"]) for r in rows}

    text = "The teachers' union called off the strike after talks with the Kenyan government."
    assert ("CONCEDE", "Kenyan") in arguments(text)
    assert ("REJECT", "plan") in arguments("The rebels rejected the plan on Friday.")


def test_an_event_noun_modifying_a_support_verb_object_names_the_event(nlp):
    from etl.stages.document import extract_document
    from etl.stages.extract.event_scoring import KEEP_ALL

    text = "Norway launched a mediation effort between Sudan and Ethiopia on Monday."
    rows = extract_document(nlp(text), "doc", event_scorer=KEEP_ALL).events
    assert {(r["event_type"], r["actor_text"]) for r in rows} == {("CONSULT", "Norway")}
    assert {r["recipient_text"] for r in rows} & {"Sudan", "Ethiopia"}


def test_error_causes_tell_a_missing_candidate_from_a_dropped_one():
    from etl.evaluate.events import GoldSentence, error_causes
    from etl.stages.extract.event_scoring import ASIDE
    from etl.stages.extract.events import EventFinding

    def finding(event_type: str, actor: str, *features: str) -> EventFinding:
        row = {"event_type": event_type, "actor_text": actor, "recipient_text": None}
        return EventFinding(row, "verb", features)

    gold = GoldSentence("r", "text", "text", "ACCUSE", ("Kyrgyzstan",), ("Kazakhstan",))
    accuse, assault = finding("ACCUSE", "Kyrgyzstan"), finding("ASSAULT", "police")
    aside = finding("COERCE", "police", ASIDE)
    assert error_causes(gold, [assault], [assault]) == {"no candidate": 1, "wrong type": 1}
    assert error_causes(gold, [accuse, assault], [assault]) == {"dropped": 1, "wrong type": 1}
    causes = error_causes(gold, [accuse, assault, aside], [accuse, assault, aside])
    assert causes == {"extra": 1, "aside": 1, "actor": 0, "recipient": 1}


def test_a_place_inside_an_argument_does_not_replace_it(nlp):
    from etl.stages.document import extract_document
    from etl.stages.extract.event_scoring import KEEP_ALL

    text = "Japan will send medical aid to refugees fleeing the fighting in Sudan."
    rows = extract_document(nlp(text), "doc", event_scorer=KEEP_ALL).events
    assert [(r["actor_text"], r["recipient_text"]) for r in rows] == [("Japan", "refugees")]


def test_a_counted_crowd_is_the_actor_not_its_number(nlp):
    from etl.stages.document import extract_document
    from etl.stages.extract.event_scoring import KEEP_ALL

    for text, actor in (
        ("Thousands of students staged demonstrations in Jakarta to demand reforms.", "students"),
        ("Tens of thousands of workers marched against the government of Chile.", "workers"),
    ):
        rows = extract_document(nlp(text), "doc", event_scorer=KEEP_ALL).events
        assert {(r["event_type"], r["actor_text"]) for r in rows} == {("PROTEST", actor)}


def test_a_head_of_state_receiving_a_visitor_meets_them_not_a_letter(nlp):
    # "receive" is a visit only with a party as its object (lexicon note "party-object").
    rows = run(nlp, "Nazarbayev received Babanov in Almaty on Tuesday.")
    assert {(r["event_type"], r["actor_text"], r["recipient_text"]) for r in rows} == {
        ("CONSULT", "Nazarbayev", "Babanov")
    }
    rows = run(nlp, "The ministry received a letter from the embassy on Tuesday.")
    assert not [r for r in rows if r["event_type"] == "CONSULT"]


def test_a_protest_addressed_to_a_party_is_a_complaint_a_demonstration_stays_protest(nlp):
    # PLOVER's PROTEST is demonstrations; a protest handed or made *to* a party is ACCUSE.
    for text in (
        "Kyrgyzstan's Foreign Ministry handed a note of protest to Kazakhstan's ambassador.",
        "The Kyrgyz Foreign Ministry handed Kazakhstan a protest note over the meeting.",
        "Kyrgyzstan protested to Kazakhstan on Wednesday.",
        # A country protests through its government, in words: no demonstration.
        "Bishkek protested against a meeting between Kazakhstan's president and Babanov.",
    ):
        rows = run(nlp, text)
        assert {r["event_type"] for r in rows} == {"ACCUSE"}, text
        # The mode of "accused", "condemned": coreference sees one act however it is worded.
        assert {r["mode"] for r in rows} == {"disapprove"}, text
        assert any("Kazakhstan" in (r["recipient_text"] or "") for r in rows), text
    for text in (
        "Thousands of students protested against the government in Bishkek.",
        "Angry workers marched to the parliament on Monday.",
    ):
        rows = run(nlp, text)
        assert {r["event_type"] for r in rows} == {"PROTEST"}, text


def test_a_meeting_named_with_its_parties_and_a_held_participle_is_an_event(nlp):
    # A reduced passive of a support verb ("the meeting of X with Y held in Z") is "a meeting
    # was held": its parties are named inside the noun's phrase, the person over the country.
    text = (
        "The note concerns the meeting of the President of Kazakhstan Nursultan Nazarbaev "
        "with the presidential candidate Omurbek Babanov held in Almaty on September 19."
    )
    rows = [r for r in run(nlp, text) if r["event_type"] == "CONSULT"]
    assert [(r["trigger_text"], r["location_text"]) for r in rows] == [("meeting", "Almaty")]
    assert "Nazarbaev" in rows[0]["actor_text"] and "Babanov" in rows[0]["recipient_text"]
    assert rows[0]["event_date"] == date(2017, 9, 19)


def test_a_meeting_between_two_parties_that_was_held_is_one_event_between_them(nlp):
    # Not two half-events with no actor: the noun's phrase names both parties.
    nazarbayev_babanov, countries = ("Nazarbayev", "Babanov"), ("Kazakhstan", "Kyrgyzstan")
    for text, pair in (
        ("A meeting between Nazarbayev and Babanov was held on Tuesday.", nazarbayev_babanov),
        ("Nazarbayev's meeting with Babanov was held in Almaty on Tuesday.", nazarbayev_babanov),
        ("Talks between Kazakhstan and Kyrgyzstan were held in Astana.", countries),
    ):
        rows = run(nlp, text)
        assert [(r["event_type"], r["actor_text"], r["recipient_text"]) for r in rows] == [
            ("CONSULT", *pair)
        ], text


def test_a_meeting_that_took_place_is_an_event_between_the_parties_its_phrase_names(nlp):
    rows = run(nlp, "A meeting between Nazarbayev and Babanov took place in Almaty on Tuesday.")
    assert [(r["event_type"], r["actor_text"], r["recipient_text"]) for r in rows] == [
        ("CONSULT", "Nazarbayev", "Babanov")
    ]
    assert rows[0]["event_date"] == date(2017, 9, 19)


def test_the_meeting_that_names_no_party_takes_the_parties_of_the_earlier_meeting(nlp):
    # "The meeting" refers to the document's latest earlier mention of a meeting, even one
    # that is no event of its own (here the content of an accusation): its parties, its own date.
    text = (
        "Kazakhstan dismissed the accusation that Nazarbayev had meddled in the election by "
        "meeting Omurbek Babanov. The meeting took place in Almaty on September 19."
    )
    rows = [r for r in run(nlp, text) if r["event_type"] == "CONSULT"]
    assert len(rows) == 1
    assert rows[0]["sentence_idx"] == 1
    assert "Nazarbayev" in rows[0]["actor_text"] and "Babanov" in rows[0]["recipient_text"]
    assert (rows[0]["event_date"], rows[0]["location_text"]) == (date(2017, 9, 19), "Almaty")


def test_a_meeting_with_nothing_to_refer_to_and_a_kind_of_meeting_are_no_events(nlp):
    for text in (
        "The meeting took place in Almaty on September 19.",
        # where an event took place names no party of it
        "Pirates fled. The attack took place about 150 nautical miles off Aden.",
        "Nazarbayev met Babanov. Meetings of leaders take place on a regular basis.",
        # the latest earlier meeting names no party: the reference names none either
        "Nazarbayev met Babanov on Monday. Talks were held later. "
        "The meeting took place in Almaty.",
    ):
        rows = run(nlp, text)
        assert not [r for r in rows if r["trigger_text"] in {"meeting", "attack"}], text
        assert not [r for r in rows if r["sentence_idx"] > 0 and r["event_type"] == "CONSULT"], text


def test_the_condemned_meeting_held_on_a_day_is_an_aside_event_of_the_earlier_meeting(nlp):
    # "the meeting, held on September 19": a reduced relative clause states that the meeting
    # happened (an aside beside the condemnation); the definite noun names no party, so it takes
    # the parties of the meeting the document reported before, not the condemning ministry.
    text = (
        "Kyrgyzstan criticised Kazakhstan on Wednesday after Nazarbayev met Babanov. "
        "The Kyrgyz Foreign Ministry condemned the meeting, held on September 19 in Almaty, "
        "as meddling."
    )
    rows = [r for r in run(nlp, text) if r["sentence_idx"] == 1]
    assert {r["event_type"] for r in rows} == {"ACCUSE", "CONSULT"}
    meeting = next(r for r in rows if r["event_type"] == "CONSULT")
    assert "Nazarbayev" in meeting["actor_text"] and "Babanov" in meeting["recipient_text"]
    assert (meeting["event_date"], meeting["location_text"]) == (date(2017, 9, 19), "Almaty")


def _candidates(nlp, text: str):
    from etl.stages.extract.events import select_candidates

    doc = nlp(text)
    return [c for sent in doc.sents for c in select_candidates(sent, load_event_lexicon())]


def test_event_noun_naming_its_parties_is_an_event_when_nothing_else_happens(nlp):
    found = _candidates(
        nlp, "Russia closed its borders because of fighting between Azerbaijanis and Armenians."
    )
    nominal = [c for c in found if c.rule == "event_noun"]
    assert [c.trigger.event_type for c in nominal] == ["ASSAULT"]
    assert nominal[0].role == "nominal" and nominal[0].explicit_actor.text == "Azerbaijanis"


def test_event_noun_beside_another_event_or_as_an_object_is_none(nlp):
    beside = _candidates(nlp, "Police arrested 40 students during protests against the government.")
    assert {c.rule for c in beside} == {"verb"}
    # what a verb does to the noun decides ("cancelled restrictions" is no restriction)
    objects = _candidates(nlp, "The court cancelled restrictions on the Russian language.")
    assert not [c for c in objects if c.rule == "event_noun"]
    # a definite one refers to an earlier mention ("the meeting" held the day before)
    definite = _candidates(nlp, "Officials discussed coverage of the meeting by the Kazakh side.")
    assert not [c for c in definite if c.rule == "event_noun"]


def test_lessening_a_restriction_is_a_concession(nlp):
    lexicon = load_event_lexicon()
    assert {"cancel", "shorten", "abolish"} <= lexicon.reversal_verbs
    # a verb the lexicon codes itself (a restriction) is no reversal
    assert not {"restrict", "limit"} & lexicon.reversal_verbs
    rows = run(nlp, "Israel cancelled the restrictions on Palestinian workers on Monday.")
    assert [(r["event_type"], r["trigger_text"]) for r in rows] == [
        ("CONCEDE", "cancelled the restrictions")
    ]
    assert (rows[0]["actor_text"], rows[0]["recipient_text"]) == ("Israel", "Palestinian")
    assert not run(nlp, "Israel cancelled the parade of Palestinian workers on Monday.")


def test_british_spellings_find_the_american_entries(nlp):
    from etl.stages.extract.events import spelling_variants

    assert spelling_variants("mobilize") == ["mobilise"]
    assert spelling_variants("mobilization") == ["mobilisation"]
    lexicon = load_event_lexicon()
    assert lexicon.words[("recognise", "VERB")] == lexicon.words[("recognize", "VERB")]
    rows = run(nlp, "The army of Chad mobilised its reserves on Monday.")
    assert [r["event_type"] for r in rows] == ["MOBILIZE"]


def test_a_verb_inside_a_name_is_no_trigger(nlp):
    from etl.stages.document import extract_document
    from etl.stages.extract.event_scoring import KEEP_ALL

    text = (
        "Two Indian warships escorted the tankers through the Internationally Recognized "
        "Transit Corridor on Monday."
    )
    rows = extract_document(nlp(text), "doc", event_scorer=KEEP_ALL).events
    assert not any(r["event_type"] == "SUPPORT" for r in rows)


def test_a_subject_misparsed_as_a_participle_clause_is_the_noun_it_describes(nlp):
    # the parser reads "The Red Cross working in Yemen" as a clause ("working", subject "Red
    # Cross") that is the subject of "said": who said it is the Red Cross, not "working"
    rows = run(
        nlp, "The Red Cross working in Yemen said both sides must allow food to reach civilians."
    )
    assert {row["actor_text"] for row in rows if row["event_type"] == "REQUEST"} == {"Red Cross"}

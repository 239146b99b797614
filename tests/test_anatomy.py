"""Document anatomy: header parts, boilerplate, datelines, the header's publication date, and
sentences that never cross a paragraph break (invented articles; the seeds for the end-to-end
check that no actor holds a dateline, URL or menu)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from newsetl_procs import SHARED_DATA

from etl.stages.anatomy import (
    ProseThresholds,
    contains_url,
    date_line_label,
    find_dateline,
    is_boilerplate,
    load_thresholds,
    read_anatomy,
    sentence_starts,
    url_date,
)
from etl.stages.document import extract_document
from etl.stages.normalize import normalize

SCRAPED = (
    "http://www.example-news.com/world/2014/03/11/minister-visits-capital\n"
    "Foreign minister visits the capital for talks on trade\n"
    "Posted: 03/11/2014 08:15 AM ET | Updated: 03/12/2014 10:02 AM ET\n"
    "Home | World | Business | Sport | Weather\n"
    "By Jane Doe\n"
    "LONDON (Reuters) - Foreign Minister Anna Berg met Prime Minister John Hale on Tuesday, "
    "officials said.\n"
    "The two discussed trade and security.\n"
    "Share this\n"
    "Read more\n"
)


def kinds_and_texts(text: str, **kwargs) -> list[tuple[str, str]]:
    anatomy = read_anatomy(text, **kwargs)
    return [(part.kind, text[part.start : part.end]) for part in anatomy.parts]


def test_scraped_article_parts():
    assert kinds_and_texts(SCRAPED) == [
        ("url", "http://www.example-news.com/world/2014/03/11/minister-visits-capital"),
        ("headline", "Foreign minister visits the capital for talks on trade"),
        ("date_line", "Posted: 03/11/2014 08:15 AM ET | Updated: 03/12/2014 10:02 AM ET"),
        ("boilerplate", "Home | World | Business | Sport | Weather"),
        ("boilerplate", "By Jane Doe"),
        ("dateline", "LONDON (Reuters) -"),
        (
            "body",
            "Foreign Minister Anna Berg met Prime Minister John Hale on Tuesday, officials said.",
        ),
        ("body", "The two discussed trade and security."),
        ("boilerplate", "Share this"),
        ("boilerplate", "Read more"),
    ]
    anatomy = read_anatomy(SCRAPED)
    assert anatomy.headline == "Foreign minister visits the capital for talks on trade"
    assert anatomy.dateline == "LONDON (Reuters) -"
    # The posted date wins over the updated one; month first unless the URL says otherwise.
    assert (anatomy.published_at, anatomy.published_at_source) == (
        date(2014, 3, 11),
        "published_line",
    )


def test_plain_article_is_all_body():
    text = "The council approved the budget on Monday.\nIt takes effect in May.\n"
    anatomy = read_anatomy(text)
    assert [part.kind for part in anatomy.parts] == ["body", "body"]
    assert (anatomy.headline, anatomy.dateline, anatomy.published_at) == (None, None, None)


@pytest.mark.parametrize(
    ("line", "dateline"),
    [
        ("BISHKEK (Reuters) - Kyrgyzstan accused Kazakhstan.", "BISHKEK (Reuters) -"),
        ("ALMATY, Sept 20 (AFP) — The president met him.", "ALMATY, Sept 20 (AFP) —"),
        ("WASHINGTON — The Senate voted on Friday.", "WASHINGTON —"),
        ("NEW YORK, N.Y. -- Shares fell sharply.", "NEW YORK, N.Y. --"),
        ("Geneva (AP) - Talks resumed on Monday.", "Geneva (AP) -"),
        ("MUMBAI: The police arrested two men.", "MUMBAI:"),
    ],
)
def test_datelines(line, dateline):
    found = find_dateline(line)
    assert found is not None and line[: found.end()].strip() == dateline


@pytest.mark.parametrize(
    "line",
    [
        "MUST SEE: Navy pins down pirates in face-off",  # a headline, no story sentence follows
        "The U.S. - China talks ended.",
        "Officials said - without giving details - that talks would resume.",
    ],
)
def test_not_datelines(line):
    assert find_dateline(line) is None


def test_dateline_date_takes_the_url_year():
    text = "ALMATY, Sept 20 (AFP) — The president met the candidate.\nHe said little.\n"
    anatomy = read_anatomy(text, url="http://example.org/news/2017/09/21/meeting")
    assert (anatomy.published_at, anatomy.published_at_source) == (date(2017, 9, 20), "dateline")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("April 4, 2012", (date(2012, 4, 4), "unlabeled")),
        ("Last updated on: November 11, 2011 19:04 IST", (date(2011, 11, 11), "updated")),
        ("Sunday 4 August 2013, 19:30", (date(2013, 8, 4), "unlabeled")),
        ("published: 2012-04-04 11:47:35", (date(2012, 4, 4), "published")),
        ("updated 8:41 p.m. EST, Tue March 3, 2009", (date(2009, 3, 3), "updated")),
        ("The vote was held on April 4, 2012 in the capital city.", None),
        ("Revenue rose 4.5 percent.", None),
    ],
)
def test_date_lines(line, expected):
    assert date_line_label(line) == expected


def test_numeric_date_order_follows_the_url():
    assert date_line_label("05/02/2013", near=date(2013, 2, 5)) == (date(2013, 2, 5), "unlabeled")
    assert date_line_label("05/02/2013") == (date(2013, 5, 2), "unlabeled")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.com/news/2013/09/09/123-thieves", date(2013, 9, 9)),
        ("http://a.com/news/nation/2007-04-11-office-shooting_N.htm", date(2007, 4, 11)),
        ("http://a.com/slide-show/20111111.htm", date(2011, 11, 11)),
        ("http://a.com/article/127/title/cables-severed", None),
        ("http://a.com/2013/09/story", None),
    ],
)
def test_url_dates(url, expected):
    assert url_date(url) == expected


def test_url_date_when_nothing_else():
    text = "http://a.com/news/2013/09/09/thieves-raid\nThieves raided a store.\n"
    anatomy = read_anatomy(text)
    assert (anatomy.published_at, anatomy.published_at_source) == (date(2013, 9, 9), "url")


@pytest.mark.parametrize(
    "line",
    ["Home | News | Sport | Weather", "Share this", "Advertisement", "By John Smith", "NFC"],
)
def test_boilerplate_lines(line):
    assert is_boilerplate(line, load_thresholds())


@pytest.mark.parametrize(
    "line",
    [
        "She deserved it.",
        "Probably.",
        "The two discussed trade and security.",
        '"We will see."',
        "By Tuesday, the talks had failed.",
    ],
)
def test_short_sentences_are_not_boilerplate(line):
    assert not is_boilerplate(line, load_thresholds())


def test_thresholds_come_from_the_data_file():
    assert isinstance(load_thresholds(), ProseThresholds)


def test_sentence_starts_at_paragraph_breaks_not_at_wrapped_lines():
    text = (
        '"We will not accept this," the minister said.\n'
        '"It is an interference," he added\n'
        "in a statement.\n"
        "BISHKEK (Reuters) - The talks ended.\n"
    )
    second = text.index('"It is')
    dateline_end = text.index("The talks")
    assert sentence_starts(text) == [second, text.index("BISHKEK"), dateline_end]


def test_no_sentence_crosses_a_paragraph_break_after_a_closing_quote(nlp):
    text = (
        "The ministry said it was “extremely surprised”\n"
        "Kazakhstan replied hours later with a note of its own.\n"
    )
    sentences = [sent.text.strip() for sent in nlp(text).sents]
    assert sentences == [
        "The ministry said it was “extremely surprised”",
        "Kazakhstan replied hours later with a note of its own.",
    ]


def actor_texts(events: list[dict]) -> list[str]:
    return [t for e in events for t in (e["actor_text"], e["recipient_text"]) if t]


def test_events_and_mentions_stay_out_of_url_menus_and_dateline(nlp):
    text = normalize(SCRAPED).text
    extracted = extract_document(nlp(text), "doc")
    assert extracted.events, "the body's meeting is an event"
    for event in extracted.events:
        assert extracted.anatomy.is_body(event["start_char"], event["end_char"])
    for actor in actor_texts(extracted.events):
        assert not any(word in actor for word in ("Reuters", "LONDON", "Home", "http", "Doe"))
    for mention in extracted.mentions:
        part = extracted.anatomy.part_of(mention["start_char"], mention["end_char"])
        assert part is not None and part.kind not in {"url", "boilerplate"}
    assert [row["kind"] for row in extracted.parts][:3] == ["url", "headline", "date_line"]
    # No metadata date: the posted line dates the document and its events.
    assert (extracted.published_at, extracted.published_at_source) == (
        date(2014, 3, 11),
        "published_line",
    )


def test_metadata_date_wins_and_no_date_gives_null_event_dates(nlp):
    text = "The minister met the ambassador.\n"
    doc = nlp(text)
    with_metadata = extract_document(doc, "doc", published_at=date(2020, 1, 2))
    assert (with_metadata.published_at, with_metadata.published_at_source) == (
        date(2020, 1, 2),
        "metadata",
    )
    assert [e["date_source"] for e in with_metadata.events] == ["publication"]
    undated = extract_document(doc, "doc")
    assert (undated.published_at, undated.published_at_source) == (None, None)
    assert [(e["event_date"], e["date_source"]) for e in undated.events] == [(None, None)]


def test_relative_dates_resolve_against_the_header_date(nlp):
    text = (
        "Updated: September 20, 2017\n"
        "The foreign minister met the ambassador on Tuesday.\n"
        "The ministry protested.\n"
    )
    extracted = extract_document(nlp(text), "doc")
    assert (extracted.published_at, extracted.published_at_source) == (
        date(2017, 9, 20),
        "updated_line",
    )
    dated = {(e["trigger_text"], e["event_date"], e["date_source"]) for e in extracted.events}
    assert ("met", date(2017, 9, 19), "sentence") in dated
    assert ("protested", date(2017, 9, 20), "publication") in dated


def test_seed_actors_hold_no_dateline(nlp, seeds_dir):
    for path in sorted(seeds_dir.glob("*.txt")):
        normalized = normalize(path.read_text(encoding="utf-8"))
        extracted = extract_document(nlp(normalized.text), path.stem)
        assert extracted.events
        for actor in actor_texts(extracted.events):
            assert "reuters" not in actor.lower() and "(" not in actor


@pytest.mark.parametrize(
    ("url", "line", "day"),
    [
        ("http://a.com/2009/04/28/story", "WASHINGTON-April 27 -", date(2009, 4, 27)),
        ("http://a.com/news/20090105.htm", "Mumbai, Dec 30 -", date(2008, 12, 30)),
    ],
)
def test_a_dateline_on_its_own_line(url, line, day):
    # The dateline has no year: the URL's, or the year before for a late-December dateline.
    text = f"{url}\n{line}\nThe navy said it had stopped an attack.\n"
    anatomy = read_anatomy(text)
    assert [part.kind for part in anatomy.parts] == ["url", "dateline", "body"]
    assert (anatomy.dateline, anatomy.published_at, anatomy.published_at_source) == (
        line,
        day,
        "dateline",
    )


@pytest.mark.parametrize("line", ["Statement:", "Reactions -", "PTI reports:"])
def test_labels_are_no_datelines(line):
    assert not any(part.kind == "dateline" for part in read_anatomy(f"{line}\nIt rained.\n").parts)


def scraped_ecb_documents(limit: int) -> list[tuple[str, str | None]]:
    """(text, url) of the first ECB+ developer documents whose header has a URL and a date line."""
    found = []
    for path in sorted((SHARED_DATA / "ecb_dev" / "docs").glob("*/*ecbplus.txt")):
        text = path.read_text(encoding="utf-8")
        meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
        kinds = {part.kind for part in read_anatomy(text, url=meta.get("url")).parts}
        if {"url", "date_line"} <= kinds:
            found.append((text, meta.get("url")))
        if len(found) == limit:
            break
    return found


def test_ecb_actors_come_from_the_body_only(nlp):
    documents = scraped_ecb_documents(6)
    assert len(documents) == 6
    for index, (text, url) in enumerate(documents):
        extracted = extract_document(nlp(normalize(text).text), f"ecb{index}", url=url)
        mentions = {row["mention_id"]: row for row in extracted.mentions}
        for event in extracted.events:
            for key in ("actor_mention_id", "recipient_mention_id"):
                if event[key]:
                    mention = mentions[event[key]]
                    assert extracted.anatomy.is_body(mention["start_char"], mention["end_char"])
        for actor in actor_texts(extracted.events):
            assert "http" not in actor and "\n" not in actor


def test_lists_and_menus_past_the_header_are_list_items():
    text = (
        "The company released a new phone on Monday.\n"
        "Dual-core 1.5GHz processor\n"
        "Home News Sport Weather\n"
        "It goes on sale in May.\n"
    )
    kinds = [part.kind for part in read_anatomy(text).parts]
    assert kinds == ["body", "list_item", "list_item", "body"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://business.example.com/q10", True),
        ("visit www.example.com today", True),
        ("T-Mobile USA", False),
        ("Dr. Smith", False),
    ],
)
def test_contains_url(text, expected):
    assert contains_url(text) is expected

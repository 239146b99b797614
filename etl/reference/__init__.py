"""Reference data shared by several stages: gazetteers of places and countries, title and
lexicon files, each with one loader and one key function."""

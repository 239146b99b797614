"""The ``newsetl`` command line (``main``). It may import ``flows``; the library never does."""

"""One run's bookkeeping: what to load (``plan``), run statistics (``stats``), the commit of a
run's staged files into the next warehouse state (``commit``), the scoping of entity resolution
and event clustering to what a run touches (``incremental``, ``incremental_coref``) and backfill
planning (``backfill``)."""

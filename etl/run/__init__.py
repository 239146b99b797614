"""One run's bookkeeping: what to load (``plan``), run statistics (``stats``), the commit of a
run's staged files into the next warehouse state (``commit``) and backfill planning
(``backfill``)."""

"""``python -m etl.cli``: the same as the ``newsetl`` command."""

from etl.cli.main import main

main()

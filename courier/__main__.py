"""``python -m courier`` is the ``courier`` command."""

from courier.cli import main

main()

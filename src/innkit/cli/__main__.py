"""``python -m innkit.cli``: the same as the ``innkit`` command."""

from . import run

run()

"""``gradexplorer`` command line (see :mod:`gradexplorer.cli.main`)."""

from gradexplorer.cli.main import main

__all__ = ["main"]

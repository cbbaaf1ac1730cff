"""``python -m gradexplorer``: the same as the ``gradexplorer`` command."""

import sys

from gradexplorer.cli import main

sys.exit(main())

"""``python -m gradexplorer``: the same as the ``gradexplorer`` command."""

import sys

from gradexplorer.cli.main import main

sys.exit(main())

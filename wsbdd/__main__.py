"""``python -m wsbdd`` is the ``wsbdd`` command."""

import sys

from wsbdd.cli import main

sys.exit(main())

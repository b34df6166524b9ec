"""``python -m cms_law``: the same command line as ``cms-law``."""

import sys

from .cli import main

sys.exit(main())

"""``python -m genrec.data``: the dataset commands (genrec.data.cli)."""

import sys

from genrec.data.cli import main

sys.exit(main())

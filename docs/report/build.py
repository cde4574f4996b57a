"""Entry point of ``make report``: ``python docs/report/build.py [--figures figures.json]``."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

from reportgen.build import main  # noqa: E402 - after the path set-up above

if __name__ == "__main__":
    sys.exit(main())

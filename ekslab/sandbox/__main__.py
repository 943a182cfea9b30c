"""``python -m ekslab.sandbox STATE_DIR BUNDLE CLUSTER``: the background process of ``ekslab sandbox up``."""

from __future__ import annotations

import sys
from pathlib import Path

from ekslab.sandbox.service import serve

if __name__ == "__main__":
    state_dir, bundle, cluster = sys.argv[1:4]
    sys.exit(serve(Path(state_dir), Path(bundle), cluster))

"""Makes the deadline test helpers (deadline_fakes, deadline_factories) importable."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

"""Makes the tools folder importable (``import demo_data``) for its tests."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# nbgrader's SQLAlchemy use warns on every grade; the tests look at results, not at that noise.
warnings.filterwarnings("ignore", message=".*not in session.*")

import minilab  # noqa: E402


@pytest.fixture
def mini_repo(tmp_path):
    """A kit-shaped folder holding only the mini-lab (real nbgrader runs in seconds on it)."""
    return minilab.make_repo(tmp_path / "kit")

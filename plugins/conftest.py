"""Lets `make test` run the example plugins' tests from source, installed or not."""

import sys
from pathlib import Path

for plugin in sorted(Path(__file__).parent.iterdir()):
    if (plugin / "pyproject.toml").exists() and str(plugin) not in sys.path:
        sys.path.insert(0, str(plugin))

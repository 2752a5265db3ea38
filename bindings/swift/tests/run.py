"""Runs the proof suite (unittest discovery in this folder) and ends with a `N passed, N failed` line."""

import sys
import unittest
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))
suite = unittest.defaultTestLoader.discover(str(here), pattern="test_*.py", top_level_dir=str(here))
result = unittest.TextTestRunner(verbosity=1 if "-q" in sys.argv else 2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
passed = result.testsRun - failed - len(result.skipped)
print(f"swift proof: {passed} passed, {failed} failed, {len(result.skipped)} skipped")
sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)

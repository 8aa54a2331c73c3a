"""A short fuzzing pass in the suite: mutated inputs give a result or one clear error line.

``benchmarks/fuzz.py`` runs the long pass and records it; this runs a few cases of each target.
"""

from __future__ import annotations

import sys

import pytest

from conftest import REPO


@pytest.mark.parametrize("target", ["audio", "models", "corpora"])
def test_mutated_inputs_never_cause_an_internal_error(target):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import fuzz
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    findings = fuzz.fuzz(cases=12, seed=7, targets=(target,))
    assert findings.faults == []
    outcomes = findings.summary()
    assert sum(counts["clear error"] for counts in outcomes.values()) > 0  # the mutations bite

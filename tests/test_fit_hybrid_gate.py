"""The evidence gate's ample-flags route as `make hybrid` fits it (training/fit_hybrid.py)."""

import math

import numpy as np

from detector.document_rule import EvidenceGate, LengthAwareRule
from training.fit_hybrid import FitArgs, _ample_gate


def test_the_ample_bar_rises_over_every_clean_text_with_ample_flags():
    rule = LengthAwareRule(rate=0.0175, slack=0.75, floor=0.0911)  # 15 of 159 needed
    args = FitArgs(ample_count=1.2, ample_units=3, ample_gain=8.0, corroborating_margin=1.0)
    counts = np.array([[19, 159], [30, 159], [16, 159], [25, 159]])
    gains = [
        [11.0, 10.0, 8.2],  # clean, ample flags: its third strongest 8.2 sets the bar
        [20.0, 15.0, 14.0],  # spun: never raises it
        [12.0, 11.0, 10.5],  # clean, but too few flags for the route
        [9.0, 8.0],  # clean with ample flags, fewer units than the route counts
    ]
    labels = np.array([False, True, False, False])
    gate = _ample_gate(EvidenceGate(min_gain=13.0), rule, counts, gains, labels, args, "t")
    assert (gate.ample_count, gate.ample_units) == (1.2, 3)
    assert gate.ample_gain == 9.2
    # No clean text that high: the chosen bar stands.
    gate = _ample_gate(
        EvidenceGate(min_gain=13.0), rule, counts[1:], gains[1:], labels[1:], args, "t"
    )
    assert gate.ample_gain == 8.0
    off = FitArgs(ample_count=math.inf)
    assert _ample_gate(EvidenceGate(min_gain=13.0), rule, counts, gains, labels, off, "t") == (
        EvidenceGate(min_gain=13.0)
    )

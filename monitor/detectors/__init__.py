"""Spike detectors: causal, per brand and per signal, against a time-of-week baseline."""

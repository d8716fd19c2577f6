"""Benchmark and scale-out checks of the assistant (not part of the test suite: it measures, it does not judge)."""

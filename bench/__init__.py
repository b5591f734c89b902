"""Benchmarks: `python -m bench.run --help`."""

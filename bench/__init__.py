"""Benchmarks, run by `make bench`; each writes flat keys into bench/results.json."""

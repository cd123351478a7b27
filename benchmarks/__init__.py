"""Benchmarks (`make bench`): each prints its figures and ends with one JSON line naming itself."""

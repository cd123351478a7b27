"""Synthetic volume for benchmarks: millions of appeals and ledger items loaded past the rules."""

"""Benchmark reports regenerated from result files (bench/results/ at the repository root)."""

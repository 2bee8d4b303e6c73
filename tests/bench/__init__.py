"""Benchmarks of DESIGN.md's speed bars (`make bench`): not tests, figures printed as a table."""

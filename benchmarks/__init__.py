"""Benchmarks (not timed tests): run them by hand, paste their output in the README's performance section."""

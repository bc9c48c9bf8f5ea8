"""Promises of docs/reliability.md, each checked with real processes on both backends."""

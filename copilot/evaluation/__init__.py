"""Offline evaluation: score drafts against a golden set and gate regressions."""

"""Compliance: a lexicon of banned terms, evasion-proof matching and a guard for every draft."""

"""Drafting replies: grounding, the offline composer, the LLM drafter and the guard step."""

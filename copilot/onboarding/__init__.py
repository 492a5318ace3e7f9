"""Onboarding: knowledge made from what a shop already has (spreadsheets and policy pages)."""

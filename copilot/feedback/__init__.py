"""Agents' feedback on drafts, and the analytics a service manager acts on."""

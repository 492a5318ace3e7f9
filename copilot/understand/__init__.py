"""Understanding a customer's message: intent, stage, emotion, urgency, risk flags, escalation."""

"""Reply copilot: grounded draft replies for Chinese e-commerce customer service."""

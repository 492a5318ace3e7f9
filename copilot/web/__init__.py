"""The agents' console and the analytics page: static files served by the API app."""

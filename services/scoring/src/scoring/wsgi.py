"""Gunicorn entrypoint: ``gunicorn scoring.wsgi:app``."""
from dunghan.logging import configure
from scoring.app import create_app
from scoring.config import Settings

settings = Settings.from_env()
configure("scoring", settings.log_level)
app = create_app(settings)

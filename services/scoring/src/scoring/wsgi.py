"""Gunicorn entry point: ``gunicorn scoring.wsgi:app``."""
from dunghan.logging import configure
from scoring.app import create_app
from scoring.bootstrap import SERVICE
from scoring.config import Settings

settings = Settings.from_env()
configure(SERVICE, settings.log_level)
app = create_app(settings)

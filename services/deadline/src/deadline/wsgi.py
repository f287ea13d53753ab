"""Gunicorn entry point: ``gunicorn deadline.wsgi:app``."""
from deadline.app import create_app
from deadline.bootstrap import SERVICE
from deadline.config import Settings
from dunghan.logging import configure

settings = Settings.from_env()
configure(SERVICE, settings.log_level)
app = create_app(settings)

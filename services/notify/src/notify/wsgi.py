"""Gunicorn entry point: ``gunicorn notify.wsgi:app``."""
from dunghan.logging import configure
from notify.app import create_app
from notify.bootstrap import SERVICE
from notify.config import Settings

settings = Settings.from_env()
configure(SERVICE, settings.log_level)
app = create_app(settings)

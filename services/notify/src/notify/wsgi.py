"""Gunicorn entry point: ``notify.wsgi:app``."""
from dunghan.logging import configure
from notify.app import create_app
from notify.config import Settings

settings = Settings.from_env()
configure("notify", settings.log_level)
app = create_app(settings)

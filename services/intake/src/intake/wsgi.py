"""Gunicorn entry point: ``gunicorn intake.wsgi:app``."""
from dunghan.logging import configure
from intake.app import create_app
from intake.bootstrap import SERVICE
from intake.config import Settings

settings = Settings.from_env()
configure(SERVICE, settings.log_level)
app = create_app(settings)

"""Gunicorn entrypoint: ``gunicorn intake.wsgi:app``."""
from dunghan.logging import configure
from intake.app import create_app
from intake.config import Settings

settings = Settings.from_env()
configure("intake", settings.log_level)
app = create_app(settings)

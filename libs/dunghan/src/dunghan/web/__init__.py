"""Flask plumbing every service's web shares: health, readiness, OpenAPI, metrics, JSON errors, API keys."""
from dunghan.web.app import ReadinessCheck, amqp_check, create_base_app, db_check
from dunghan.web.auth import Principal, StaticKeyStore, current_principal, hash_key, require_agency, require_auth
from dunghan.web.errors import error_response

__all__ = [
    "Principal", "ReadinessCheck", "StaticKeyStore", "amqp_check", "create_base_app", "current_principal",
    "db_check", "error_response", "hash_key", "require_agency", "require_auth",
]

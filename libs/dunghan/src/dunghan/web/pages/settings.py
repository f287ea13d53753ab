"""Settings of the staff pages (sign-in, session, organisation), from the mapping a service's config passes."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PAGES_ENV = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CLAIM", "PAGES_SECRET_KEY",
             "PAGES_DEV_LOGIN", "PAGES_ORG_FILE", "PAGES_ROLES", "PAGES_EXTERNAL_URL")
DEV_SECRET = "dunghan-dev-pages-only"  # used only with the development sign-in, which is refused in production


class PagesConfigError(ValueError):
    """The pages' settings contradict each other (the service refuses to start)."""


@dataclass(frozen=True)
class PagesSettings:
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_claim: str = "email"  # the ID token claim naming the officer: email, or sub (the officer code)
    secret_key: str = ""
    dev_login: bool = False
    org_file: str = ""
    roles: str = ""  # extra roles: "SCT-VP-01:leadership;SCT-VP-02:operator"
    external_url: str = ""  # where the service is published (behind a proxy): the OIDC redirect URI's base

    @property
    def enabled(self) -> bool:
        return bool(self.secret_key) and (bool(self.oidc_issuer) or self.dev_login)

    @property
    def cookie_secure(self) -> bool:
        return self.oidc_issuer.startswith("https://") or self.external_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PagesSettings:
        dev = env.get("PAGES_DEV_LOGIN", "").strip().lower() in ("1", "true", "yes", "on")
        issuer = env.get("OIDC_ISSUER", "").rstrip("/")
        if dev and issuer:
            raise PagesConfigError("PAGES_DEV_LOGIN chỉ dùng với `make dev`: không được bật cùng OIDC_ISSUER")
        secret = env.get("PAGES_SECRET_KEY", "") or (DEV_SECRET if dev else "")
        if issuer and not (env.get("OIDC_CLIENT_ID") and secret):
            raise PagesConfigError("OIDC_ISSUER cần OIDC_CLIENT_ID và PAGES_SECRET_KEY")
        claim = env.get("OIDC_CLAIM", "email")
        if claim not in ("email", "sub", "preferred_username"):
            raise PagesConfigError("OIDC_CLAIM: email, sub hoặc preferred_username")
        return cls(oidc_issuer=issuer, oidc_client_id=env.get("OIDC_CLIENT_ID", ""),
                   oidc_client_secret=env.get("OIDC_CLIENT_SECRET", ""), oidc_claim=claim, secret_key=secret,
                   dev_login=dev, org_file=env.get("PAGES_ORG_FILE", ""), roles=env.get("PAGES_ROLES", ""),
                   external_url=env.get("PAGES_EXTERNAL_URL", "").rstrip("/"))

"""Settings of the staff pages (sign-in, session, organisation): a nested field of a service's settings."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from dunghan.settings import EnvSettings, setting

DEV_SECRET = "dunghan-dev-pages-only"  # used only with the development sign-in, which is refused in production


class PagesConfigError(ValueError):
    """The pages' settings contradict each other (the service refuses to start)."""


def _claim(value: str) -> str:
    if value not in ("email", "sub", "preferred_username"):
        raise PagesConfigError("email, sub hoặc preferred_username")
    return value


def _base_url(value: str) -> str:
    return value.rstrip("/")


@dataclass(frozen=True)
class PagesSettings(EnvSettings):
    oidc_issuer: str = setting("", env="OIDC_ISSUER", check=_base_url)
    oidc_client_id: str = setting("", env="OIDC_CLIENT_ID")
    oidc_client_secret: str = setting("", env="OIDC_CLIENT_SECRET")
    # the ID token claim naming the officer: email, or sub (the officer code)
    oidc_claim: str = setting("email", env="OIDC_CLAIM", check=_claim)
    secret_key: str = setting("", env="PAGES_SECRET_KEY")
    dev_login: bool = setting(False, env="PAGES_DEV_LOGIN")
    org_file: str = setting("", env="PAGES_ORG_FILE")
    roles: str = setting("", env="PAGES_ROLES")  # extra roles: "SCT-VP-01:leadership;SCT-VP-02:operator"
    # where the service is published (behind a proxy): the OIDC redirect URI's base
    external_url: str = setting("", env="PAGES_EXTERNAL_URL", check=_base_url)

    @property
    def enabled(self) -> bool:
        return bool(self.secret_key) and (bool(self.oidc_issuer) or self.dev_login)

    @property
    def cookie_secure(self) -> bool:
        return self.oidc_issuer.startswith("https://") or self.external_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PagesSettings:
        """The fields as ``EnvSettings`` reads them, then the rules between them."""
        s = super().from_env(env)
        if s.dev_login and s.oidc_issuer:
            raise PagesConfigError("PAGES_DEV_LOGIN chỉ dùng với `make dev`: không được bật cùng OIDC_ISSUER")
        if s.dev_login and not s.secret_key:
            s = replace(s, secret_key=DEV_SECRET)
        if s.oidc_issuer and not (s.oidc_client_id and s.secret_key):
            raise PagesConfigError("OIDC_ISSUER cần OIDC_CLIENT_ID và PAGES_SECRET_KEY")
        return s

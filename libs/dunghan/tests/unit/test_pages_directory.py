"""Who an identity is in the organisation, and which role the pages give them."""
from __future__ import annotations

import pytest

from dunghan.web.pages.directory import directory_from_org, parse_roles
from dunghan.web.pages.session import safe_next
from dunghan.web.pages.settings import PagesConfigError, PagesSettings

ORG = {"agency": {"code": "SCT"}, "union": {"contact": "B-2"},
       "units": [{"code": "A", "name": "Phòng A", "head": "A-1", "officers": [
           {"code": "A-1", "full_name": "Một", "email": "Mot@x.vn"}, {"code": "A-2", "full_name": "Hai"}]},
                 {"code": "B", "name": "Phòng B", "officers": [{"code": "B-2", "full_name": "Ba"}]}]}


def test_heads_and_the_union_contact_get_their_roles_and_extra_roles_override() -> None:
    d = directory_from_org(ORG, parse_roles("A-2:leadership"))
    assert {p.code: p.role for p in d.people} == {"A-1": "unit_head", "A-2": "leadership", "B-2": "union"}
    assert d.by_claim("email", "mot@X.VN").code == "A-1"  # type: ignore[union-attr]
    assert d.by_claim("sub", "B-2").unit == "B"  # type: ignore[union-attr]
    assert d.by_claim("email", "") is None and d.by_claim("email", "nobody@x.vn") is None
    assert d.unit_name("B") == "Phòng B" and d.name_of("ZZ") == "ZZ"


def test_an_unknown_role_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        parse_roles("A-1:admin")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "", None,
                                    "javascript:alert(1)"])
def test_after_sign_in_only_a_path_of_this_site(target: str | None) -> None:
    assert safe_next(target) == "/"


def test_settings_need_a_client_and_a_key_with_an_issuer() -> None:
    with pytest.raises(PagesConfigError):
        PagesSettings.from_env({"OIDC_ISSUER": "https://id.example"})
    assert not PagesSettings.from_env({}).enabled
    dev = PagesSettings.from_env({"PAGES_DEV_LOGIN": "1"})
    assert dev.enabled and dev.secret_key and not dev.cookie_secure

"""The operator CLI on the real database: migrate, load the shipped catalogue and org, create a key."""
from __future__ import annotations

from importlib import resources

import pytest

from dunghan.db import make_engine
from dunghan.web.auth import hash_key
from intake.config import Settings
from intake.manage import main
from intake.repository import SqlRepository

pytestmark = pytest.mark.integration


def test_cli_loads_shipped_data_and_creates_a_key_printed_once(make_database, capsys):
    settings = Settings(database_url=make_database("intake_cli"))
    data = resources.files("intake") / "data"
    assert main(["migrate"], settings) == 0
    assert main(["load-org", str(data / "org_sct.yaml")], settings) == 0
    assert main(["load-catalogue", str(data / "procedures_sct.yaml")], settings) == 0
    assert main(["load-catalogue", str(data / "procedures_sct.yaml")], settings) == 0
    capsys.readouterr()
    assert main(["create-key", "--name", "motcua-sct", "--agency", "SCT", "--amqp-user", "motcua-sct"],
                settings) == 0
    key = capsys.readouterr().out.strip()
    assert main(["create-key", "--name", "ghost", "--agency", "XYZ"], settings) == 2  # no such agency
    assert "XYZ" in capsys.readouterr().err
    assert main(["create-key", "--name", "x\n" + "y" * 200, "--agency", "SCT"], settings) == 2
    engine = make_engine(settings.database_url)
    with SqlRepository(engine).transaction() as tx:
        assert tx.source_by_key(hash_key(key)).agency == "SCT"  # type: ignore[union-attr]
        assert len(tx.list_procedure_codes("SCT")) >= 30
        assert len(tx.list_officers("SCT", None)) >= 30
        assert tx.get_unit("SCT-KTAT").head_officer == "SCT-KTAT-01"  # type: ignore[union-attr]
    engine.dispose()

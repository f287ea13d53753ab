"""A campaign from a YAML file (the sample campaign at start, ``manage load-campaign``)."""
from __future__ import annotations

from scoring.commands import create_campaign
from scoring.domain import Campaign
from scoring.errors import Conflict
from scoring.ports import Repository


def load_campaign_file(repo: Repository, path: str, *, if_absent: bool = True) -> Campaign | None:
    """Load a YAML campaign; with ``if_absent``, a campaign already stored is left as it is (returns None)."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    if if_absent:
        with repo.uow as tx:
            if tx.get_campaign(str(raw.get("id"))) is not None:
                return None
    try:
        return create_campaign(repo, raw)
    except Conflict:
        if not if_absent:
            raise
        return None  # the web and the worker start together: the other one stored it meanwhile

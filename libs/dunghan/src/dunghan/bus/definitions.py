"""`python -m dunghan.bus.definitions` prints deploy/rabbitmq/definitions.json from the topology in code."""
from __future__ import annotations

import json

from dunghan.bus.topology import definitions


def render() -> str:
    return json.dumps(definitions(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")

"""deploy/rabbitmq/definitions.json is the topology in code, and rendering adds only password hashes."""
import base64
import hashlib
import json
from pathlib import Path

from dunghan.bus.definitions import render
from dunghan.bus.topology import TOPOLOGY
from dunghan.testing.scripts import load_script

ROOT = Path(__file__).resolve().parents[4]


def test_committed_definitions_match_the_topology_in_code():
    committed = (ROOT / "deploy/rabbitmq/definitions.json").read_text()
    assert committed == render(), "run `make definitions` and commit deploy/rabbitmq/definitions.json"


def test_every_consumer_queue_is_quorum_with_delivery_limit_and_dead_letter_queue():
    defs = json.loads(render())
    queues = {q["name"]: q for q in defs["queues"]}
    for q in TOPOLOGY.queues:
        args = queues[q.name]["arguments"]
        assert args["x-queue-type"] == "quorum" and args["x-delivery-limit"] == q.delivery_limit
        assert args["x-dead-letter-exchange"] == q.dlx() and q.dlq() in queues
    assert "guest" not in {u["name"] for u in defs["users"]}


def test_render_adds_a_verifiable_sha256_hash_per_user():
    module = load_script(ROOT / "deploy/rabbitmq/render_definitions.py", "render_definitions")
    defs = json.loads(render())
    env = {module.password_variable(u["name"]): f"pw-{u['name']}" for u in defs["users"]}
    assert module.password_variable("dept.sct") == "DEPT_SCT_AMQP_PASSWORD"
    out = module.render(defs, env)
    for user in out["users"]:
        raw = base64.b64decode(user["password_hash"])
        salt, digest = raw[:4], raw[4:]
        assert digest == hashlib.sha256(salt + f"pw-{user['name']}".encode()).digest()
        assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"

"""The example clients of docs/integration (Python, Java) against the real broker and a scripted intake: they
publish as the contract says (exchange, routing key, user_id, message_id, reply_to, correlation_id), keep the
reply queue for a buffered fact's second reply, and exit with the status of the final reply."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pika
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "integration"
JARS = [Path("/usr/share/java/amqp-client.jar"), Path("/usr/share/java/slf4j-api.jar")]
# event_id → the replies the scripted intake sends (seconds to wait before each)
SCRIPT: dict[str, list[tuple[float, dict[str, Any]]]] = {
    "ok-1": [(0, {"status": "accepted", "dossier_status": 2})],
    "bad-1": [(0, {"status": "rejected", "reason": "invalid", "errors": [{"field": "unit", "reason": "x"}]})],
    "late-1": [(0, {"status": "buffered", "reason": "hồ sơ chưa được tiếp nhận"}),
               (1.5, {"status": "rejected", "reason": "unknown_dossier",
                      "errors": [{"field": "code", "reason": "x"}]})],
    "wait-1": [(0, {"status": "buffered", "reason": "hồ sơ chưa được tiếp nhận"})],
}


class ScriptedIntake:
    """Consumes ``<prefix>dunghan.inbound`` and answers ``reply_to`` by ``SCRIPT``; records what it received."""

    def __init__(self, url: str, prefix: str) -> None:
        self.received: list[dict[str, Any]] = []
        self.conn = pika.BlockingConnection(pika.URLParameters(url))
        self.ch = self.conn.channel()
        self.exchange, self.queue = f"{prefix}dunghan.inbound", f"{prefix}scripted.intake"
        self.ch.exchange_declare(self.exchange, "topic", durable=True)
        self.ch.queue_declare(self.queue, exclusive=True)
        self.ch.queue_bind(self.queue, self.exchange, "#")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            method, props, body = self.ch.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.conn.sleep(0.05)
                continue
            msg = json.loads(body)
            self.received.append({"routing_key": method.routing_key, "user_id": props.user_id,
                                  "message_id": props.message_id, "delivery_mode": props.delivery_mode,
                                  "content_type": props.content_type, "body": msg})
            for delay, reply in SCRIPT.get(msg["event_id"], []):
                self.conn.sleep(delay)
                self.ch.basic_publish("", props.reply_to, json.dumps({**reply, "event_id": msg["event_id"]}),
                                      pika.BasicProperties(correlation_id=props.correlation_id))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        self.conn.close()


@pytest.fixture
def intake(amqp_url: str, bus_prefix: str) -> Iterator[ScriptedIntake]:
    fake = ScriptedIntake(amqp_url, bus_prefix)
    yield fake
    fake.close()


def message(tmp_path: Path, event_id: str) -> Path:
    body = json.loads((DOCS / "examples" / "dossier.accepted.json").read_text(encoding="utf-8"))
    path = tmp_path / f"{event_id}.json"
    path.write_text(json.dumps({**body, "event_id": event_id}, ensure_ascii=False), encoding="utf-8")
    return path


def python_client(amqp_url: str, prefix: str) -> list[str]:
    return [sys.executable, str(DOCS / "example_publisher.py"), "--url", amqp_url, "--prefix", prefix]


@pytest.fixture(scope="module")
def java_client(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    javac, java = shutil.which("javac"), shutil.which("java")
    if not (javac and java and all(j.exists() for j in JARS)):
        pytest.skip("javac or the RabbitMQ Java client is missing (`make integration-tools` installs "
                    "librabbitmq-client-java): the Java example is not built")
    out = tmp_path_factory.mktemp("java")
    subprocess.run([javac, "-Xlint:all", "-Werror", "-cp", str(JARS[0]), "-d", str(out),
                    str(DOCS / "java" / "Publisher.java")], check=True, timeout=180)
    return [java, "-cp", ":".join([str(out), *map(str, JARS)]), "Publisher"]


def run(client: list[str], file: Path, amqp_url: str, prefix: str, *extra: str) -> subprocess.CompletedProcess:
    args = [*client, str(file), "--wait-buffered", "5", *extra]
    if client[0] != sys.executable:
        args += ["--url", amqp_url, "--prefix", prefix]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("language", ["python", "java"])
@pytest.mark.parametrize(("event_id", "code", "last"), [
    ("ok-1", 0, "accepted"), ("bad-1", 1, "rejected"), ("late-1", 1, "rejected"), ("wait-1", 3, "buffered"),
])
def test_client_publishes_per_contract_and_exits_with_the_final_reply(
        request, intake, amqp_url, bus_prefix, tmp_path, language, event_id, code, last):
    client = (python_client(amqp_url, bus_prefix) if language == "python"
              else request.getfixturevalue("java_client"))
    sent = message(tmp_path, event_id)
    result = run(client, sent, amqp_url, bus_prefix)
    assert result.returncode == code, result.stdout + result.stderr
    assert f'"status": "{last}"' in result.stdout.replace('":"', '": "')
    if event_id == "late-1":
        assert "buffered" in result.stdout  # the first reply, then the rejection on the same queue
    [got] = intake.received
    assert got["routing_key"] == "SCT.dossier.accepted" and got["user_id"] == "guest"
    assert got["message_id"] == event_id and got["delivery_mode"] == 2
    assert got["content_type"] == "application/json"
    assert got["body"] == json.loads(sent.read_text(encoding="utf-8"))  # the file's message, as it is


@pytest.mark.parametrize("language", ["python", "java"])
def test_client_without_a_reply_exits_2(request, intake, amqp_url, bus_prefix, tmp_path, language):
    client = (python_client(amqp_url, bus_prefix) if language == "python"
              else request.getfixturevalue("java_client"))
    result = run(client, message(tmp_path, "silent-1"), amqp_url, bus_prefix, "--timeout", "2")
    assert result.returncode == 2, result.stdout + result.stderr

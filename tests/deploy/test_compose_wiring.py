"""docker-compose.yml, run without Docker: every application container's command with its compose environment
(values from a .env that deploy/docker/env.sh generated), as local processes against a throwaway vhost loaded
with the production definitions (rendered by compose's own one-shot step) and databases made by the compose
PostgreSQL's init script. A few dossiers go through; classification and an e-mail come out.

It fails when compose misses a variable (an unset ``${VAR:?}``, or a setting left at its development default), a
credential is wrong (a container never becomes healthy), or the seed is missing or does not register the
departmental system (intake refuses its facts).
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pika
import pytest
import requests

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.testing.polling import wait_until
from dunghan.testing.scripts import load_script
from dunghan.testing.sinks import SmtpSink

from .compose_isolation import Isolation
from .compose_local import MissingVariable, read_env_file, resolve
from .compose_stack import APP_CONTAINERS, ComposeStack

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

CAL = load_calendar()
PROCEDURE, UNIT, OFFICER, DESK = "SCT-TM-09", "SCT-QLTM", "SCT-QLTM-03", "SCT-MC-02"


def generated_env(root: Path, folder: Path) -> dict[str, str]:
    subprocess.run(["bash", str(root / "deploy/docker/env.sh"), str(root / ".env.example"), str(folder / ".env")],
                   check=True, capture_output=True, timeout=30)
    return read_env_file(folder / ".env")


@pytest.fixture(scope="module")
def dotenv(root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return generated_env(root, tmp_path_factory.mktemp("dotenv"))


@pytest.fixture(scope="module")
def isolation(root: Path, compose: dict[str, Any], dotenv: dict[str, str], amqp_url: str,
              database_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    for tool in ("rabbitmqctl", "psql"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed: the compose wiring test loads definitions with rabbitmqctl "
                        "and runs deploy/postgres/init.sh with psql "
                        "(apt-get install rabbitmq-server postgresql-client)")
    iso = Isolation(root, compose, dotenv, amqp_url, database_admin_url, tmp_path_factory.mktemp("compose"),
                    f"cw{uuid.uuid4().hex[:6]}")
    try:
        iso.create()
    except PermissionError as exc:
        iso.destroy()
        pytest.skip(str(exc))
    yield iso
    iso.destroy()


@pytest.fixture(scope="module")
def stack(isolation: Isolation) -> Any:
    smtp = SmtpSink().start()
    running = ComposeStack(isolation, smtp_port=smtp.port)
    try:
        running.start(APP_CONTAINERS)
        yield running, smtp
    except Exception:
        print(running.tails())
        raise
    finally:
        running.stop()
        smtp.stop()


def before(day: date, n: int) -> date:
    for _ in range(n):
        day = CAL.previous_working_day(day)
    return day


def at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).isoformat()


def dossier_facts(code: str, accepted: date, resolved: date | None) -> list[dict[str, Any]]:
    facts = [
        {"fact": "dossier.accepted", "occurred_at": at(accepted, 9), "procedure_code": PROCEDURE, "channel": 2,
         "unit": "SCT-MC", "officer": DESK, "applicant": {"name": "Công ty TNHH Kiểm Thử Triển Khai"}},
        {"fact": "dossier.transferred", "occurred_at": at(accepted, 10), "unit": UNIT, "officer": OFFICER,
         "step": "thẩm định"},
    ]
    if resolved:
        facts.append({"fact": "result.ready", "occurred_at": at(resolved, 15), "decision": "approved",
                      "officer": OFFICER})
    return [{**f, "event_id": f"{code}-{i}", "code": code, "agency": "SCT"} for i, f in enumerate(facts)]


def send_as_department(url: str, user: str, facts: list[dict[str, Any]], timeout: float = 60.0
                       ) -> list[str]:
    """Publish as the departmental system does (user_id, direct reply-to: a department may use no queue but its
    own); intake's reply status for each fact."""
    conn = pika.BlockingConnection(pika.URLParameters(url))
    replies: dict[str, str] = {}

    def on_reply(_ch: Any, _method: Any, props: Any, body: bytes) -> None:
        reply = json.loads(body)
        if reply.get("status") != "buffered":
            replies[props.correlation_id] = reply.get("status") if reply.get("status") == "accepted" \
                else f"{reply.get('status')}: {reply.get('error') or reply}"

    try:
        ch = conn.channel()
        ch.basic_consume("amq.rabbitmq.reply-to", on_reply, auto_ack=True)
        ch.confirm_delivery()
        for fact in facts:
            props = pika.BasicProperties(content_type="application/json", delivery_mode=2, user_id=user,
                                         message_id=fact["event_id"], correlation_id=fact["event_id"],
                                         reply_to="amq.rabbitmq.reply-to")
            ch.basic_publish("dunghan.inbound", f"SCT.{fact['fact']}", json.dumps(fact).encode(), props,
                             mandatory=True)

        def collect() -> bool:
            conn.process_data_events(time_limit=0.2)
            return len(replies) >= len(facts)

        wait_until(collect, timeout=timeout, what="intake's replies", interval=0)
        return [replies[f["event_id"]] for f in facts]
    finally:
        conn.close()


def test_the_compose_stack_classifies_dossiers_and_sends_e_mail(stack: Any, dotenv: dict[str, str]) -> None:
    running, smtp = stack
    seed_output = running.seed_output
    assert dotenv["DUNGHAN_OPERATOR_KEY"] in seed_output, seed_output
    today = datetime.now(LOCAL_TZ).date()
    seq = int(running.isolation.run[2:], 16) % 9000 + 1000
    overdue_day, early_day = before(today, 6), before(today, 9)
    overdue, early = f"SCT-{overdue_day:%y%m%d}-{seq}", f"SCT-{early_day:%y%m%d}-{seq}"
    facts = dossier_facts(overdue, overdue_day, None) + dossier_facts(early, early_day, before(today, 6))
    statuses = send_as_department(running.department_url(), running.department_user(), facts)
    assert statuses == ["accepted"] * len(facts), "the seed must register the departmental system"

    key = {"Authorization": f"Bearer {dotenv['DUNGHAN_OPERATOR_KEY']}"}
    deadline_api = running.published_url("deadline-web")

    def classified() -> Any:
        resp = requests.get(f"{deadline_api}/api/v1/dossiers/{early}/clock", headers=key, timeout=5)
        return resp.status_code == 200 and resp.json().get("outcome") and resp.json()

    clock = wait_until(classified, timeout=90, what="classification of the early dossier", interval=1)
    assert clock["outcome"] == "early"

    def breach_mail() -> list[Any]:
        return [m for m in list(smtp.messages) if overdue in str(m.get("Subject", "")) + str(m)]

    mails = wait_until(breach_mail, timeout=150, what="the overdue dossier's e-mail", interval=1)
    assert any("@sct.example.vn" in m["X-Envelope-To"] for m in mails)
    sign_in_from_the_alert_link_through_the_demo_provider(running, mails, overdue)
    assert running.worker_metric_files() == {}, "workers must not write multiprocess metric files"
    assert all(running.web_metric_files().values()), "webs keep multiprocess metrics in their tmpfs"


def test_a_missing_variable_stops_compose(compose: dict[str, Any], dotenv: dict[str, str]) -> None:
    required = [k for k in dotenv if k.endswith(("_PASSWORD", "_PEPPER")) and "SMTP" not in k
                and "SMPP" not in k] + ["DUNGHAN_OPERATOR_KEY", "DUNGHAN_OPERATOR_KEY_SHA256"]
    for name in required:
        env = {k: v for k, v in dotenv.items() if k != name}
        with pytest.raises(MissingVariable, match=name):
            resolve(compose, env)


def test_every_container_overrides_the_development_defaults(isolation: Isolation) -> None:
    """A variable compose forgets falls back to a development default (the local server as postgres/guest, a
    known pepper, no API key): each container's settings must have none of them."""
    for name in (n for n in APP_CONTAINERS if n != "idp"):  # the demo provider reads no service settings
        assert isolation.development_defaults(name) == [], name


def test_a_wrong_broker_password_keeps_a_container_unhealthy(isolation: Isolation) -> None:
    broken = ComposeStack(isolation.with_env({"DEADLINE_AMQP_PASSWORD": "wrong-" + uuid.uuid4().hex}), smtp_port=1)
    try:
        with pytest.raises(AssertionError, match="healthy"):
            broken.start(["deadline-worker"], health_timeout=25)
    finally:
        broken.stop()


def test_a_wrong_database_password_keeps_a_container_unhealthy(isolation: Isolation) -> None:
    if isolation.database_trusts_passwords():
        pytest.skip("the PostgreSQL server of DATABASE_URL lets any password in (trust authentication)")
    broken = ComposeStack(isolation.with_env({"SCORING_DB_PASSWORD": "wrong-" + uuid.uuid4().hex}), smtp_port=1)
    try:
        with pytest.raises(AssertionError, match="healthy"):
            broken.start(["scoring-web"], health_timeout=25)
    finally:
        broken.stop()


def test_the_seed_refuses_an_operator_key_the_services_do_not_accept(isolation: Isolation) -> None:
    broken = ComposeStack(isolation.with_env({"DUNGHAN_OPERATOR_KEY": "not-the-key"}), smtp_port=1)
    done = broken.run_once("seed")
    assert done.returncode != 0 and "DUNGHAN_OPERATOR_KEY" in done.stderr


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker not installed")
def test_docker_compose_accepts_the_file_with_a_generated_env(root: Path, tmp_path: Path) -> None:
    if subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0:
        pytest.skip("docker is installed without the compose v2 plugin")
    env = generated_env(root, tmp_path)
    done = subprocess.run(["docker", "compose", "--env-file", str(tmp_path / ".env"), "config", "--quiet"],
                          cwd=root, capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin:/usr/local/bin", **env})
    assert done.returncode == 0, done.stderr


def test_make_demo_runs_against_the_stack_with_the_credentials_of_env(
    stack: Any, dotenv: dict[str, str], root: Path
) -> None:
    """What `make demo` does against `make up`: publish as the departmental user, close phases as operator."""
    running, _ = stack
    env = {"PATH": os.environ["PATH"], "AMQP_URL": running.department_url(),
           "DUNGHAN_SCORING_URL": running.published_url("scoring-web"),
           "DUNGHAN_API_KEY": dotenv["DUNGHAN_OPERATOR_KEY"]}
    done = subprocess.run([sys.executable, str(root / "tools/demo.py"), "--dossiers", "40", "--close-phases"],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "sơ kết đợt" in done.stdout and "HTTP 20" in done.stdout, done.stdout[-2000:]


def load_demo_env(root: Path) -> Any:
    return load_script(root / "deploy/docker/demo_env.py", "demo_env")


def test_make_demo_takes_the_compose_stack_credentials_from_env(root: Path, dotenv: dict[str, str],
                                                                tmp_path: Path) -> None:
    demo_env = load_demo_env(root)
    env = demo_env.up_environment({**dotenv, "DUNGHAN_BIND_ADDRESS": "0.0.0.0"})
    assert env["AMQP_URL"] == f"amqp://dept.sct:{dotenv['DEPT_SCT_AMQP_PASSWORD']}@127.0.0.1:18672/%2F"
    assert env["DUNGHAN_SCORING_URL"] == "http://127.0.0.1:18003"
    assert env["DUNGHAN_API_KEY"] == dotenv["DUNGHAN_OPERATOR_KEY"]
    missing = tmp_path / "absent.env"
    assert demo_env.target({"DEMO_TARGET": "up"}, missing) == "up"
    assert demo_env.target({"AMQP_URL": "amqp://x"}, missing) == "dev"
    assert demo_env.target({}, missing) == "dev"


def sign_in_from_the_alert_link_through_the_demo_provider(running: Any, mails: list[Any], code: str) -> None:
    """The e-mail's "Xem hồ sơ" link, followed as a browser would: deadline's page asks for a sign-in, the demo
    identity provider offers the organisation's officers, the callback lands on the dossier page; signing out
    ends the session at the provider too."""
    bodies = " ".join(part.get_content() for m in mails for part in m.walk()
                      if part.get_content_type() in ("text/plain", "text/html"))
    links = sorted(set(re.findall(rf"https?://[^\s\"<>]+/ho-so/{re.escape(code)}", bodies)))
    assert links, "the alert links to the dossier page"
    browser = requests.Session()
    first = browser.get(running.local_url(links[0]), timeout=10)
    assert first.status_code == 200 and "/dang-nhap/oidc" in first.text, first.text[:300]
    start = browser.get(first.url.split("/dang-nhap")[0] + f"/dang-nhap/oidc?next=/ho-so/{code}",
                        allow_redirects=False, timeout=10)
    chooser_url = running.local_url(start.headers["Location"])
    chooser = browser.get(chooser_url, timeout=10)
    assert chooser.status_code == 200 and OFFICER in chooser.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', chooser.text))
    form = {k: html.unescape(v) for k, v in hidden.items()} | {"officer": OFFICER}
    back = browser.post(chooser_url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    page = browser.get(running.local_url(back.headers["Location"]), timeout=10)
    assert page.status_code == 200 and code in page.text and page.url.endswith(f"/ho-so/{code}"), page.text[:300]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, "the page offers a sign-out form"
    out = browser.post(page.url.split("/ho-so/")[0] + "/dang-xuat", data={"csrf_token": csrf.group(1)},
                       allow_redirects=False, timeout=10)
    assert "/logout?" in out.headers["Location"]
    ended = browser.get(running.local_url(out.headers["Location"]), allow_redirects=False, timeout=10)
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/dang-nhap")

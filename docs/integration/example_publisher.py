"""Example publisher for departmental systems (copy and adapt): sends one lifecycle fact to Đúng hạn intake over
RabbitMQ and waits for its replies.

    pip install pika
    python example_publisher.py --url amqp://motcua-sct:SECRET@broker:5672/%2F --user motcua-sct \
        examples/dossier.accepted.json

The AMQP ``user_id`` property must be the user you connect with (RabbitMQ checks it); intake maps it to your
agency. The routing key is ``<agency>.<fact>``, e.g. ``SCT.dossier.accepted``.

Replies: ``accepted`` (applied), ``rejected`` (not recorded: fix and resend with the same ``event_id``), or
``buffered`` (waiting for an earlier fact of the dossier). A buffered fact gets a second reply only if it is
rejected when the waiting window ends (``INTAKE_ORPHAN_WINDOW_SECONDS``, 600 s by default), so the reply queue is
kept open until then; ``GET /api/v1/facts/<event_id>`` on intake tells its fate at any time.

Exit status: 0 accepted; 1 rejected (first or second reply); 2 no reply; 3 still buffered after
``--wait-buffered`` seconds.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Iterator

import pika

EXCHANGE = "dunghan.inbound"
DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
EXIT = {"accepted": 0, "rejected": 1, None: 2, "buffered": 3}


def replies(url: str, user: str, message: dict, *, prefix: str = "", timeout: float = 10.0,
            wait_buffered: float = 660.0, reply_queue: str | None = None) -> Iterator[dict]:
    """Publish ``message`` (persistent, with publisher confirms) and yield intake's replies as they come: the
    first within ``timeout`` seconds, and, after ``buffered``, a possible rejection within ``wait_buffered``.

    ``reply_queue``: a durable queue of your own (``<your AMQP user>.…``, e.g. ``dept.sct.replies``) that
    outlives this connection; by default RabbitMQ's direct reply-to (``amq.rabbitmq.reply-to``), which lives as
    long as this channel (so the connection stays open for a second reply). Intake answers no other queue."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    direct: list[tuple[str | None, bytes]] = []
    try:
        channel = connection.channel()
        if reply_queue:
            channel.queue_declare(queue=reply_queue, durable=True, arguments={"x-queue-type": "quorum"})
        else:
            reply_queue = DIRECT_REPLY_TO  # consumed (no-ack) on this channel before publishing
            channel.basic_consume(
                reply_queue, lambda _c, _m, props, raw: direct.append((props.correlation_id, raw)), auto_ack=True)
        channel.confirm_delivery()
        correlation_id = str(uuid.uuid4())
        properties = pika.BasicProperties(
            content_type="application/json", delivery_mode=2, user_id=user, message_id=message["event_id"],
            correlation_id=correlation_id, reply_to=reply_queue,
        )
        routing_key = f"{message['agency']}.{message['fact']}"
        body = json.dumps(message, ensure_ascii=False).encode()
        channel.basic_publish(prefix + EXCHANGE, routing_key, body, properties, mandatory=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if reply_queue == DIRECT_REPLY_TO:
                connection.process_data_events(time_limit=0.1)
                got = direct.pop(0) if direct else None
            else:
                method, props, raw = channel.basic_get(reply_queue, auto_ack=True)
                got = None if method is None else (props.correlation_id, raw)
                if got is None:
                    connection.sleep(0.1)
            if got is None:
                continue
            if got[0] != correlation_id:
                continue  # a reply to another message sent through the same queue
            reply = json.loads(got[1])
            yield reply
            if reply.get("status") != "buffered":
                return
            deadline = time.monotonic() + wait_buffered  # keep listening: a rejection may follow
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Gửi một sự kiện hồ sơ tới Đúng hạn")
    parser.add_argument("file", help="tệp JSON của thông điệp (xem examples/)")
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("--user", default="guest", help="tên người dùng AMQP (trùng với người dùng kết nối)")
    parser.add_argument("--prefix", default="", help="tiền tố tên exchange (chỉ dùng khi thử nghiệm)")
    parser.add_argument("--timeout", type=float, default=10.0, help="giây chờ phản hồi đầu tiên")
    parser.add_argument("--wait-buffered", type=float, default=660.0,
                        help="giây chờ phản hồi thứ hai của một sự kiện đang chờ (buffered)")
    parser.add_argument("--reply-queue", default=None, help="hàng đợi phản hồi bền của hệ thống (dept.…)")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as f:
        message = json.load(f)
    last = None
    for reply in replies(args.url, args.user, message, prefix=args.prefix, timeout=args.timeout,
                         wait_buffered=args.wait_buffered, reply_queue=args.reply_queue):
        print(json.dumps(reply, ensure_ascii=False, indent=2), flush=True)
        last = reply.get("status")
    if last is None:
        print("không nhận được phản hồi", file=sys.stderr)
    elif last == "buffered":
        print(f"chưa có kết quả cuối cùng: tra cứu GET /api/v1/facts/{message['event_id']} của intake",
              file=sys.stderr)
    return EXIT.get(last, 1)


if __name__ == "__main__":
    sys.exit(main())

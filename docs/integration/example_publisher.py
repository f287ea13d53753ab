"""Example publisher for departmental systems (copy and adapt): sends one lifecycle fact to Đúng hạn intake over
RabbitMQ and waits for the acceptance or rejection reply.

    pip install pika
    python example_publisher.py --url amqp://motcua-sct:SECRET@broker:5672/%2F --user motcua-sct \
        examples/dossier.accepted.json

The AMQP ``user_id`` property must be the user you connect with (RabbitMQ checks it); intake maps it to your
agency. The routing key is ``<agency>.<fact>``, e.g. ``SCT.dossier.accepted``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid

import pika

EXCHANGE = "dunghan.inbound"


def publish(url: str, user: str, message: dict, *, prefix: str = "", timeout: float = 10.0) -> dict | None:
    """Publish ``message`` (persistent, with publisher confirms) and return intake's reply, or None on timeout."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        reply_queue = channel.queue_declare(queue="", exclusive=True, auto_delete=True).method.queue
        correlation_id = str(uuid.uuid4())
        properties = pika.BasicProperties(
            content_type="application/json", delivery_mode=2, user_id=user, message_id=message["event_id"],
            correlation_id=correlation_id, reply_to=reply_queue,
        )
        routing_key = f"{message['agency']}.{message['fact']}"
        channel.basic_publish(prefix + EXCHANGE, routing_key, json.dumps(message, ensure_ascii=False).encode(),
                              properties, mandatory=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, props, body = channel.basic_get(reply_queue, auto_ack=True)
            if method is not None and props.correlation_id == correlation_id:
                return json.loads(body)
            connection.sleep(0.1)
        return None
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Gửi một sự kiện hồ sơ tới Đúng hạn")
    parser.add_argument("file", help="tệp JSON của thông điệp (xem examples/)")
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("--user", default="guest", help="tên người dùng AMQP (trùng với người dùng kết nối)")
    parser.add_argument("--prefix", default="", help="tiền tố tên exchange (chỉ dùng khi thử nghiệm)")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as f:
        message = json.load(f)
    reply = publish(args.url, args.user, message, prefix=args.prefix)
    print(json.dumps(reply, ensure_ascii=False, indent=2) if reply else "không nhận được phản hồi")
    return 0 if reply and reply.get("status") in ("accepted", "buffered") else 1


if __name__ == "__main__":
    sys.exit(main())

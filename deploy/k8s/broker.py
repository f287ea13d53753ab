"""The broker on Kubernetes: a RabbitmqCluster (cluster operator) and the Messaging Topology Operator's resources
(users, permissions, exchanges, quorum queues, bindings, policies) generated from the same topology code as
deploy/rabbitmq/definitions.json, instead of a boot-time definitions import (which would remove the operator's
default user)."""
from __future__ import annotations

import hashlib
import re
from typing import Any

Doc = dict[str, Any]
CLUSTER = {"name": "rabbitmq"}
PART_OF = {"app.kubernetes.io/part-of": "dunghan"}


def rabbitmq_cluster(image: str) -> Doc:
    return {
        "apiVersion": "rabbitmq.com/v1beta1", "kind": "RabbitmqCluster",
        "metadata": {"name": "rabbitmq", "labels": dict(PART_OF)},
        "spec": {
            "replicas": 3,
            "image": image,
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
            "persistence": {"storage": "20Gi"},
            "rabbitmq": {
                "additionalPlugins": ["rabbitmq_management", "rabbitmq_prometheus"],
                "additionalConfig": "\n".join([
                    "prometheus.return_per_object_metrics = true",
                    "cluster_partition_handling = pause_minority",
                    "vm_memory_high_watermark.relative = 0.6",
                    "heartbeat = 30",
                    "consumer_timeout = 1800000",
                    "max_message_size = 1048576",
                ]) + "\n",
            },
        },
    }


def k8s_name(*parts: str) -> str:
    """A DNS-1123 name: lowercase, [a-z0-9.-], at most 63 characters (a hash keeps long ones distinct)."""
    raw = "-".join(parts).lower()
    name = re.sub(r"[^a-z0-9.-]+", "-", raw).strip("-.")
    if len(name) > 63 or name != raw:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
        name = f"{name[:54].rstrip('-.')}-{digest}"
    return name


def _meta(kind: str, *parts: str) -> Doc:
    return {"name": k8s_name(kind, *parts), "labels": dict(PART_OF)}


def _vhost(item: Doc) -> str:
    return str(item.get("vhost", "/"))


def topology(definitions: Doc) -> list[Doc]:
    """Topology Operator resources for RabbitMQ definitions (the load_definitions format)."""
    api = "rabbitmq.com/v1beta1"
    docs: list[Doc] = []
    for user in definitions["users"]:
        spec: Doc = {"rabbitmqClusterReference": dict(CLUSTER),
                     "importCredentialsSecret": {"name": f"rabbitmq-user-{user['name']}"}}
        if user.get("tags"):
            spec["tags"] = list(user["tags"])
        docs.append({"apiVersion": api, "kind": "User", "metadata": _meta("user", user["name"]), "spec": spec})
    for p in definitions["permissions"]:
        docs.append({"apiVersion": api, "kind": "Permission", "metadata": _meta("permission", p["user"]),
                     "spec": {"vhost": _vhost(p), "userReference": {"name": k8s_name("user", p["user"])},
                              "permissions": {k: p[k] for k in ("configure", "write", "read")},
                              "rabbitmqClusterReference": dict(CLUSTER)}})
    for t in definitions.get("topic_permissions", []):
        docs.append({"apiVersion": api, "kind": "TopicPermission",
                     "metadata": _meta("topic-permission", t["user"], t["exchange"]),
                     "spec": {"vhost": _vhost(t), "userReference": {"name": k8s_name("user", t["user"])},
                              "permissions": {"exchange": t["exchange"], "write": t["write"], "read": t["read"]},
                              "rabbitmqClusterReference": dict(CLUSTER)}})
    for x in definitions["exchanges"]:
        docs.append({"apiVersion": api, "kind": "Exchange", "metadata": _meta("exchange", x["name"]),
                     "spec": {"name": x["name"], "vhost": _vhost(x), "type": x["type"], "durable": x["durable"],
                              "autoDelete": x["auto_delete"], "rabbitmqClusterReference": dict(CLUSTER),
                              **({"arguments": x["arguments"]} if x.get("arguments") else {})}})
    for q in definitions["queues"]:
        arguments = {k: v for k, v in q.get("arguments", {}).items() if k != "x-queue-type"}
        docs.append({"apiVersion": api, "kind": "Queue", "metadata": _meta("queue", q["name"]),
                     "spec": {"name": q["name"], "vhost": _vhost(q),
                              "type": q.get("arguments", {}).get("x-queue-type", "classic"),
                              "durable": q["durable"], "autoDelete": q["auto_delete"],
                              "rabbitmqClusterReference": dict(CLUSTER),
                              **({"arguments": arguments} if arguments else {})}})
    for b in definitions["bindings"]:
        docs.append({"apiVersion": api, "kind": "Binding",
                     "metadata": _meta("binding", b["source"], b["destination"], b["routing_key"]),
                     "spec": {"vhost": _vhost(b), "source": b["source"], "destination": b["destination"],
                              "destinationType": b["destination_type"], "routingKey": b["routing_key"],
                              "rabbitmqClusterReference": dict(CLUSTER),
                              **({"arguments": b["arguments"]} if b.get("arguments") else {})}})
    for p in definitions.get("policies", []):
        docs.append({"apiVersion": api, "kind": "Policy", "metadata": _meta("policy", p["name"]),
                     "spec": {"name": p["name"], "vhost": _vhost(p), "pattern": p["pattern"],
                              "applyTo": p.get("apply-to", "all"), "priority": p.get("priority", 0),
                              "definition": p["definition"], "rabbitmqClusterReference": dict(CLUSTER)}})
    return docs

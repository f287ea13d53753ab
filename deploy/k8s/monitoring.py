"""Monitoring on Kubernetes with the Prometheus Operator and Grafana's dashboard sidecar, generated from the same
files as Compose uses: PodMonitors that give every series the `job` and `app` labels the alerts and dashboards
query (as deploy/prometheus/prometheus.yml does), a ServiceMonitor for RabbitMQ, a PrometheusRule per rule file,
and one ConfigMap per dashboard labelled grafana_dashboard: "1"."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]
PART_OF = {"app.kubernetes.io/part-of": "dunghan"}
PORTS = {"web": "http", "worker": "metrics"}


def pod_monitor(tier: str) -> Doc:
    """job=dunghan-<tier> and app=<service> on every series, as the Compose scrape config sets them."""
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
        "metadata": {"name": f"dunghan-{tier}", "labels": dict(PART_OF)},
        "spec": {
            "selector": {"matchLabels": {**PART_OF, "app.kubernetes.io/component": tier}},
            "podMetricsEndpoints": [{
                "port": PORTS[tier], "path": "/metrics", "interval": "15s",
                "relabelings": [
                    {"action": "replace", "targetLabel": "job", "replacement": f"dunghan-{tier}"},
                    {"action": "replace", "sourceLabels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
                     "targetLabel": "app"},
                ],
            }],
        },
    }


def rabbitmq_service_monitor() -> Doc:
    """The cluster operator's Service `rabbitmq` exposes the rabbitmq_prometheus plugin as port `prometheus`."""
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": {"name": "rabbitmq", "labels": dict(PART_OF)},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": "rabbitmq",
                                         "app.kubernetes.io/component": "rabbitmq"}},
            "endpoints": [{"port": "prometheus", "path": "/metrics", "interval": "15s",
                           "relabelings": [{"action": "replace", "targetLabel": "job",
                                            "replacement": "rabbitmq"}]}],
        },
    }


def prometheus_rules(rules_dir: Path) -> list[Doc]:
    docs = []
    for path in sorted(rules_dir.glob("*.yml")):
        groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
        docs.append({
            "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": f"dunghan-{path.stem}", "labels": dict(PART_OF)},
            "spec": {"groups": groups},
        })
    return docs


def dashboard_config_maps(dashboards_dir: Path) -> list[Doc]:
    docs = []
    for path in sorted(dashboards_dir.glob("*.json")):
        text = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False, indent=1)
        docs.append({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"dunghan-dashboard-{path.stem}", "labels": {**PART_OF, "grafana_dashboard": "1"},
                         "annotations": {"grafana_folder": "Đúng hạn"}},
            "data": {path.name: text + "\n"},
        })
    return docs

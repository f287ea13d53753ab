"""PostgreSQL in the cluster with CloudNativePG (the kustomize component components/cloudnative-pg): a 3-instance
Cluster, one login role per service with its password from a Secret, and one database per service it owns, as
deploy/postgres/init.sh makes them on an external server."""
from __future__ import annotations

from typing import Any

Doc = dict[str, Any]
PART_OF = {"app.kubernetes.io/part-of": "dunghan"}


def cluster(services: list[str]) -> Doc:
    return {
        "apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
        "metadata": {"name": "postgres", "labels": dict(PART_OF)},
        "spec": {
            "instances": 3,
            "imageName": "ghcr.io/cloudnative-pg/postgresql:15.8",
            "primaryUpdateStrategy": "unsupervised",
            "storage": {"size": "20Gi"},
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
            "monitoring": {"enablePodMonitor": True},
            "managed": {"roles": [
                {"name": s, "ensure": "present", "login": True, "passwordSecret": {"name": f"postgres-role-{s}"}}
                for s in services
            ]},
        },
    }


def database(service: str) -> Doc:
    return {
        "apiVersion": "postgresql.cnpg.io/v1", "kind": "Database",
        "metadata": {"name": f"dunghan-{service}", "labels": dict(PART_OF)},
        "spec": {"name": f"dunghan_{service}", "owner": service, "cluster": {"name": "postgres"}},
    }


def component(services: list[str]) -> dict[str, list[Doc]]:
    return {
        "kustomization.yaml": [{"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component",
                                "resources": ["postgres.yaml"]}],
        "postgres.yaml": [cluster(services), *(database(s) for s in services)],
    }

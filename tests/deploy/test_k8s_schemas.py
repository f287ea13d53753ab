"""Every manifest the overlays render, validated: Kubernetes' own kinds against the Kubernetes JSON schemas
(kubernetes-validate, strict: no unknown field), the operators' kinds against the fields their CRDs define."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .kustomize_lite import build

OVERLAYS = ("production", "production-cloudnative-pg")
KUBERNETES_VERSIONS = ("1.29.0", "1.33.0")
# The spec fields each operator's CRD defines for the kinds used here (required ones marked "!"), read off the
# CRDs of the RabbitMQ cluster and topology operators, CloudNativePG, the Prometheus Operator and KEDA. Their full
# OpenAPI schemas are not vendored; test_crd_openapi_schemas says so.
CRD_FIELDS: dict[tuple[str, str], set[str]] = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): {
        "replicas", "image", "imagePullSecrets", "service", "persistence", "resources", "affinity", "tolerations",
        "rabbitmq", "tls", "override", "skipPostDeploySteps", "terminationGracePeriodSeconds",
        "delayStartSeconds", "secretBackend"},
    ("rabbitmq.com/v1beta1", "User"): {"!rabbitmqClusterReference", "tags", "importCredentialsSecret"},
    ("rabbitmq.com/v1beta1", "Permission"): {
        "!vhost", "user", "userReference", "!permissions", "!rabbitmqClusterReference"},
    ("rabbitmq.com/v1beta1", "TopicPermission"): {
        "!vhost", "user", "userReference", "!permissions", "!rabbitmqClusterReference"},
    ("rabbitmq.com/v1beta1", "Exchange"): {
        "!name", "vhost", "type", "durable", "autoDelete", "arguments", "deletionPolicy",
        "!rabbitmqClusterReference"},
    ("rabbitmq.com/v1beta1", "Queue"): {
        "!name", "vhost", "type", "durable", "autoDelete", "arguments", "deletionPolicy", "deleteIfEmpty",
        "deleteIfUnused", "!rabbitmqClusterReference"},
    ("rabbitmq.com/v1beta1", "Binding"): {
        "vhost", "source", "destination", "destinationType", "routingKey", "arguments",
        "!rabbitmqClusterReference"},
    ("rabbitmq.com/v1beta1", "Policy"): {
        "!name", "vhost", "!pattern", "applyTo", "priority", "!definition", "!rabbitmqClusterReference"},
    ("postgresql.cnpg.io/v1", "Cluster"): {
        "instances", "imageName", "primaryUpdateStrategy", "storage", "resources", "monitoring", "managed",
        "bootstrap", "backup", "postgresql", "affinity", "superuserSecret", "enableSuperuserAccess"},
    ("postgresql.cnpg.io/v1", "Database"): {"!name", "!owner", "!cluster", "ensure", "databaseReclaimPolicy"},
    ("monitoring.coreos.com/v1", "PodMonitor"): {
        "selector", "podMetricsEndpoints", "namespaceSelector", "jobLabel", "podTargetLabels"},
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {
        "!selector", "!endpoints", "namespaceSelector", "jobLabel", "targetLabels"},
    ("monitoring.coreos.com/v1", "PrometheusRule"): {"groups"},
    ("keda.sh/v1alpha1", "ScaledObject"): {
        "!scaleTargetRef", "!triggers", "minReplicaCount", "maxReplicaCount", "pollingInterval", "cooldownPeriod",
        "idleReplicaCount", "advanced", "fallback"},
    ("keda.sh/v1alpha1", "TriggerAuthentication"): {"secretTargetRef", "env", "podIdentity", "hashiCorpVault"},
}
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")


def rendered() -> list[tuple[str, dict[str, Any]]]:
    root = Path(__file__).resolve().parents[2]
    return [(o, d) for o in OVERLAYS for d in build(root / "deploy/k8s/overlays" / o)]


def is_custom(doc: dict[str, Any]) -> bool:
    return (doc["apiVersion"], doc["kind"]) in CRD_FIELDS


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_kinds_validate_against_the_kubernetes_schemas(version: str) -> None:
    import kubernetes_validate

    failures = []
    for overlay, doc in rendered():
        if is_custom(doc):
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as exc:
            failures.append(f"{overlay}: {doc['kind']}/{doc['metadata']['name']}: {exc}")
    assert failures == []


def test_every_rendered_kind_is_known() -> None:
    import kubernetes_validate

    unknown = set()
    for _, doc in rendered():
        if is_custom(doc):
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSIONS[-1], strict=False)
        except kubernetes_validate.SchemaNotFoundError:
            unknown.add((doc["apiVersion"], doc["kind"]))
        except kubernetes_validate.ValidationError:
            pass
    assert unknown == set(), "neither a Kubernetes kind nor a CRD kind listed in CRD_FIELDS"


def test_custom_resources_have_the_structure_and_fields_their_crds_define() -> None:
    problems = []
    for overlay, doc in rendered():
        if not is_custom(doc):
            continue
        where = f"{overlay}: {doc['kind']}/{doc.get('metadata', {}).get('name')}"
        meta = doc.get("metadata", {})
        if set(doc) - {"apiVersion", "kind", "metadata", "spec"} or not isinstance(doc.get("spec"), dict):
            problems.append(f"{where}: top level {sorted(doc)}")
            continue
        if not DNS_SUBDOMAIN.fullmatch(meta.get("name", "")) or len(meta["name"]) > 253:
            problems.append(f"{where}: name is not a DNS subdomain")
        if not all(isinstance(v, str) for v in meta.get("labels", {}).values()):
            problems.append(f"{where}: label values must be strings")
        fields = CRD_FIELDS[(doc["apiVersion"], doc["kind"])]
        allowed = {f.lstrip("!") for f in fields}
        required = {f[1:] for f in fields if f.startswith("!")}
        if set(doc["spec"]) - allowed:
            problems.append(f"{where}: unknown spec fields {sorted(set(doc['spec']) - allowed)}")
        if required - set(doc["spec"]):
            problems.append(f"{where}: missing spec fields {sorted(required - set(doc['spec']))}")
    assert problems == []


def test_crd_openapi_schemas() -> None:
    pytest.skip("the operators' CRD OpenAPI schemas are not vendored (their CRDs are large and outside this "
                "repository): custom resources are checked for structure, names and the spec fields their CRDs "
                "define (test_custom_resources_have_the_structure_and_fields_their_crds_define)")

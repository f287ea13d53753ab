"""The four services on Kubernetes: web and worker Deployments, Services, a CPU autoscaler and a disruption budget
for each web, and a KEDA ScaledObject for each worker on its queue's length (CPU as a second trigger)."""
from __future__ import annotations

from typing import Any

Doc = dict[str, Any]
SERVICES = {"intake": (8001, 9101), "deadline": (8002, 9102), "scoring": (8003, 9103), "notify": (8004, 9104)}
MULTIPROC_DIR = "/tmp/prometheus-multiproc"
PAGES = ("deadline", "scoring")  # the services that serve staff pages: they read the organisation
ORG_DIR = "/etc/dunghan/organisation"


def labels(service: str, tier: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/component": tier,
            "app.kubernetes.io/part-of": "dunghan"}


def probe(path: str, port: str, *, period: int, failures: int) -> Doc:
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": period, "timeoutSeconds": 3,
            "failureThreshold": failures}


def container(service: str, tier: str) -> Doc:
    web, metrics = SERVICES[service]
    port, name = (web, "http") if tier == "web" else (metrics, "metrics")
    env = [{"name": "PORT", "value": str(web)}, {"name": "METRICS_PORT", "value": str(metrics)}]
    if tier == "web":  # workers leave it unset: an empty value would switch multiprocess mode on too
        env.append({"name": "PROMETHEUS_MULTIPROC_DIR", "value": MULTIPROC_DIR})
    mounts = [{"name": "tmp", "mountPath": "/tmp"}]
    if tier == "web" and service in PAGES:
        env.append({"name": "PAGES_ORG_FILE", "value": f"{ORG_DIR}/org.yaml"})
        mounts.append({"name": "organisation", "mountPath": ORG_DIR, "readOnly": True})
    spec: Doc = {
        "name": tier, "image": f"dunghan/{service}", "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": name, "containerPort": port}],
        "env": env,
        "envFrom": [{"configMapRef": {"name": "dunghan-config"}}, {"secretRef": {"name": f"dunghan-{service}"}}],
        "readinessProbe": probe("/readyz", name, period=10, failures=3),
        "livenessProbe": probe("/healthz", name, period=20, failures=3),
        "startupProbe": probe("/healthz", name, period=5, failures=24),
        "resources": {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"memory": "512Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": mounts,
    }
    if tier == "worker":
        spec["command"] = [f"{service}-worker"]
    return spec


def deployment(service: str, tier: str) -> Doc:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": f"{service}-{tier}", "labels": labels(service, tier)},
        "spec": {
            "replicas": 2 if tier == "web" else 1,
            "selector": {"matchLabels": labels(service, tier)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels(service, tier)},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                        "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "terminationGracePeriodSeconds": 30,
                    "containers": [container(service, tier)],
                    "volumes": [{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}]
                    + ([{"name": "organisation", "configMap": {"name": "dunghan-organisation"}}]
                       if tier == "web" and service in PAGES else []),
                },
            },
        },
    }


def service_port(service: str, tier: str) -> Doc:
    port, name = (SERVICES[service][0], "http") if tier == "web" else (SERVICES[service][1], "metrics")
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": f"{service}-{tier}", "labels": labels(service, tier)},
        "spec": {"selector": labels(service, tier), "ports": [{"name": name, "port": port, "targetPort": name}]},
    }


def web_autoscaler(service: str) -> Doc:
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": f"{service}-web", "labels": labels(service, "web")},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service}-web"},
            "minReplicas": 2, "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
        },
    }


def disruption_budget(service: str) -> Doc:
    return {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": f"{service}-web", "labels": labels(service, "web")},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(service, "web")}},
    }


def worker_scaler(service: str, queue: str) -> Doc:
    """KEDA scales a worker on its work queue's ready messages (and on CPU); KEDA makes the HPA itself."""
    return {
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "metadata": {"name": f"{service}-worker", "labels": labels(service, "worker")},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service}-worker"},
            "minReplicaCount": 1, "maxReplicaCount": 6, "pollingInterval": 15, "cooldownPeriod": 300,
            "triggers": [
                {"type": "rabbitmq", "metadata": {"protocol": "http", "queueName": queue, "vhostName": "/",
                                                  "mode": "QueueLength", "value": "500"},
                 "authenticationRef": {"name": "rabbitmq-management"}},
                {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "75"}},
            ],
        },
    }


def keda_authentication() -> Doc:
    """The management API URL (with a monitoring user's credentials) from the Secret keda-rabbitmq, key host."""
    return {
        "apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
        "metadata": {"name": "rabbitmq-management", "labels": {"app.kubernetes.io/part-of": "dunghan"}},
        "spec": {"secretTargetRef": [{"parameter": "host", "name": "keda-rabbitmq", "key": "host"}]},
    }


def organisation(text: str) -> Doc:
    """The organisation the staff pages map an identity to (the sample one: replace it in an overlay)."""
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dunghan-organisation"},
            "data": {"org.yaml": text}}

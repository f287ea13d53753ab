"""The part of kustomize that deploy/k8s uses, in Python, so the overlays render where kubectl is not installed:
resources (files and folders), components, namespace, images (newName/newTag), and patches (JSON 6902 or
strategic-merge-free inline JSON patches) with a target by kind, name (a regex) and label selector."""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}


def build(folder: Path) -> list[Doc]:
    k = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    docs: list[Doc] = []
    for entry in k.get("resources", []):
        path = (folder / entry).resolve()
        if path.is_dir():
            docs += build(path)
        else:
            docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    for entry in k.get("components", []):
        docs += build((folder / entry).resolve())
    known = {"apiVersion", "kind", "resources", "components", "namespace", "images", "patches"}
    unknown = set(k) - known
    if unknown:
        raise ValueError(f"{folder}: kustomization fields this renderer does not know: {sorted(unknown)}")
    if k.get("namespace"):
        for d in docs:
            if d["kind"] not in CLUSTER_SCOPED:
                d.setdefault("metadata", {})["namespace"] = k["namespace"]
    for image in k.get("images", []):
        for d in docs:
            _set_images(d, image)
    for patch in k.get("patches", []):
        ops = yaml.safe_load(patch["patch"])
        matched = [d for d in docs if _matches(d, patch.get("target", {}))]
        if not matched:
            raise ValueError(f"{folder}: patch target {patch.get('target')} matches nothing")
        for d in matched:
            for op in ops:
                _apply(d, op)
    return docs


def _matches(doc: Doc, target: dict[str, str]) -> bool:
    meta = doc.get("metadata", {})
    if "kind" in target and doc["kind"] != target["kind"]:
        return False
    if "name" in target and not re.fullmatch(target["name"], meta.get("name", "")):
        return False
    if "labelSelector" in target:
        for term in target["labelSelector"].split(","):
            key, _, value = term.partition("=")
            if meta.get("labels", {}).get(key.strip()) != value.strip():
                return False
    return True


def _apply(doc: Doc, op: dict[str, Any]) -> None:
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].lstrip("/").split("/")]
    node: Any = doc
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if op["op"] in ("replace", "add"):
        if op["op"] == "replace" and (last not in node if isinstance(node, dict) else int(last) >= len(node)):
            raise ValueError(f"replace of a missing path {op['path']}")
        if isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), copy.deepcopy(op["value"]))
        else:
            node[last] = copy.deepcopy(op["value"])
    elif op["op"] == "remove":
        del node[int(last) if isinstance(node, list) else last]
    else:
        raise ValueError(f"patch op {op['op']!r} not supported")


def _set_images(node: Any, image: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image" and isinstance(value, str) and node.get("name") is not None:
                name, _, tag = value.rpartition(":") if ":" in value.rsplit("/", 1)[-1] else (value, "", "")
                if name == image["name"]:
                    node[key] = f"{image.get('newName', name)}:{image.get('newTag', tag)}".rstrip(":")
            else:
                _set_images(value, image)
    elif isinstance(node, list):
        for item in node:
            _set_images(item, image)

"""docker-compose.yml run without Docker: Compose's interpolation and .env, the image's ENV/CMD from the
Dockerfile, and each container's command started as a local process with the same environment, translated only
where a container differs from a process (host names, its own ports, /tmp, the image's paths, and the names of
the throwaway vhost, users, roles and databases a test isolates itself with)."""
from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from dunghan.testing.scripts import load_script

_VAR = re.compile(r"\$(?:\$|\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.S)


class MissingVariable(KeyError):
    """A ``${VAR:?message}`` (or ``${VAR?message}``) whose variable is unset: `docker compose` refuses to start."""


def _demo_env() -> Any:
    return load_script(Path(__file__).resolve().parents[2] / "deploy/docker/demo_env.py", "demo_env")


read_env_file: Callable[[Path], dict[str, str]] = _demo_env().read_env_file  # the reader `make demo` uses


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err},
    ${VAR:+alt}, ${VAR+alt}, $$ (a literal $); defaults may themselves hold variables."""

    def one(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        if m.group("plain"):
            return env.get(m.group("plain"), "")
        b = _BRACED.match(m.group("braced"))
        if not b:
            raise ValueError(f"invalid interpolation {m.group(0)!r}")
        name, op, arg = b.group("name"), b.group("op"), b.group("arg") or ""
        value = env.get(name)
        empty = value is None or (op is not None and op.startswith(":") and value == "")
        if op in (":-", "-"):
            return interpolate(arg, env) if empty else str(value)
        if op in (":?", "?"):
            if empty:
                raise MissingVariable(f"{name}: {arg}")
            return str(value)
        if op in (":+", "+"):
            return "" if empty else interpolate(arg, env)
        return value or ""

    return _VAR.sub(one, text)


def resolve(node: Any, env: Mapping[str, str]) -> Any:
    """Every string of a parsed compose file interpolated (YAML anchors and merge keys are already applied)."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [resolve(x, env) for x in node]
    if isinstance(node, dict):
        return {k: resolve(v, env) for k, v in node.items()}
    return node


@dataclass(frozen=True)
class Image:
    """What a Dockerfile's final stage gives a container: ENV, CMD, WORKDIR, EXPOSE and the files COPY'd in."""

    env: dict[str, str]
    cmd: list[str]
    workdir: str
    files: dict[str, Path]  # path in the image -> path in the repository
    exposed: tuple[int, ...]


def read_dockerfile(path: Path, root: Path, build_args: Mapping[str, str]) -> Image:
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    stages = re.split(r"^FROM\s", text, flags=re.M)
    args: dict[str, str] = {}
    env: dict[str, str] = {}
    cmd: list[str] = []
    workdir = "/"
    files: dict[str, Path] = {}
    exposed: list[int] = []
    for line in stages[-1].splitlines():
        word, _, rest = line.strip().partition(" ")
        scope = {**args, **env}
        if word == "ARG":
            name, _, default = rest.strip().partition("=")
            args[name] = build_args.get(name, default)
        elif word == "ENV":
            for item in shlex.split(rest):
                name, _, value = item.partition("=")
                env[name] = interpolate(value.replace("$PATH", "$$PATH"), scope)  # PATH: the runtime's
        elif word == "WORKDIR":
            workdir = rest.strip()
        elif word == "EXPOSE":
            exposed += [int(p.split("/")[0]) for p in rest.split()]
        elif word == "CMD":
            cmd = json.loads(rest)
        elif word == "COPY" and not rest.startswith("--from"):
            *sources, dest = rest.split()
            for s in sources:
                files[dest.rstrip("/") + "/" + Path(s).name if dest.endswith("/") else dest] = root / s
    return Image(env, cmd, workdir, files, tuple(exposed))


@dataclass
class Translation:
    """How one container's world maps onto a local process.

    hosts: (compose service, container port) -> local (host, port); own_ports: the ports the container listens
    on (its image's EXPOSE) -> free local ports, since every container has its own network namespace;
    broker_users / db_roles / databases: names -> isolated names; vhost: the broker's "/" -> a throwaway vhost;
    paths: paths in the image (COPY'd files, the virtualenv, the tmpfs) -> local paths.
    """

    hosts: dict[tuple[str, int], tuple[str, int]]
    own_ports: dict[int, int] = field(default_factory=dict)
    broker_users: dict[str, str] = field(default_factory=dict)
    db_roles: dict[str, str] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)
    vhost: str = "/"
    paths: dict[str, str] = field(default_factory=dict)
    published: dict[int, int] = field(default_factory=dict)  # host ports Compose publishes -> local stand-ins

    def host(self, name: str, port: int) -> tuple[str, int]:
        if name in ("127.0.0.1", "localhost", "0.0.0.0"):
            return "127.0.0.1", self.own_ports.get(port) or self.published.get(port, port)
        if (name, port) not in self.hosts:
            raise KeyError(f"no local stand-in for {name}:{port}")
        return self.hosts[(name, port)]

    def url(self, value: str) -> str:
        parts = urlsplit(value)
        defaults = {"amqp": 5672, "http": 80, "postgresql": 5432, "postgresql+psycopg": 5432}
        if not parts.hostname or parts.scheme not in defaults:
            return value
        host, port = self.host(parts.hostname, parts.port or defaults[parts.scheme])
        user, password, path = unquote(parts.username or ""), parts.password or "", parts.path
        if parts.scheme == "amqp":
            user = self.broker_users.get(user, user)
            if unquote(path.lstrip("/") or "/") == "/":
                path = "/" + quote(self.vhost, safe="")
        elif parts.scheme.startswith("postgresql"):
            user = self.db_roles.get(user, user)
            path = "/" + self.databases.get(path.lstrip("/"), path.lstrip("/"))
        auth = f"{quote(user, safe='')}:{password}@" if user else ""
        return urlunsplit((parts.scheme, f"{auth}{host}:{port}", path, parts.query, parts.fragment))

    def path(self, value: str) -> str:
        """Image paths to local ones in one pass, longest first: a local path that itself lies under an image
        path (a checkout in /tmp, say) is never translated again."""
        if not self.paths:
            return value
        prefixes = sorted(self.paths, key=len, reverse=True)
        pattern = rf"(?<![\w/.-])({'|'.join(re.escape(p) for p in prefixes)})(?=/|$|[:\"' ])"
        return re.sub(pattern, lambda m: self.paths[m.group(1)], value)

    def environment(self, env: Mapping[str, str]) -> dict[str, str]:
        """URLs, <NAME>_HOST/<NAME>_PORT pairs naming compose services, and the container's own listening ports
        (PORT, METRICS_PORT, ...) go to their local stand-ins; image paths to local paths."""
        out = {k: self.path(",".join(self.url(u) for u in v.split(",")) if "://" in v else self.url(v))
               for k, v in env.items()}
        for key, value in env.items():
            if key.endswith("_HOST") and any(value == name for name, _ in self.hosts):
                port_key = key[:-5] + "_PORT"
                host, port = self.host(value, int(env.get(port_key, "0")))
                out[key] = host
                if port_key in env:
                    out[port_key] = str(port)
            elif key.endswith("PORT") and value.isdigit() and int(value) in self.own_ports and \
                    key[:-5] + "_HOST" not in env:
                out[key] = str(self.own_ports[int(value)])
        return out

    def command(self, argv: list[str]) -> list[str]:
        return [self.path(self.url(a)) if "://" in a else self.path(a) for a in argv]


def container_argv(service: Mapping[str, Any], image: Image) -> list[str]:
    """What Docker runs: the service's command (or the image's CMD) after the image's ENTRYPOINT (none here)."""
    command = service.get("command", image.cmd)
    return shlex.split(command) if isinstance(command, str) else list(command)


def healthcheck_argv(service: Mapping[str, Any]) -> list[str]:
    test = list(service["healthcheck"]["test"])
    if test[0] == "CMD-SHELL":
        return ["sh", "-c", test[1]]
    if test[0] != "CMD":
        raise ValueError(f"unsupported healthcheck {test!r}")
    return test[1:]


def ordered(services: Mapping[str, Any], names: list[str]) -> list[str]:
    """``names`` in start order: each after the services it depends on (among ``names``)."""
    out: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in out or name not in names:
            return
        if name in path:
            raise ValueError(f"dependency cycle: {' -> '.join((*path, name))}")
        for dep in services[name].get("depends_on", {}):
            visit(dep, (*path, name))
        out.append(name)

    for n in names:
        visit(n, ())
    return out


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.5) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")

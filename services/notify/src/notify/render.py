"""Jinja2 rendering of the Vietnamese templates; NOTIFY_TEMPLATES_DIR overrides the packaged ones file by file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notify import gsm7
from notify.domain import EMAIL

PACKAGED = Path(__file__).parent / "templates"
KINDS = ("deadline_approaching", "deadline_breached", "step_overdue", "phase_closed", "digest")


def vn_number(value: float, decimals: int = 1) -> str:
    """A number as Vietnamese staff write it: ``.`` between thousands, ``,`` before decimals (1.234,5)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None = None


class Renderer:
    def __init__(self, override_dir: str | None = None, *, sms_gsm7: bool = True) -> None:
        loaders = [FileSystemLoader(override_dir)] if override_dir else []
        self.env = Environment(
            loader=ChoiceLoader([*loaders, FileSystemLoader(str(PACKAGED))]),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=StrictUndefined, keep_trailing_newline=False, trim_blocks=False,
        )
        self.env.filters["so"] = vn_number
        self.sms_gsm7 = sms_gsm7

    def _template(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(**context)

    def render(self, kind: str, channel: str, context: dict[str, Any]) -> Rendered:
        if channel == EMAIL:
            return Rendered(
                subject=" ".join(self._template(f"{kind}.subject.j2", context).split()),
                text=self._template(f"{kind}.txt.j2", context).strip() + "\n",
                html=self._template(f"{kind}.html.j2", context),
            )
        text = " ".join(self._template(f"{kind}.sms.j2", context).split())
        return Rendered(subject="", text=gsm7.to_gsm7(text) if self.sms_gsm7 else text)

"""Configuration mistakes in words: one pydantic validation error as 'key: what is wrong. Hint: ...'."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel


def _key_path(loc: tuple[Any, ...]) -> str:
    """A dotted key path as the TOML file spells it, list items as [i]."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe_error(error: dict[str, Any], model: type[BaseModel]) -> str:
    """Turn one pydantic error into 'key: expected X, got Y. Hint: ...'."""
    key = _key_path(error["loc"])
    value = error.get("input")
    shown = f"{value!r} ({type(value).__name__})" if not isinstance(value, dict) else "a table"
    if error["type"] == "extra_forbidden":
        name = str(error["loc"][-1])
        known = _known_keys(model, error["loc"][:-1])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys here: {', '.join(sorted(known))}"
        return f"{key}: unknown key. Hint: {hint}"
    if error["type"] == "missing":
        return f"{key}: required key is missing. Hint: add it to the file"
    return f"{key}: {error['msg'].lower()}; got {shown}. Hint: see config/example.toml for this key"


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the table at `loc` accepts."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        annotation = field.annotation if field else None
        current = None
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                current = candidate
    return [k for k in current.model_fields if k != "base_dir"] if current else []

"""The base of every configuration section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base for config sections: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

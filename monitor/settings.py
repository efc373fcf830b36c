"""Typed configuration, validated once at start-up from TOML, with one clear error per mistake."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_TOPICS: dict[str, list[str]] = {
    "login": ["login", "log in", "logged out", "password", "sign in", "accesso", "accedere", "2fa"],
    "payments": ["payment", "pay ", "card declined", "checkout", "pagamento", "carta", "transfer"],
    "app": ["app", "crash", "update", "android", "ios", "iphone", "applicazione"],
    "website": ["website", "site", "page", "404", "500", "sito", "browser"],
    "delivery": ["delivery", "package", "parcel", "courier", "consegna", "pacco", "spedizione"],
    "billing": ["bill", "invoice", "charged", "refund", "fattura", "bolletta", "addebito", "rimborso"],
}


class ConfigError(Exception):
    """A configuration mistake, worded for the person who wrote the file."""


class Model(BaseModel):
    """Base for config sections: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class BrandSettings(Model):
    """One monitored brand."""

    name: str
    handles: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    status_page: str | None = None
    alert_urls: list[str] = Field(default_factory=list)

    @field_validator("handles")
    @classmethod
    def _strip_at(cls, value: list[str]) -> list[str]:
        return [h.lstrip("@").lower() for h in value]


class SourceSettings(Model):
    """One configured source; `type` picks the module, the rest is that source's options."""

    model_config = ConfigDict(extra="allow")
    type: str
    name: str | None = None


class DetectorSettings(Model):
    """Spike detection and incident lifecycle settings."""

    bucket_seconds: int = Field(60, gt=0)
    signals: list[Literal["outage", "complaints", "negative", "volume"]] = Field(
        default_factory=lambda: ["outage", "complaints", "negative"],
        description="series that can open incidents; 'volume' alone would page on every campaign")
    threshold: float = Field(4.0, gt=0, description="score above which a bucket is anomalous")
    min_excess: float = Field(3.0, ge=0, description="minimum mentions per bucket above baseline")
    open_after_minutes: float = Field(2.0, ge=0)
    quiet_minutes: float = Field(10.0, gt=0)
    monitoring_minutes: float = Field(
        15.0, ge=0, description="after every signal is calm, wait this long before the all-clear; "
                                "a spike within it reopens the same incident")
    warmup_minutes: float = Field(60.0, ge=0, description="cold start: noise is taken as at least its prior")
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'Europe/Rome' or 'UTC')") from None
        return value


class ClassifierSettings(Model):
    """Which classifier tier runs: the fast rules alone, or rules plus the transformer heads."""

    tier: Literal["rules", "transformer"] = "rules"
    model: str | None = Field(None, description="encoder: a local directory or a cached Hugging Face id")
    threads: int | None = Field(None, gt=0)


class AlertSettings(Model):
    """On-call alert targets (Apprise URLs) and pacing."""

    urls: list[str] = Field(default_factory=lambda: ["oncall://monitor-alerts.log"])
    escalate_unacked_minutes: float = Field(15.0, gt=0)
    retry_attempts: int = Field(3, ge=1)


class StatusPostSettings(Model):
    """Public status-post drafting."""

    enabled: bool = True
    signature: str = ""
    max_chars: int = Field(280, gt=20)
    auto_publish: bool = False
    forbidden: list[str] = Field(default_factory=list)


class WebSettings(Model):
    """The read-only dashboard."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)


class StoreSettings(Model):
    """Where history is kept."""

    url: str = "sqlite:///monitor.db"


class PipelineSettings(Model):
    """Intake queue and batching."""

    queue_size: int = Field(10_000, gt=0)
    batch_size: int = Field(256, gt=0)


class Settings(Model):
    """The whole configuration."""

    brands: list[BrandSettings] = Field(default_factory=list)
    sources: list[SourceSettings] = Field(default_factory=list)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    detector: DetectorSettings = Field(default_factory=DetectorSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    status_posts: StatusPostSettings = Field(default_factory=StatusPostSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    topics: dict[str, list[str]] = Field(default_factory=lambda: dict(DEFAULT_TOPICS))
    base_dir: Path = Field(default=Path("."), exclude=True)

    def brand(self, name: str) -> BrandSettings:
        """Return the named brand's settings, or defaults for a brand no config names."""
        for brand in self.brands:
            if brand.name.lower() == name.lower():
                return brand
        return BrandSettings(name=name)

    def resolve(self, path: str | Path) -> Path:
        """Resolve a path from the config file's folder."""
        path = Path(path)
        return path if path.is_absolute() else self.base_dir / path


def _expand_env(value: Any, where: str) -> Any:
    """Replace ${VAR} with the environment's value, recursively."""
    if isinstance(value, str):
        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{where}: environment variable {name} is not set "
                                  f"(hint: export {name}=... before starting; secrets stay out of the file)")
            return os.environ[name]
        return ENV_REF.sub(sub, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, f"{where}.{k}" if where else k) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:
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


def parse_settings(data: dict[str, Any], origin: str = "config", base_dir: Path = Path(".")) -> Settings:
    """Validate a decoded TOML document into Settings, or raise ConfigError."""
    data = _expand_env(data, "")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(err, Settings) for err in exc.errors(include_url=False)]
        raise ConfigError(f"{origin}: " + f"\n{origin}: ".join(lines)) from None
    settings.base_dir = base_dir
    names = [b.name.lower() for b in settings.brands]
    if len(names) != len(set(names)):
        raise ConfigError(f"{origin}: brands: two brands share a name. Hint: brand names must be unique")
    return settings


def load_settings(path: str | Path | None) -> Settings:
    """Read and validate a TOML file; None gives the built-in defaults."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_settings(data, str(path), path.parent.resolve())

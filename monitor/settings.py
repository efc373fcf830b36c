"""Typed configuration, validated once at start-up from TOML, with one clear error per mistake."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from monitor.config_errors import describe_error
from monitor.config_model import Model
from monitor.detector_settings import DetectorSettings
from monitor.workers import WorkersSettings

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


class ClassifierSettings(Model):
    """Which classifier tier runs: the fast rules alone, or rules plus the transformer heads."""

    tier: Literal["rules", "transformer"] = "rules"
    model: str | None = Field(None, description="encoder: a local directory or a cached Hugging Face id")
    heads: str | None = Field(None, description="trained heads.npz (its adapter.npz beside it) for that encoder; "
                                                "empty: the shipped ones")
    threads: int | None = Field(None, gt=0)
    backend: Literal["auto", "torch", "onnx", "onnx-int8"] = Field(
        "auto", description="auto: torch where the CPU has native bf16, else ONNX Runtime float32")


class RouteSettings(Model):
    """One alert route: which incidents (severity, brands, signals) also page which targets (URLs, tags)."""

    name: str = ""
    min_severity: int = Field(1, ge=1, le=10)
    brands: list[str] = Field(default_factory=list, description="empty: every brand")
    signals: list[Literal["outage", "complaints", "negative", "volume"]] = Field(
        default_factory=list, description="empty: every signal")
    urls: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="also page the configured targets with these tags")
    exclusive: bool = Field(False, description="when it matches, the default urls are not paged")

    @model_validator(mode="after")
    def _has_targets(self) -> RouteSettings:
        if not self.urls and not self.tags:
            raise ValueError(f"route {self.name or '(unnamed)'!r}: give urls or tags (or both)")
        return self


class AlertSettings(Model):
    """On-call alert targets (Apprise URLs) and pacing."""

    urls: list[str] = Field(default_factory=lambda: ["oncall://monitor-alerts.log"])
    escalate_unacked_minutes: float = Field(15.0, gt=0)
    retry_attempts: int = Field(6, ge=1, description="delivery attempts per target, on a persisted schedule")
    retry_backoff_seconds: float = Field(30.0, gt=0, description="wait before the 2nd attempt; doubles after")
    retry_backoff_max_seconds: float = Field(600.0, gt=0)
    cooldown_minutes: float = Field(5.0, ge=0, description="at most one severity escalation page per this long")
    routes: list[RouteSettings] = Field(default_factory=list)


class BrandVoice(Model):
    """A brand's own voice in status posts: its signature, extra template variables and banned phrases."""

    signature: str | None = None
    variables: dict[str, str] = Field(default_factory=dict)
    forbidden: list[str] = Field(default_factory=list)


class ChannelSettings(Model):
    """One publishing channel; `type` picks the publisher, the other keys are that publisher's options."""

    model_config = ConfigDict(extra="allow")
    type: str
    name: str | None = None
    brands: list[str] = Field(default_factory=list, description="brands posted here; empty: every brand")
    languages: list[str] = Field(default_factory=list, description="post languages sent here; empty: every one")
    auto_publish: bool | None = Field(None, description="publish drafts that pass the linter without approval; "
                                                        "unset: status_posts.auto_publish")

    def __repr_args__(self) -> Any:
        """Show the declared keys only: the publisher options hold credentials."""
        return [(k, getattr(self, k)) for k in type(self).model_fields]


class StatusPostSettings(Model):
    """Public status-post drafting, rules of engagement and publishing."""

    enabled: bool = True
    signature: str = ""
    max_chars: int = Field(280, gt=20)
    auto_publish: bool = False
    forbidden: list[str] = Field(default_factory=list)
    required: list[Literal["status_link", "apology", "thanks_on_resolve"]] = Field(
        default_factory=lambda: ["status_link", "apology", "thanks_on_resolve"])
    max_thread_parts: int = Field(4, ge=1, le=25)
    next_update_minutes: int = Field(30, gt=0)
    template_dir: str = ""
    voice: dict[str, BrandVoice] = Field(default_factory=dict)
    channels: list[ChannelSettings] = Field(default_factory=list)
    max_attempts: int = Field(6, ge=1)
    retry_seconds: float = Field(30.0, gt=0)
    retry_max_seconds: float = Field(1800.0, gt=0)
    poll_seconds: float = Field(5.0, gt=0)

    def voice_for(self, brand: str) -> BrandVoice:
        """The brand's voice (matched case-insensitively), or an empty one."""
        for name, voice in self.voice.items():
            if name.lower() == brand.lower():
                return voice
        return BrandVoice()


class UserSettings(Model):
    """One dashboard user: a name, a role and a scrypt password hash (or, for demos, an environment variable)."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    role: Literal["viewer", "agent", "approver", "admin"] = "viewer"
    password_hash: str = Field("", repr=False)
    password_env: str = Field("", pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")

    @model_validator(mode="after")
    def _one_password(self) -> UserSettings:
        from monitor.passwords import BadHash, parse_hash

        if bool(self.password_hash) == bool(self.password_env):
            raise ValueError(f"user {self.name!r}: set exactly one of password_hash and password_env")
        if self.password_hash:
            try:
                parse_hash(self.password_hash)
            except BadHash as exc:
                raise ValueError(f"user {self.name!r}: password_hash: {exc}") from None
        return self


class WebSettings(Model):
    """The dashboard; with users configured, logged-in users approve posts and acknowledge incidents."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    users: list[UserSettings] = Field(default_factory=list)
    session_secret: str = Field("", repr=False, description="signs session cookies; empty: random per process")
    session_minutes: float = Field(720.0, gt=0)
    secure_cookie: bool = False
    login_attempts: int = Field(5, ge=1)
    login_window_minutes: float = Field(15.0, gt=0)
    allowed_origins: list[str] = Field(default_factory=list)
    summary_cache_seconds: float = Field(
        10.0, ge=0, description="the cockpit's care queue and advocates are reused this long, however many screens "
                                "refresh (0: computed for every request)")

    @model_validator(mode="after")
    def _unique_users(self) -> WebSettings:
        names = [u.name.lower() for u in self.users]
        if len(names) != len(set(names)):
            raise ValueError("two users share a name")
        if self.session_secret and len(self.session_secret) < 16:
            raise ValueError("session_secret must be at least 16 characters (or empty for a random one)")
        return self


class ApprovalSettings(Model):
    """The status-post approval workflow."""

    steps: int = Field(1, ge=1, le=3, description="distinct approvers needed before a post is published")
    expire_minutes: float = Field(0.0, ge=0, description="a pending draft older than this expires; 0 = never")
    expire_superseded: bool = True


class CareTeam(Model):
    """Who answers what: the care queue names this team beside the people whose latest post is its business."""

    name: str = Field(min_length=1)
    topics: list[str] = Field(default_factory=list, description="empty: every topic no other team claims")
    brands: list[str] = Field(default_factory=list, description="empty: every brand")


AGENT_SIGNATURE = r"(?:\^|(?<!\w)[-\u2013\u2014]\s?)\s*([A-Z\u00c0-\u00de][\w.'-]{0,30})\s*$"
"""The agent's name signed at the end of a reply: "^Anna", "- Marco", "\u2014 Giulia" (one group: the name)."""


class CareSettings(Model):
    """The care queue: what waits for an answer, how far back, and which team answers it."""

    hours: float = Field(48.0, gt=0, le=24 * 31, description="complaints and questions of the last hours")
    labels: list[Literal["complaint", "question", "outage", "praise", "other"]] = Field(
        default_factory=lambda: ["complaint", "question"], min_length=1)
    teams: list[CareTeam] = Field(default_factory=list)
    signature: str = Field(AGENT_SIGNATURE, description="regular expression finding the agent's name (its first "
                                                        "group) at the end of a brand reply")

    @field_validator("signature")
    @classmethod
    def _one_group(cls, value: str) -> str:
        try:
            groups = re.compile(value).groups
        except re.error as error:
            raise ValueError(f"not a regular expression ({error})") from None
        if groups < 1:
            raise ValueError("needs a group around the agent's name, e.g. \\^(\\w+)$")
        return value


class StoreSettings(Model):
    """Where history is kept."""

    url: str = "sqlite:///monitor.db"


class PipelineSettings(Model):
    """Intake queue and batching."""

    queue_size: int = Field(10_000, gt=0)
    batch_size: int = Field(1024, gt=0, description="at most this many classified together (a backlog fills them)")


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
    workers: WorkersSettings = Field(default_factory=WorkersSettings)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    care: CareSettings = Field(default_factory=CareSettings)
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


def parse_settings(data: dict[str, Any], origin: str = "config", base_dir: Path = Path(".")) -> Settings:
    """Validate a decoded TOML document into Settings, or raise ConfigError."""
    data = _expand_env(data, "")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        lines = [describe_error(err, Settings) for err in exc.errors(include_url=False)]
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

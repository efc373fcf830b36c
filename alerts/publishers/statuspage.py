"""A Statuspage-style status page: create the incident once, then update that same incident."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import SecretStr

from alerts.publishers.base import HttpPublisher, PostInfo, Progress, PublisherConfig, PublishError, secret
from monitor.clock import Clock

STATUSES = ("investigating", "identified", "monitoring", "resolved")


class StatuspageConfig(PublisherConfig):
    """The page id, an API key (sent as `Authorization: OAuth <key>`) and how loud the incident is."""

    api_base: str = "https://api.statuspage.io"
    page_id: str
    api_key: SecretStr
    impact: Literal["none", "minor", "major", "critical"] | None = None
    notify: bool = True


class StatuspagePublisher(HttpPublisher):
    """Posts the whole text as one incident update; `PostInfo.previous` is the incident created earlier."""

    type_name: ClassVar[str] = "statuspage"
    Config: ClassVar[type[PublisherConfig]] = StatuspageConfig
    default_base: ClassVar[str] = "https://api.statuspage.io"
    threads: ClassVar[bool] = False

    def __init__(self, name: str, config: PublisherConfig, clock: Clock | None = None) -> None:
        super().__init__(name, config, clock)
        self.cfg: StatuspageConfig = config  # type: ignore[assignment]

    def secrets(self) -> list[str]:
        """The API key."""
        return [secret(self.cfg.api_key)]

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"OAuth {secret(self.cfg.api_key)}"}

    @property
    def _incidents(self) -> str:
        return f"/v1/pages/{self.cfg.page_id}/incidents"

    async def check(self) -> str:
        """Read the page; say which one is updated."""
        _s, page = await self.call("GET", f"/v1/pages/{self.cfg.page_id}", headers=self._headers)
        return f"ok: updating the page {page.get('name', self.cfg.page_id)!r}"

    @staticmethod
    def status(info: PostInfo) -> str:
        """The incident status for a post: its phase, or for a follow-up the incident's current state."""
        if info.phase in STATUSES:
            return info.phase
        return "monitoring" if info.state == "monitoring" else "identified" if info.state == "identified" \
            else "investigating"

    async def send(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                   progress: Progress) -> tuple[str, str | None]:
        """Create the incident, or update the one this incident's earlier post created."""
        incident: dict[str, Any] = {"status": self.status(info), "body": text,
                                    "deliver_notifications": self.cfg.notify}
        if info.previous:
            _s, data = await self.call("PATCH", f"{self._incidents}/{info.previous}", headers=self._headers,
                                       json_body={"incident": incident})
        else:
            incident["name"] = info.title or text[:80]
            if self.cfg.impact:
                incident["impact_override"] = self.cfg.impact
            _s, data = await self.call("POST", self._incidents, headers=self._headers,
                                       json_body={"incident": incident})
        if not isinstance(data, dict) or not data.get("id"):
            raise PublishError(f"{self.name}: the server answered without an incident id", retry=True)
        return str(data["id"]), data.get("shortlink")

    async def recover(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                      progress: Progress) -> str | None:
        """Find the incident (or the update) this text already went to before a crash."""
        def has_text(incident: dict[str, Any]) -> bool:
            return any(u.get("body") == text for u in incident.get("incident_updates") or [])

        if info.previous:
            _s, incident = await self.call("GET", f"{self._incidents}/{info.previous}", headers=self._headers)
            return str(incident["id"]) if isinstance(incident, dict) and has_text(incident) else None
        _s, found = await self.call("GET", self._incidents, headers=self._headers,
                                    params={"q": info.title or text[:80], "limit": "20"})
        for incident in found if isinstance(found, list) else []:
            if incident.get("name") == (info.title or text[:80]) and has_text(incident):
                return str(incident["id"])
        return None

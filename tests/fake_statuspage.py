"""A local Statuspage-style API: create, update, read and search incidents of one page."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fake_api_common import Script


class FakeStatuspage:
    """Incidents by id, each with its list of incident updates."""

    def __init__(self, page_id: str = "pg1", api_key: str = "sp-key-123") -> None:
        self.page_id, self.api_key = page_id, api_key
        self.incidents: dict[str, dict[str, Any]] = {}
        self.script = Script()
        self.writes = 0

    def _check(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"OAuth {self.api_key}":
            return web.json_response({"error": "Could not authenticate"}, status=401)
        if request.match_info["page_id"] != self.page_id:
            return web.json_response({"error": "Page not found"}, status=404)
        return None

    def _update(self, incident: dict[str, Any], fields: dict[str, Any]) -> None:
        incident["status"] = fields.get("status", incident["status"])
        incident["incident_updates"].insert(0, {"id": f"u{len(incident['incident_updates']) + 1}",
                                                "status": incident["status"], "body": fields.get("body", "")})

    async def create(self, request: web.Request) -> web.Response:
        """POST /v1/pages/{page_id}/incidents."""
        refused = self._check(request) or self.script.failure()
        if refused is not None:
            return refused
        fields = (await request.json()).get("incident") or {}
        if not fields.get("name"):
            return web.json_response({"error": "name can't be blank"}, status=422)
        if not await self.script.before():
            return web.json_response({"error": "dropped"}, status=503)
        self.writes += 1
        incident_id = f"inc{len(self.incidents) + 1}"
        incident = {"id": incident_id, "name": fields["name"], "status": "investigating", "page_id": self.page_id,
                    "impact": fields.get("impact_override", "none"), "shortlink": f"https://stspg.io/{incident_id}",
                    "incident_updates": []}
        self._update(incident, fields)
        self.incidents[incident_id] = incident
        await self.script.after()
        return web.json_response(incident, status=201)

    async def patch(self, request: web.Request) -> web.Response:
        """PATCH /v1/pages/{page_id}/incidents/{incident_id}."""
        refused = self._check(request) or self.script.failure()
        if refused is not None:
            return refused
        incident = self.incidents.get(request.match_info["incident_id"])
        if incident is None:
            return web.json_response({"error": "Incident not found"}, status=404)
        if not await self.script.before():
            return web.json_response({"error": "dropped"}, status=503)
        self.writes += 1
        self._update(incident, (await request.json()).get("incident") or {})
        await self.script.after()
        return web.json_response(incident)

    async def get_one(self, request: web.Request) -> web.Response:
        """GET /v1/pages/{page_id}/incidents/{incident_id}."""
        refused = self._check(request)
        incident = self.incidents.get(request.match_info["incident_id"])
        if refused is not None or incident is None:
            return refused or web.json_response({"error": "Incident not found"}, status=404)
        return web.json_response(incident)

    async def search(self, request: web.Request) -> web.Response:
        """GET /v1/pages/{page_id}/incidents?q=...&limit=..."""
        refused = self._check(request)
        if refused is not None:
            return refused
        q = request.query.get("q", "").lower()
        found = [i for i in reversed(self.incidents.values()) if q in i["name"].lower()]
        return web.json_response(found[: int(request.query.get("limit", "100"))])

    async def page(self, request: web.Request) -> web.Response:
        """GET /v1/pages/{page_id}."""
        return self._check(request) or web.json_response({"id": self.page_id, "name": "Acme Status"})

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_get("/v1/pages/{page_id}", self.page)
        app.router.add_post("/v1/pages/{page_id}/incidents", self.create)
        app.router.add_get("/v1/pages/{page_id}/incidents", self.search)
        app.router.add_patch("/v1/pages/{page_id}/incidents/{incident_id}", self.patch)
        app.router.add_get("/v1/pages/{page_id}/incidents/{incident_id}", self.get_one)
        return app

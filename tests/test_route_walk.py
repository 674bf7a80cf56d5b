"""Access control by construction: every route names who may call it.

GIVEN the whole app WHEN its routes are walked THEN each one that is not on the public list
below has one of the guards of `services.security.guards` among its dependencies (the current
user, a role, the visible or the changeable submission); a new route without one fails here
before anybody can reach it.
"""
from __future__ import annotations

from typing import Any, Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute

from dossier.settings import Settings
from services.app import create_app
from services.security.guards import GUARDS

# (method, path) open to anyone, each for a reason
PUBLIC = {
    ("GET", "/healthz"), ("GET", "/readyz"),              # probes of the load balancer
    ("GET", "/api/campaigns"),                           # the campaigns' titles and documents
    ("GET", "/"), ("POST", "/submit"),                   # the 自查 page (CSRF-checked when logged in)
    ("POST", "/api/submissions"),                        # a 自查, or a unit's own draft (services.security.guards.check_creator)
    ("GET", "/login"), ("POST", "/login"),               # login form with its own CSRF token
    ("POST", "/logout"),                                 # ends the caller's own session (CSRF-checked)
    ("GET", "/docs"),                                    # the API documentation (Swagger UI served here)
}


def api_routes(app: FastAPI) -> Iterator[tuple[str, str, Any]]:
    """(method, path, dependant) of every API route, through the included routers."""
    def walk(routes: list[Any]) -> Iterator[Any]:
        for r in routes:
            if hasattr(r, "effective_candidates"):
                yield from walk(r.effective_candidates())
            else:
                yield r
    for r in walk(app.router.routes):
        if isinstance(getattr(r, "original_route", r), APIRoute):
            for method in sorted(r.methods):
                yield method, r.path, r.dependant


def calls(dependant: Any) -> Iterator[Any]:
    for d in dependant.dependencies:
        yield d.call
        yield from calls(d)


def app_for_walk(tmp_path: Any) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path / "var", database_url="", storage_url="", broker_url=""))


def test_every_route_declares_who_may_call_it(tmp_path: Any) -> None:
    app = app_for_walk(tmp_path)
    routes = list(api_routes(app))
    assert len(routes) > 80                   # the walk reached the included routers
    unguarded = [f"{m} {p}" for m, p, dep in routes
                 if (m, p) not in PUBLIC and not any(c in GUARDS for c in calls(dep))]
    assert unguarded == []

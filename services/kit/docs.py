"""The API documentation page, /docs, working without internet: Swagger UI's files come from the
`swagger-ui-bundle` package and are served here, never from a CDN (FastAPI's default)."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/static/swagger-ui"


def install_docs(app: FastAPI) -> None:
    """/docs with Swagger UI from the package (the app is made with docs_url=None, redoc_url=None)."""
    import swagger_ui_bundle

    app.mount(ASSETS, StaticFiles(directory=str(Path(str(swagger_ui_bundle.swagger_ui_path)))), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="dossier 接口文档",
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon-32x32.png")

"""The web app's build (web/dist) served at / by the local AppSync, with the fallback a single-page app needs;
GraphiQL at / when there is no build."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "web" / "dist"


class WebApp:
    """Files of `dist` by path; any other path without a dot in its last segment (a client-side route such as
    /bookings/123) answers index.html. Looked up per request, so a build made while the server runs is served.
    Without a build, / redirects to `ide_path` (GraphiQL)."""

    def __init__(self, dist: Path, ide_path: str) -> None:
        self.dist = dist
        self.ide_path = ide_path
        self.files = StaticFiles(directory=dist, html=True, check_dir=False)

    @property
    def built(self) -> bool:
        return (self.dist / "index.html").is_file()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1000})
            return
        response = await self.response(scope)
        await response(scope, receive, send)

    async def response(self, scope: Scope) -> Response:
        index = self.dist / "index.html"
        if not index.is_file():
            if scope["path"] in ("", "/"):
                return RedirectResponse(self.ide_path)
            return PlainTextResponse("Not Found", status_code=404)
        try:
            return await self.files.get_response(self.files.get_path(scope), scope)
        except HTTPException as error:
            last = scope["path"].rstrip("/").rsplit("/", 1)[-1]
            if error.status_code == 404 and "." not in last and scope["method"] in ("GET", "HEAD"):
                # The app's router shows the page; index.html itself must not be cached across builds.
                return FileResponse(index, headers={"Cache-Control": "no-cache"})
            return PlainTextResponse(error.detail, status_code=error.status_code, headers=error.headers)

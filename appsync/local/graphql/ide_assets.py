"""GraphiQL's scripts and styles served from node_modules, so the local IDE works offline like the API.

Strawberry's GraphiQL page loads pinned packages from a CDN; package.json pins the same versions, whose files are
byte-identical (the page's integrity hashes still hold). The page is rewritten to load them from this server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "node_modules"
PREFIX = "/ide/"
_CDN_URL = re.compile(r"https://unpkg\.com/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/([\w./-]+)")


@dataclass(frozen=True)
class IdeAssets:
    """The page's CDN files found in node_modules, by their local path under PREFIX."""

    files: dict[str, Path]

    @classmethod
    def for_page(cls, html: str, node_modules: Path = NODE_MODULES) -> IdeAssets:
        files = {}
        for match in _CDN_URL.finditer(html):
            package, version, file = match.groups()
            local = node_modules / package / file
            if _installed_version(node_modules / package) == version and local.is_file():
                files[f"{package}@{version}/{file}"] = local
        return cls(files)

    def rewrite(self, html: str) -> str:
        """The page with every CDN URL that has a local copy pointing at this server instead."""

        def local(match: re.Match[str]) -> str:
            spec = match.group(0).removeprefix("https://unpkg.com/")
            return PREFIX + spec if spec in self.files else match.group(0)

        return _CDN_URL.sub(local, html)

    async def serve(self, request: Request) -> Response:
        path = self.files.get(request.path_params["spec"])
        if path is None:
            return Response("Not found", status_code=404)
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400, immutable"})


def _installed_version(package_dir: Path) -> str | None:
    import json

    try:
        version: str = json.loads((package_dir / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return version

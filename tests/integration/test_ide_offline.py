"""GraphiQL works offline: the page loads its scripts and styles from the local server, not a CDN."""

from __future__ import annotations

import re

import requests

from appsync.local.server import LocalAppSync


def test_the_graphiql_page_loads_every_asset_from_the_local_server(api_url: str, appsync: LocalAppSync) -> None:
    # Given a browser asking for /graphql
    page = requests.get(api_url, headers={"Accept": "text/html"}, timeout=10)

    # Then the page names no CDN, and every script and stylesheet it names is served here
    assert page.status_code == 200
    assert "unpkg.com" not in page.text
    assets = re.findall(r'(?:src|href)="(/ide/[^"]+)"', page.text)
    assert len(assets) == len(appsync.ide_assets.files) >= 5
    base = api_url.removesuffix("/graphql")
    for asset in assets:
        answer = requests.get(base + asset, timeout=10)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 100, asset


def test_only_the_pages_own_assets_are_served(api_url: str) -> None:
    base = api_url.removesuffix("/graphql")

    assert requests.get(base + "/ide/react@18.2.0/package.json", timeout=10).status_code == 404
    assert requests.get(base + "/ide/../../pyproject.toml", timeout=10).status_code == 404

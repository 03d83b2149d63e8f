"""What `Amplify.configure()` takes for the local API, served at /amplify-config.json: the same shape the CDK app
writes from its outputs for the deployed API, so a frontend loads its configuration and knows nothing else."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from resolvers import config

# A section provider gets the base URL the frontend reached (`https://127.0.0.1:4443`) and answers top-level
# sections to merge in, e.g. {"Auth": {"Cognito": {...}}} from the local user pool.
SectionProvider = Callable[[str], Mapping[str, Any]]

# Public catalog reads need no sign-in; a frontend passes `authMode: "userPool"` for a customer's own data.
DEFAULT_AUTH_MODE = "apiKey"


def amplify_config(
    endpoint: str, api_key: str, base_url: str, sections: list[SectionProvider] | tuple[SectionProvider, ...] = ()
) -> dict[str, Any]:
    """The configuration of the API at `endpoint` (Amplify derives its real-time URL, `<endpoint>/realtime`,
    always over wss://), with the sections each provider adds (the Auth section comes from the local user pool)."""
    result: dict[str, Any] = {
        "API": {
            "GraphQL": {
                "endpoint": endpoint,
                "region": os.environ.get(config.AWS_REGION, config.DEFAULT_REGION),
                "defaultAuthMode": DEFAULT_AUTH_MODE,
                "apiKey": api_key,
            }
        }
    }
    for provider in sections:
        for name, section in provider(base_url).items():
            if isinstance(section, Mapping) and isinstance(result.get(name), dict):
                result[name] = {**result[name], **section}
            else:
                result[name] = dict(section) if isinstance(section, Mapping) else section
    return result

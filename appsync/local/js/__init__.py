"""The APPSYNC_JS runtime of the local AppSync: the resolver files run in embedded QuickJS (see runtime.py)."""

from appsync.local.js.runtime import JsError, JsRuntime, JsRuntimeError, Outcome, UnsupportedJs, shared_runtime

__all__ = ["JsError", "JsRuntime", "JsRuntimeError", "Outcome", "UnsupportedJs", "shared_runtime"]

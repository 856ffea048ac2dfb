"""The SDK's failures in the user's words: what happened and what to do, for every error
the ``anthropic`` SDK (and httpx under it) can raise; and what a response asks of a retry.

The SDK is imported inside each function: this module is imported with the provider, before
the SDK is (``anthropic.py`` says why).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from claude_tui.providers.base import BROKE_OFF, RETRY_HINT, ProviderError
from claude_tui.text import one_line, without_keys

log = logging.getLogger("claude_tui.providers.anthropic")

TOO_LONG_HINT = ("Start a new conversation, or branch from an earlier message (the branch "
                 "keeps only the messages before it).")


def describe_error(exc: BaseException, model: str) -> ProviderError:
    """A short message for a failure, saying what to do."""
    import anthropic
    import httpx2

    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError(f"The request timed out before Claude answered; {RETRY_HINT}.",
                             kind="timeout")
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderError(
            "Could not connect to the Anthropic API. Check your network connection, and "
            f"ANTHROPIC_BASE_URL or your proxy settings if you use them; {RETRY_HINT}.",
            kind="connection")
    if isinstance(exc, anthropic.APIStatusError):
        return _status_error(exc, model)
    if isinstance(exc, httpx2.TimeoutException):
        return ProviderError(
            f"The reply broke off half way: the connection stopped sending; {RETRY_HINT}.",
            kind="broken_stream")
    if isinstance(exc, httpx2.HTTPError):
        return ProviderError(BROKE_OFF, kind="broken_stream")
    if isinstance(exc, ValueError) and "tool parameter JSON" in str(exc):
        return ProviderError(f"Claude sent a tool call that could not be read; {RETRY_HINT}.",
                             kind="bad_reply")
    # The parser's own words (a JSON position, a field name) mean nothing to the user: they go
    # to the log file with the traceback.
    log.warning("the request failed", exc_info=exc)
    if isinstance(exc, ValueError):  # json.JSONDecodeError and the SDK's event checks
        return ProviderError("The API's reply could not be read: its event stream was "
                             f"malformed; {RETRY_HINT}.", kind="bad_reply")
    return ProviderError(f"The request failed unexpectedly ({type(exc).__name__}; the log "
                         f"file has the details); {RETRY_HINT}.", kind="error")


def retry_reason(exc: BaseException) -> str:
    """What went wrong, in a few words, for the countdown."""
    status = getattr(exc, "status_code", None)
    if status == 429:
        return "rate limited"
    if status == 529:
        return "the API is overloaded"
    if status == 408:
        return "the API timed out"
    if isinstance(status, int):
        return f"the API answered {status}"
    return "could not connect"


def retry_after(exc: Any) -> float | None:
    """Seconds the response asks to wait: ``retry-after-ms``, or ``retry-after`` in seconds
    or as an HTTP date."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    with contextlib.suppress(ValueError):
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # rarely needed: kept off start-up

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else None


# The most of the API's own words an error notice shows (the log file has them all).
API_MESSAGE_LIMIT = 300


def _status_error(exc: Any, model: str) -> ProviderError:
    status = exc.status_code
    # Shown to the user: a proxy or gateway may echo what it was sent, the key included, and a
    # message of thousands of characters would fill the screen.
    api_message = one_line(without_keys(exc.api_message or ""), API_MESSAGE_LIMIT)
    error_type = exc.type or ""
    if status == 200:
        # An error event inside a streamed reply: the body's type says what it was.
        status = {"overloaded_error": 529, "rate_limit_error": 429, "api_error": 500,
                  "invalid_request_error": 400, "authentication_error": 401,
                  "permission_error": 403, "not_found_error": 404}.get(error_type, 500)
    if status == 401:
        return ProviderError(
            "The API key was rejected (401). Check ANTHROPIC_API_KEY or the api_key in the "
            "config file.", kind="auth", retryable=False, status_code=401)
    if status == 403:
        return ProviderError(
            "This API key has no permission for that request (403). Check the key's workspace "
            "and its access to the model.", kind="permission", retryable=False, status_code=403)
    if status == 404:
        return ProviderError(
            f"The model {model!r} is unknown to the API (404). Choose another model for this "
            "conversation (f9 in the app, --model for ask); the config file's model is the "
            "default for new ones.", kind="not_found", retryable=False,
            status_code=404)
    if status == 429:
        wait = retry_after(exc)
        when = f"in {wait:g} seconds" if wait else "in a moment"
        return ProviderError(f"Rate limited by the API (429). Wait and retry {when} (ctrl+r).",
                             kind="rate_limit", status_code=429, retry_after=wait)
    if status == 529:
        return ProviderError(f"The API is overloaded (529). Try again shortly; {RETRY_HINT}.",
                             kind="overloaded", status_code=529)
    if status == 413:
        return ProviderError(f"The request is too large for the API (413). {TOO_LONG_HINT}",
                             kind="too_large", retryable=False, status_code=413)
    if status == 400 and "prompt is too long" in api_message.lower():
        return ProviderError(
            f"The conversation is too long for the model's context window. {TOO_LONG_HINT}",
            kind="too_large", retryable=False, status_code=400)
    if status == 400:
        detail = f": {api_message}" if api_message else ""
        return ProviderError(f"The API rejected the request ({status}){detail}",
                             kind="bad_request", retryable=False, status_code=status)
    if status >= 500:
        return ProviderError(f"The API had a server error ({status}); {RETRY_HINT}.",
                             kind="server", status_code=status)
    detail = f": {api_message}" if api_message else ""
    return ProviderError(f"The API answered with an error ({status}){detail}; {RETRY_HINT}.",
                         kind="error", status_code=status)

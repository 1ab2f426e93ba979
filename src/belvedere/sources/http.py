"""A polite async HTTP client for Wikimedia services.

Why: Wikimedia's policy asks for an identifiable User-Agent, at most 3 concurrent requests and
respect of ``Retry-After``; transient 5xx, timeouts and dropped connections happen. Everything
that talks HTTP goes through here so that the rules live in one place.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from belvedere import __version__
from belvedere import messages as M
from belvedere.errors import BelvedereError

MAX_POLITE_CONCURRENCY = 3


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle (~25 ms), and a command or a
    server opens many clients."""
    return httpx.create_ssl_context()


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429 answers
    failures: int = 0  # requests that failed for good
    in_flight: int = 0
    max_in_flight: int = 0
    waited_retry_after: float = 0.0
    errors: list[str] = field(default_factory=list)


class FetchFailed(Exception):
    """A request that still failed after every try (message says why, in French)."""


def user_agent(contact: str) -> str:
    """Wikimedia's required form: name/version (contact) library/version."""
    if not contact or not contact.strip():
        raise BelvedereError(M.t("no_contact"))
    return f"Belvedere/{__version__} ({contact.strip()}) httpx/{httpx.__version__}"


def parse_retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class PoliteClient:
    """httpx.AsyncClient with a concurrency cap, retries with backoff and Retry-After."""

    def __init__(
        self,
        contact: str,
        *,
        concurrency: int = MAX_POLITE_CONCURRENCY,
        max_tries: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        retry_after_max: float = 300.0,
        timeout: float = 30.0,
    ) -> None:
        if not 1 <= concurrency <= MAX_POLITE_CONCURRENCY:
            raise BelvedereError(M.t("bad_concurrency", value=concurrency, max=MAX_POLITE_CONCURRENCY))
        self.headers = {"User-Agent": user_agent(contact), "Accept": "application/json"}
        self.semaphore = asyncio.Semaphore(concurrency)
        self.max_tries = max_tries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.timeout = timeout
        self.stats = ClientStats()
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> PoliteClient:
        self._client = httpx.AsyncClient(
            headers=self.headers,
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=MAX_POLITE_CONCURRENCY, max_keepalive_connections=3),
            follow_redirects=True,
            verify=_tls(),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._client is not None
        await self._client.aclose()

    async def probe(self, url: str) -> None:
        """Fail fast, before anything is written, when the service cannot be reached at all."""
        assert self._client is not None, "use 'async with PoliteClient(...)'"
        try:
            await self._client.get(url, timeout=10)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            raise BelvedereError(M.t("no_network", url=url, err=type(exc).__name__)) from None
        except httpx.HTTPError:
            return  # the host answered something: fine

    def _retry_or_raise(self, response: httpx.Response, detail: str) -> tuple[float, str]:
        """(seconds to wait, error) for an answer worth another try: 429 (its ``Retry-After``,
        capped), 5xx and 408; any other 4xx will not get better by retrying: FetchFailed."""
        status = response.status_code
        if status == 429:
            self.stats.throttled += 1
            wait = min(self.retry_after_max, parse_retry_after(response.headers.get("Retry-After"), 5.0))
            self.stats.waited_retry_after += wait
            return wait, "HTTP 429"
        if status >= 500 or status == 408:
            return 0.0, f"HTTP {status}"
        self.stats.failures += 1
        raise FetchFailed(M.t("http_client_error", status=status, detail=detail))

    async def _pause(self, attempt: int, wait: float, last_error: str) -> None:
        """Between tries: ``wait`` when the server named it, else backoff; after the last, FetchFailed."""
        if attempt + 1 >= self.max_tries:
            self.stats.failures += 1
            raise FetchFailed(M.t("http_gave_up", tries=self.max_tries, error=last_error))
        self.stats.retries += 1
        await asyncio.sleep(wait if wait else self._backoff(attempt))

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2**attempt))

    async def get_json(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        ok_statuses: tuple[int, ...] = (200,),
        parse: Callable[[int, object], object] | None = None,
    ) -> tuple[int, object]:
        """(status, parsed JSON) for a status in ok_statuses; retries the rest; FetchFailed at the end.

        ``parse(status, json)`` may turn the body into the caller's value; a ValueError there counts
        as a malformed answer and is retried like a transient error.
        """
        assert self._client is not None, "use 'async with PoliteClient(...)'"
        last_error = ""
        for attempt in range(self.max_tries):
            wait = 0.0
            async with self.semaphore:
                self.stats.requests += 1
                self.stats.in_flight += 1
                self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
                try:
                    response = await self._client.get(url, params=params)
                    body = response.content
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    response, body = None, b""
                    last_error = f"{type(exc).__name__}"
                finally:
                    self.stats.in_flight -= 1
            if response is not None:
                status = response.status_code
                if status in ok_statuses:
                    try:
                        data = orjson.loads(body)
                        return status, (parse(status, data) if parse else data)
                    except (ValueError, KeyError, TypeError) as exc:
                        last_error = M.t("http_bad_json", status=status) + f" : {exc}"
                else:
                    wait, last_error = self._retry_or_raise(response, _problem_detail(body))
            await self._pause(attempt, wait, last_error)
        raise AssertionError("unreachable: _pause raises after the last try")

    async def download(self, url: str, dest: Path, on_bytes: Callable[[int], None] | None = None) -> Path:
        """Stream ``url`` into ``dest``, whole or nothing: bytes go to ``dest.part``; after a dropped
        connection the next try asks only for the rest (``Range``, answered 206), a 429 waits for
        ``Retry-After`` and 5xx back off as in ``get_json``; the file is renamed once its size is
        the announced one. ``on_bytes(n)`` is told of each chunk written."""
        assert self._client is not None, "use 'async with PoliteClient(...)'"
        part = dest.with_name(dest.name + ".part")
        last_error = ""
        for attempt in range(self.max_tries):
            wait = 0.0
            have = part.stat().st_size if part.exists() else 0
            headers = {"Accept": "*/*", **({"Range": f"bytes={have}-"} if have else {})}
            async with self.semaphore:
                self.stats.requests += 1
                try:
                    async with self._client.stream("GET", url, headers=headers) as response:
                        status = response.status_code
                        if status in (200, 206):
                            total = _announced_size(response)
                            with part.open("ab" if status == 206 else "wb") as out:  # 200: the whole file again
                                async for chunk in response.aiter_raw():  # as sent: ranges count these bytes
                                    out.write(chunk)
                                    if on_bytes:
                                        on_bytes(len(chunk))
                            if total is None or part.stat().st_size == total:
                                part.replace(dest)
                                return dest
                            last_error = M.t("http_short_file", got=part.stat().st_size, total=total)
                        elif status == 416 and have:  # nothing left to send: the part may be the whole file
                            if _announced_size(response) == have:
                                part.replace(dest)
                                return dest
                            part.unlink()
                            last_error = "HTTP 416"
                        else:
                            missing = status in (404, 410)
                            detail = M.t("http_no_such_file") if missing else response.reason_phrase
                            wait, last_error = self._retry_or_raise(response, detail)
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    last_error = type(exc).__name__  # what arrived stays in the part file
            await self._pause(attempt, wait, last_error)
        raise AssertionError("unreachable: _pause raises after the last try")


def _announced_size(response: httpx.Response) -> int | None:
    """The whole file's size: from ``Content-Range: bytes a-b/N`` (206, 416) or ``Content-Length`` (200)."""
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range:
        total = content_range.rsplit("/", 1)[1].strip()
        return int(total) if total.isdigit() else None
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _problem_detail(body: bytes) -> str:
    try:
        data = orjson.loads(body)
    except ValueError:
        return body[:120].decode("utf-8", "replace")
    if isinstance(data, dict):
        return str(data.get("detail") or data.get("title") or data)[:200]
    return str(data)[:200]

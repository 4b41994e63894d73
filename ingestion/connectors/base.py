"""What every API connector shares: the store it downloads, an HTTP client that waits out rate
limits and retries what is worth retrying, and the shape of what a connector yields.

A connector only talks to its platform: it turns a time window (or a list of order ids) into
``Page`` objects holding the raw response bodies. ``ingestion.connectors.run.run_download`` lands
each page through the channel's parser as one batch, so the cursor advances only when a batch
commits.

Errors name the store and the platform and never carry a credential: ``AuthError`` when the
platform refuses the credentials (401/403, not retried), ``ApiError`` for other refusals or when
the retries run out.
"""

from __future__ import annotations

import abc
import email.utils
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 60.0
MAX_RETRY_AFTER_S = 300.0
_BODY_IN_MESSAGE = 300
_TUNABLE = {
    "timeout",
    "max_retries",
    "backoff_base_s",
    "min_interval_s",
}  # characters of a refusal's body quoted in an error message


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_utc(value: datetime) -> str:
    """``2024-05-01T12:00:00Z`` (seconds precision unless there are microseconds): the cursor format."""
    value = as_utc(value)
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """An ISO-8601 time (``Z`` or an offset; naive means UTC) as an aware UTC datetime."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return as_utc(value)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def max_time(*values: str | datetime | None) -> str | None:
    """The latest of some ISO times / datetimes (None ignored) as a cursor string, or None."""
    best: datetime | None = None
    for value in values:
        if value is None or value == "":
            continue
        moment = parse_time(value) if isinstance(value, str) else as_utc(value)
        if best is None or moment > best:
            best = moment
    return None if best is None else iso_utc(best)


# -- errors -----------------------------------------------------------------------------------------


class ConnectorError(RuntimeError):
    """A download that could not go on; the message names the store and platform."""


class MissingCredential(ConnectorError, KeyError):
    """A secret named in a store's credential_names is neither in the environment nor the secrets file.

    Carries the secret's NAME only (there is no value to leak).
    """

    def __init__(self, name: str, role: str | None = None, store: str | None = None) -> None:
        self.name = name
        self.role = role
        self.store = store
        where = f"store {store}: " if store else ""
        what = f" (credential {role!r})" if role else ""
        super().__init__(
            f"{where}secret {name}{what} is not set: put it in the environment or in the secrets file "
            "(OMS_SECRETS_FILE, default ~/.config/oms/secrets.toml)"
        )

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ApiError(ConnectorError):
    """The platform refused a request (a 4xx other than 401/403) or kept failing past the retries."""

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class AuthError(ApiError):
    """The platform refused the credentials (401 or 403). Not retried by the client."""


# -- the store --------------------------------------------------------------------------------------


@dataclass
class StoreConfig:
    """One row of ``app.stores`` plus its resolved credentials (never shown in repr)."""

    tenant_id: str
    store_id: str
    channel: str
    name: str
    marketplace: str | None = None
    timezone: str = "UTC"
    currency: str | None = None
    is_active: bool = True
    api_base_url: str | None = None
    download_interval_minutes: int = 5
    overlap_minutes: int = 10
    credential_names: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    initial_since: datetime | None = None
    credentials: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        """How messages name the store: ``tenant/store``."""
        return f"{self.tenant_id}/{self.store_id}"

    def credential(self, role: str) -> str:
        """The resolved secret for a role (e.g. ``access_token``); MissingCredential if absent."""
        value = self.credentials.get(role)
        if not value:
            name = self.credential_names.get(role, f"<no secret named for {role!r}>")
            raise MissingCredential(name, role, self.label)
        return value

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)


# -- HTTP -------------------------------------------------------------------------------------------


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number (Shopify sends ``2.0``) or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, (as_utc(when) - utcnow()).total_seconds())


class HttpClient:
    """A requests session against one API base URL, with the retry rules every platform needs.

    - 429: waits ``Retry-After`` (capped at MAX_RETRY_AFTER_S) or the backoff, then retries;
    - 5xx, timeouts and connection errors: exponential backoff ``backoff_base_s * 2**attempt``
      (capped at MAX_BACKOFF_S), then retries;
    - 401/403: ``AuthError`` at once; other 4xx: ``ApiError`` at once;
    - after ``max_retries`` retries: ``ApiError`` saying what kept failing.

    ``min_interval_s`` spaces consecutive requests of this client (per-endpoint rate limits:
    connectors may keep one client per endpoint). ``sleep`` is injectable so tests need not wait.
    ``platform`` and ``store`` only name things in messages.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30,
        max_retries: int = 5,
        backoff_base_s: float = 1.0,
        min_interval_s: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        platform: str = "the platform",
        store: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not base_url:
            raise ConnectorError(f"store {store or '?'}: no API base URL is configured for {platform}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.min_interval_s = min_interval_s
        self.sleep = sleep
        self.platform = platform
        self.store = store
        self.session = requests.Session()
        if headers:
            self.session.headers.update(headers)
        self._last_request: float | None = None
        self.request_count = 0
        self.retry_count = 0

    def url_for(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        if not path:
            return self.base_url
        return f"{self.base_url}/{path.lstrip('/')}"

    def _who(self) -> str:
        return f"store {self.store}: " if self.store else ""

    def _space(self) -> None:
        if self.min_interval_s > 0 and self._last_request is not None:
            wait = self.min_interval_s - (time.monotonic() - self._last_request)
            if wait > 0:
                self.sleep(wait)
        self._last_request = time.monotonic()

    def _backoff(self, attempt: int) -> float:
        return min(MAX_BACKOFF_S, self.backoff_base_s * (2**attempt))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = self.url_for(path)
        what = f"{method.upper()} {url.split('?')[0]}"
        last_problem = ""
        for attempt in range(self.max_retries + 1):
            self._space()
            self.request_count += 1
            try:
                response = self.session.request(
                    method, url, params=params, json=json, data=data, headers=headers, timeout=self.timeout
                )
            except (requests.Timeout, requests.ConnectionError) as err:
                kind = "timed out" if isinstance(err, requests.Timeout) else "could not connect"
                last_problem = f"{kind} ({type(err).__name__})"
                if attempt >= self.max_retries:
                    break
                wait = self._backoff(attempt)
                log.warning("%s%s %s %s; retrying in %.3gs", self._who(), self.platform, what, kind, wait)
                self.retry_count += 1
                self.sleep(wait)
                continue
            status = response.status_code
            if status < 400:
                return response
            body = _short_body(response)
            if status in (401, 403):
                meaning = "refused the credentials" if status == 401 else "denied access"
                raise AuthError(
                    f"{self._who()}{self.platform} {meaning} ({status}) for {what}: {body}", status, body
                )
            if status == 429 or status >= 500:
                last_problem = f"{status}: {body}"
                if attempt >= self.max_retries:
                    break
                wait = None
                if status == 429:
                    wait = _retry_after_seconds(response.headers.get("Retry-After"))
                    if wait is not None:
                        wait = min(wait, MAX_RETRY_AFTER_S)
                if wait is None:
                    wait = self._backoff(attempt)
                log.warning(
                    "%s%s %s answered %s; retrying in %.3gs", self._who(), self.platform, what, status, wait
                )
                self.retry_count += 1
                self.sleep(wait)
                continue
            raise ApiError(f"{self._who()}{self.platform} refused {what} ({status}): {body}", status, body)
        raise ApiError(
            f"{self._who()}{self.platform} {what} still failing after {self.max_retries} retries: "
            f"{last_problem}",
            None,
            last_problem,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def close(self) -> None:
        self.session.close()


def _short_body(response: requests.Response) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        text = repr(response.content[:_BODY_IN_MESSAGE])
    text = " ".join(text.split())
    return text[:_BODY_IN_MESSAGE] + ("..." if len(text) > _BODY_IN_MESSAGE else "")


# -- connectors -------------------------------------------------------------------------------------


@dataclass
class Page:
    """What one step of a download fetched: response bodies to land through the channel's parser,
    as one batch, and the cursor that is safe to resume from once that batch has committed.

    ``cursor_after``: ISO UTC of the newest platform update time among the page's orders (None
    when the page holds none: the cursor then stays). ``reported_total``: the platform's count of
    orders in the window, when a response says so (for the completeness check). ``order_count``:
    how many orders the page holds, when the connector knows (else the landed records are counted).
    """

    bodies: list[bytes]
    cursor_after: str | None
    reported_total: int | None = None
    order_count: int | None = None
    note: str = ""


class Connector(abc.ABC):
    """Base of a channel's API connector.

    Subclasses set ``channel`` (and ``platform``, the name used in messages) and implement
    ``pages`` and ``fetch_by_ids``; ``reported_count`` is optional. ``latest_until`` says how close
    to now a window may end (Amazon: 2 minutes before now).
    """

    channel: str = ""
    platform: str = ""
    #: defaults of the client the connector builds for itself (tests pass their own ``http``)
    http_defaults: dict[str, Any] = {}

    def __init__(
        self,
        store: StoreConfig,
        http: HttpClient | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.now = now
        self.http = http if http is not None else self.make_http()

    def make_http(self, **overrides: Any) -> HttpClient:
        """A client for the store's API base URL: this connector's defaults, then the store's
        ``settings["http"]`` (any of timeout, max_retries, backoff_base_s, min_interval_s: e.g. a
        slower pace for one store, or millisecond backoff in tests), then ``overrides``."""
        tuned = self.store.settings.get("http") or {}
        options = {
            **self.http_defaults,
            **{k: v for k, v in tuned.items() if k in _TUNABLE},
            **overrides,
        }
        return HttpClient(
            self.store.api_base_url or "",
            platform=self.platform or self.channel,
            store=self.store.label,
            **options,
        )

    def latest_until(self) -> datetime:
        """The latest end a download window may have now."""
        return self.now()

    @abc.abstractmethod
    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        """Orders updated in [since, until], in ascending update time where the API allows."""

    @abc.abstractmethod
    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        """The given orders (re-download on demand); cursor_after of these pages is ignored."""

    def reported_count(self, since: datetime, until: datetime) -> int | None:
        """The platform's count of orders updated in the window, if it offers one cheaply."""
        return None

    def close(self) -> None:
        self.http.close()


__all__ = [
    "ApiError",
    "AuthError",
    "Connector",
    "ConnectorError",
    "HttpClient",
    "MissingCredential",
    "Page",
    "StoreConfig",
    "as_utc",
    "iso_utc",
    "max_time",
    "parse_time",
    "utcnow",
]

"""The webhook service (``oms webhooks``): a small ASGI app that lands what platforms push.

Routes::

    POST /webhooks/{source}/{tenant_id}/{store_id}    salla | woocommerce (carriers later)
    GET  /webhooks/health                             counts, JSON

Each source is a row of :data:`SOURCES`: the store channel it belongs to, how its sender signs a
delivery (a verifier), how to tell a ping or a non-order topic from a payload, and the parser its
payloads land through. Carrier tracking webhooks are added as more rows (AfterShip, 17TRACK: their
own verifier and parser), not as more code paths.

A delivery is handled in this order:

1. the source must be known and the store must exist in ``app.stores`` with the source's channel
   and be active, else **404**;
2. a WooCommerce ping (a form body ``webhook_id=N`` without a topic, sent unsigned when a webhook is
   saved) answers **200** and lands nothing;
3. the store's webhook secret is the secret NAMED by ``credential_names["webhook_secret"]``, resolved
   from the environment or the secrets file (``OMS_SECRETS_FILE``); a store without one answers
   **503** (the sender retries once an operator sets it);
4. the signature is checked in constant time; missing or wrong answers **401**;
5. the body lands as **one batch** (origin ``webhook``) through the channel's parser and
   :func:`ingestion.landing.land_batch`, exactly like a file or an API page: a re-delivered payload
   is counted as a duplicate, a changed one is a new version, a non-order event or topic is kept in
   ``raw.rejects`` with its reason. **200** once the batch commits; **500** if it could not (the
   sender retries).

Every refusal (404, 401, 413, 503) is a row in ``raw.webhook_refusals``: the reason, the request
headers with secrets and signatures redacted, and the body's sha256 and size (never the body:
an unverified body is not trusted data). Secrets are never logged, stored or echoed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import logging
import os
import queue
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg2
import psycopg2.extensions
from psycopg2.extras import Json
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ingestion.landing import BatchResult, LandingSession, Reject, land_batch, safe_text
from ingestion.sources import parser_for
from ingestion.stores import InvalidStore, MissingCredential, resolve_credentials
from warehouse import db, settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = int(os.environ.get("OMS_WEBHOOK_MAX_BODY_BYTES", 5 << 20))
SECRET_ROLE = "webhook_secret"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8600
_IDLE_SESSIONS = 4  # landing sessions (two connections each) kept open between deliveries
_MAX_HEADERS = 60
_MAX_HEADER_VALUE = 500
# Headers whose values are secrets or prove knowledge of one: recorded as redacted, never as sent.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_WORDS = ("signature", "token", "secret", "password", "api-key", "apikey", "auth")
_WOO_PING = re.compile(rb"webhook_id=\d{1,20}")


# -- outcomes --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a delivery is refused, and the HTTP status to answer."""

    status: int
    reason: str


class Refused(Exception):
    """Raised while handling a delivery to refuse it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.refusal = Refusal(status, reason)


class Headers(Mapping[str, str]):
    """Request headers by lower-case name (the first value of a repeated header)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._map: dict[str, str] = {}
        for name, value in pairs:
            self._map.setdefault(name.lower(), value)

    def __getitem__(self, key: str) -> str:
        return self._map[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def redacted(self) -> dict[str, str]:
        """The headers as recorded in a refusal: secrets and signatures replaced by their length."""
        out: dict[str, str] = {}
        for name, value in self._pairs[:_MAX_HEADERS]:
            key = safe_text(name.lower()) or ""
            if key in out:
                continue
            if key in _SECRET_HEADERS or any(word in key for word in _SECRET_WORDS):
                out[key] = f"[redacted, {len(value)} chars]"
            else:
                out[key] = safe_text(value[:_MAX_HEADER_VALUE]) or ""
        return out


# -- verifiers: (raw body, headers, secret, store settings) -> None if genuine, else the reason ------

Verifier = Callable[[bytes, Headers, str, dict], str | None]


def hmac_sha256(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of two ASCII strings (a non-ASCII header never matches)."""
    try:
        return hmac.compare_digest(given.encode("ascii"), expected.encode("ascii"))
    except UnicodeEncodeError:
        return False


def verify_salla(body: bytes, headers: Headers, secret: str, store_settings: dict) -> str | None:
    """Salla: ``X-Salla-Signature`` = hex HMAC-SHA256 of the raw body with the webhook secret.

    A store whose ``settings.webhook_auth`` is ``"token"`` uses Salla's token strategy instead:
    ``Authorization: Bearer <secret>``.
    """
    if store_settings.get("webhook_auth") == "token":
        auth = headers.get("authorization")
        if not auth:
            return "missing Authorization header (the store uses Salla's token strategy)"
        scheme, _, token = auth.strip().partition(" ")
        if scheme.lower() != "bearer" or not _same(token.strip(), secret):
            return "bad token in the Authorization header"
        return None
    signature = headers.get("x-salla-signature")
    if not signature:
        return "missing X-Salla-Signature header"
    if not _same(signature.strip().lower(), hmac_sha256(secret, body).hex()):
        return "bad X-Salla-Signature (not the HMAC-SHA256 of the body with the store's secret)"
    return None


def verify_woocommerce(body: bytes, headers: Headers, secret: str, store_settings: dict) -> str | None:
    """WooCommerce: ``X-WC-Webhook-Signature`` = base64 HMAC-SHA256 of the raw body with the secret."""
    signature = headers.get("x-wc-webhook-signature")
    if not signature:
        return "missing X-WC-Webhook-Signature header"
    expected = base64.b64encode(hmac_sha256(secret, body)).decode()
    if not _same(signature.strip(), expected):
        return "bad X-WC-Webhook-Signature (not the base64 HMAC-SHA256 of the body with the store's secret)"
    return None


# -- what a verified delivery is ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    """What to do with a delivery: ``land`` it, answer a ``ping``, or keep it as a reject (``reason``)."""

    kind: str  # land | ping | reject
    label: str  # the batch's file_name: source, event or topic, delivery id
    reason: str | None = None


def classify_salla(body: bytes, headers: Headers) -> Delivery:
    # The event name is inside the body; the parser sorts order events from the rest.
    return Delivery("land", "webhook salla")


def classify_woocommerce(body: bytes, headers: Headers) -> Delivery:
    topic = (headers.get("x-wc-webhook-topic") or "").strip()
    delivery_id = (headers.get("x-wc-webhook-delivery-id") or "").strip()[:40]
    label = " ".join(part for part in ("webhook woocommerce", topic[:60], delivery_id) if part)
    if not topic and _WOO_PING.fullmatch(body.strip()):
        return Delivery("ping", label)
    if topic.startswith("order."):
        return Delivery("land", label)
    if not topic:
        return Delivery("reject", label, "WooCommerce delivery without an X-WC-Webhook-Topic header")
    return Delivery("reject", label, f"not an order webhook topic: {topic[:80]}")


@dataclass(frozen=True, slots=True)
class WebhookSource:
    """One sender of webhooks: the table row that routes, verifies and lands its deliveries."""

    name: str  # the URL segment
    channel: str  # the app.stores channel of the store named in the URL
    parser: str  # the ingestion.sources parser its payloads land through
    verify: Verifier
    classify: Callable[[bytes, Headers], Delivery]
    secret_role: str = SECRET_ROLE
    # Pings are answered before verification: WooCommerce sends them unsigned, and they land nothing.
    pings_unsigned: bool = False


SOURCES: dict[str, WebhookSource] = {
    "salla": WebhookSource("salla", "salla", "salla", verify_salla, classify_salla),
    "woocommerce": WebhookSource(
        "woocommerce",
        "woocommerce",
        "woocommerce",
        verify_woocommerce,
        classify_woocommerce,
        pings_unsigned=True,
    ),
}


# -- secrets ----------------------------------------------------------------------------------------


class MissingSecret(LookupError):
    """The store's webhook secret cannot be resolved (the message names it, never a value)."""


def resolve_secret(name: str, store_id: str | None = None) -> str:
    """The value of the secret NAME, by ``ingestion.stores.resolve_credentials`` (the environment,
    then the secrets file ``OMS_SECRETS_FILE``)."""
    try:
        return resolve_credentials({SECRET_ROLE: name}, store=store_id)[SECRET_ROLE]
    except MissingCredential as err:
        raise MissingSecret(str(err)) from None
    except InvalidStore as err:  # an unreadable secrets file: its message says where, not what
        raise MissingSecret(f"webhook secret {name}: {err}") from None


# -- the service ------------------------------------------------------------------------------------


@dataclass
class Counters:
    """What this process has seen since it started (the database holds the durable totals)."""

    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    refused: int = 0
    pings: int = 0
    failed: int = 0
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **deltas: int) -> None:
        with self.lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "accepted": self.accepted,
                "duplicate": self.duplicate,
                "rejected": self.rejected,
                "refused": self.refused,
                "pings": self.pings,
                "failed": self.failed,
                "since": self.started_at,
            }


@dataclass(frozen=True, slots=True)
class Incoming:
    """One delivery as received: where it was sent, its body (up to the limit) and headers."""

    source: str
    tenant_id: str
    store_id: str
    body: bytes
    size: int  # of the whole body
    sha256: str  # of the whole body
    headers: Headers


@dataclass(frozen=True, slots=True)
class Store:
    channel: str
    is_active: bool
    credential_names: dict
    settings: dict


class WebhookService:
    """The work behind the routes: store lookup, verification, landing, refusals (blocking calls,
    run in the server's thread pool). Connections are kept open between deliveries."""

    def __init__(self, url: str | None = None, sources: dict[str, WebhookSource] | None = None) -> None:
        self._url = url
        self.sources = sources if sources is not None else SOURCES
        self.counters = Counters()
        self._conns: queue.LifoQueue[psycopg2.extensions.connection] = queue.LifoQueue()
        self._sessions: queue.LifoQueue[LandingSession] = queue.LifoQueue()

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = settings.database_url()
        return self._url

    # -- connections ---------------------------------------------------------------------------

    def _execute(self, statement: str, params: tuple = ()) -> list[tuple]:
        """Run one statement on a pooled autocommit connection (once more on a fresh one if it broke)."""
        for attempt in (1, 2):
            try:
                conn = self._conns.get_nowait()
            except queue.Empty:
                conn = db.connect(self.url, application_name="oms-webhooks")
                conn.autocommit = True
            try:
                with conn.cursor() as cur:
                    cur.execute(statement, params)
                    rows = cur.fetchall() if cur.description else []
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                conn.close()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                conn.close()
                raise
            if self._conns.qsize() < _IDLE_SESSIONS:
                self._conns.put(conn)
            else:
                conn.close()
            return rows
        raise AssertionError("unreachable")

    def _land(self, tenant_id: str, store_id: str, source: str, items, label: str) -> BatchResult:
        try:
            session = self._sessions.get_nowait()
        except queue.Empty:
            session = LandingSession(self.url)
        try:
            return land_batch(
                tenant_id, source, store_id, items, origin="webhook", file_name=label, session=session
            )
        finally:
            if self._sessions.qsize() < _IDLE_SESSIONS:
                self._sessions.put(session)
            else:
                session.close()

    def close(self) -> None:
        while not self._conns.empty():
            self._conns.get_nowait().close()
        while not self._sessions.empty():
            self._sessions.get_nowait().close()

    # -- a delivery ----------------------------------------------------------------------------

    def store(self, tenant_id: str, store_id: str) -> Store | None:
        rows = self._execute(
            """select channel, is_active, credential_names, settings from app.stores
                where tenant_id = %s and store_id = %s""",
            (tenant_id, store_id),
        )
        if not rows:
            return None
        channel, is_active, names, store_settings = rows[0]
        return Store(channel, bool(is_active), names or {}, store_settings or {})

    def handle(self, req: Incoming) -> tuple[int, dict[str, Any]]:
        """Handle one delivery; returns (HTTP status, JSON answer). Refusals are recorded and counted."""
        try:
            return self._handle(req)
        except Refused as refused:
            return self.refuse(req, refused.refusal)

    def _handle(self, req: Incoming) -> tuple[int, dict[str, Any]]:
        source = self.sources.get(req.source)
        if source is None:
            raise Refused(404, "unknown webhook source")
        if req.size > MAX_BODY_BYTES:
            raise Refused(413, f"body of {req.size} bytes is over the {MAX_BODY_BYTES}-byte limit")
        store = self.store(req.tenant_id, req.store_id)
        if store is None:
            raise Refused(404, "unknown store")
        if store.channel != source.channel:
            raise Refused(404, f"the store is a {store.channel} store, not {source.channel}")
        if not store.is_active:
            raise Refused(404, "the store is disabled")
        delivery = source.classify(req.body, req.headers)
        if delivery.kind == "ping" and source.pings_unsigned:
            self.counters.add(pings=1)
            log.info("webhook ping from %s for %s/%s answered", req.source, req.tenant_id, req.store_id)
            return 200, {"status": "ping"}
        secret_name = store.credential_names.get(source.secret_role)
        if not isinstance(secret_name, str) or not secret_name:
            raise Refused(
                503, f"the store has no webhook secret configured (credential_names.{source.secret_role})"
            )
        try:
            secret = resolve_secret(secret_name, req.store_id)
        except MissingSecret as err:
            raise Refused(503, str(err)) from None
        reason = source.verify(req.body, req.headers, secret, store.settings)
        del secret
        if reason is not None:
            raise Refused(401, reason)
        if delivery.kind == "ping":  # a signed ping, from a source whose pings are signed
            self.counters.add(pings=1)
            return 200, {"status": "ping"}
        if delivery.kind == "reject":
            items = [Reject(delivery.reason or "not an order webhook", req.body, 0, None)]
        else:
            items = parser_for(source.parser).records(io.BytesIO(req.body))
        result = self._land(req.tenant_id, req.store_id, source.channel, items, delivery.label)
        if result.status != "committed":
            self.counters.add(failed=1)
            log.error(
                "webhook delivery for %s/%s/%s could not land: %s",
                req.source,
                req.tenant_id,
                req.store_id,
                result.error,
            )
            return 500, {"status": "error", "error": "the delivery could not be landed; retry later"}
        self.counters.add(accepted=1, duplicate=result.duplicate, rejected=result.rejected)
        answer: dict[str, Any] = {
            "status": "accepted",
            "batch_id": result.batch_id,
            "landed": result.landed,
            "duplicate": result.duplicate,
            "rejected": result.rejected,
        }
        if result.rejects:
            answer["reject_reasons"] = [note.reason for note in result.rejects[:5]]
        return 200, answer

    def refuse(self, req: Incoming, refusal: Refusal) -> tuple[int, dict[str, Any]]:
        """Record and count a refusal; the answer names the reason (which never holds a secret)."""
        self.counters.add(refused=1)
        source, tenant_id, store_id = (safe_text(v) or "" for v in (req.source, req.tenant_id, req.store_id))
        log.warning(
            "webhook refused (%s): %s/%s/%s: %s",
            refusal.status,
            source[:40],
            tenant_id[:60],
            store_id[:60],
            refusal.reason,
        )
        try:
            self._execute(
                """insert into raw.webhook_refusals
                          (source, store_id, tenant_id, reason, headers, body_sha256, body_size)
                   values (%s, %s, %s, %s, %s, %s, %s)""",
                (
                    source[:100],
                    store_id[:200],
                    tenant_id[:200],
                    f"{refusal.status}: {refusal.reason}",
                    Json(req.headers.redacted()),
                    req.sha256,
                    req.size,
                ),
            )
        except psycopg2.Error as err:
            log.error("could not record the webhook refusal: %s", type(err).__name__)
        return refusal.status, {"status": "refused", "reason": refusal.reason}

    def health(self) -> tuple[int, dict[str, Any]]:
        """Durable totals from the database (every process of the service), and this process's counts."""
        answer: dict[str, Any] = {"process": self.counters.as_dict()}
        try:
            rows = self._execute(
                """select (select count(*) from raw.batches
                            where origin = 'webhook' and status = 'committed'),
                          (select coalesce(sum(duplicate_count), 0) from raw.batches
                            where origin = 'webhook' and status = 'committed'),
                          (select count(*) from raw.batches where origin = 'webhook' and status = 'failed'),
                          (select count(*) from raw.webhook_refusals)"""
            )
        except psycopg2.Error as err:
            answer.update(status="degraded", error=f"database unavailable ({type(err).__name__})")
            return 503, answer
        accepted, duplicate, failed, refused = rows[0]
        answer.update(
            status="ok", accepted=accepted, duplicate=int(duplicate), failed=failed, refused=refused
        )
        return 200, answer


# -- the ASGI app -------------------------------------------------------------------------------------


async def _read_body(request: Request) -> tuple[bytes, int, str]:
    """(body up to the limit, full size, sha256 of the full body): an oversized body is hashed, not kept."""
    digest = hashlib.sha256()
    kept = bytearray()
    size = 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            kept += chunk
    return bytes(kept), size, digest.hexdigest()


async def _deliver(request: Request) -> JSONResponse:
    service: WebhookService = request.app.state.service
    params = request.path_params
    body, size, sha256 = await _read_body(request)
    headers = Headers(list(request.headers.items()))
    started = time.perf_counter()
    incoming = Incoming(
        params["source"], params["tenant_id"], params["store_id"], body, size, sha256, headers
    )
    status, answer = await run_in_threadpool(service.handle, incoming)
    log.debug("webhook %s handled in %.1f ms", params["source"], (time.perf_counter() - started) * 1000)
    return JSONResponse(answer, status_code=status)


async def _health(request: Request) -> JSONResponse:
    status, answer = await run_in_threadpool(request.app.state.service.health)
    return JSONResponse(answer, status_code=status)


def create_app(url: str | None = None, sources: dict[str, WebhookSource] | None = None) -> Starlette:
    """The ASGI app; ``url`` is the database (default: the configured one, read on first use)."""
    service = WebhookService(url, sources)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()

    app = Starlette(
        routes=[
            Route("/webhooks/health", _health, methods=["GET"]),
            Route("/webhooks/{source}/{tenant_id}/{store_id}", _deliver, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, url: str | None = None) -> int:
    """Run the service with uvicorn until interrupted (``oms webhooks``)."""
    import uvicorn

    url = url or settings.database_url()  # fail now, with the settings' message, if there is no database
    print(
        f"webhook service on http://{host}:{port}/webhooks/<source>/<tenant>/<store> "
        f"(sources: {', '.join(sorted(SOURCES))}); health at /webhooks/health",
        flush=True,
    )
    uvicorn.run(create_app(url), host=host, port=port, log_level="info", proxy_headers=False)
    return 0

"""The current request's id and client address, so services can stamp audit records without
taking the HTTP request as an argument (services never see HTTP)."""

import contextvars
import uuid
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip_address: str | None


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("pkh_request", default=None)


def current() -> RequestInfo | None:
    return _current.get()


def client_address(request) -> str | None:
    """The client's address. Each trusted proxy in front of the app (settings.TRUSTED_PROXY_HOPS, 1 by default:
    the reverse proxy of the deployment) appends the address it saw to X-Forwarded-For, so the client is that
    many hops from the right; anything further left is whatever the client sent (a guesser changing it would
    escape the sign-in lockout). With 0 proxies the header is ignored."""
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 1)
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if hops > 0 and len(entries) >= hops:
        return entries[-hops]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        info = RequestInfo(request_id=uuid.uuid4().hex, ip_address=client_address(request))
        request.request_id = info.request_id
        token = _current.set(info)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

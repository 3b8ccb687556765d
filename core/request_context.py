"""The current request's id and client address, so services can stamp audit records without
taking the HTTP request as an argument (services never see HTTP)."""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip_address: str | None


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("pkh_request", default=None)


def current() -> RequestInfo | None:
    return _current.get()


def client_address(request) -> str | None:
    # Behind the production proxy the first X-Forwarded-For hop is the client; the proxy sets it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
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

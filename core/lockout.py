"""Sign-in lockout: too many failures for one username, or from one address, lock sign-in for a while.

The lock applies to any username typed, existing or not, so it does not reveal which accounts exist.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.models import LoginAttempt


def _window_start():
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(username: str, ip_address: str | None) -> bool:
    since = _window_start()
    username = (username or "").strip().lower()
    last_success = (
        LoginAttempt.objects.filter(username=username, succeeded=True, at__gte=since).order_by("-at").values_list("at", flat=True).first()
    )
    user_failures = LoginAttempt.objects.filter(username=username, succeeded=False, at__gte=last_success or since).count()
    if user_failures >= settings.LOGIN_LOCKOUT_FAILURES:
        return True
    if ip_address:
        address_failures = LoginAttempt.objects.filter(ip_address=ip_address, succeeded=False, at__gte=since).count()
        if address_failures >= settings.LOGIN_LOCKOUT_ADDRESS_FAILURES:
            return True
    return False


def record_attempt(username: str, ip_address: str | None, *, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=(username or "").strip().lower()[:150], ip_address=ip_address, succeeded=succeeded)
    # Old attempts are no longer needed once outside every window.
    LoginAttempt.objects.filter(at__lt=timezone.now() - timedelta(days=30)).delete()

"""Creating, checking and revoking API tokens. The key is random (secrets), given to the user once, and
stored only as its SHA-256 hash; every creation and revocation is in the audit trail."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from core.audit import audit_record
from core.models import AuditEvent

KEY_BYTES = 32
# last_used_at is written at most this often per token: not one UPDATE per API request.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def may_manage(actor, user) -> bool:
    """A user manages their own tokens; an administrator anyone's."""
    return actor.is_authenticated and (actor.pk == user.pk or actor.is_administrator)


@transaction.atomic
def token_create(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the key (the only time the key exists outside the client)."""
    if not may_manage(actor, user):
        raise ValidationError(_("You may only create tokens for yourself."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name (what it is for).")})
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:8], key_hash=hash_key(key),
                                    created_by=actor)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=token,
                 changes={"user": [None, user.username], "name": [None, token.name], "prefix": [None, token.prefix]})
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    if not may_manage(actor, token.user):
        raise ValidationError(_("You may only revoke your own tokens."))
    if token.revoked_at is not None:
        return
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=token,
                 changes={"revoked_at": [None, token.revoked_at]}, message="revoked")


def user_for_key(key: str):
    """The active user of an active token with this key, else None; notes when the token was last used."""
    token = (ApiToken.objects.select_related("user").filter(key_hash=hash_key(key), revoked_at__isnull=True)
             .first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

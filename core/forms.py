from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import lockout
from core.request_context import client_address


class LoginForm(AuthenticationForm):
    """Sign-in with lockout. The same message for a wrong username and a wrong password."""

    error_messages = {
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "inactive": _("The username or password is not correct. Both are case-sensitive."),
        "locked": _("Too many failed sign-in attempts. Wait %(minutes)s minutes and try again, or ask your coordinator."),
    }

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username", "")
        address = client_address(self.request) if self.request else None
        if lockout.is_locked(username, address):
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": settings.LOGIN_LOCKOUT_MINUTES}
            )
        try:
            data = super().clean()
        except forms.ValidationError:
            lockout.record_attempt(username, address, succeeded=False)
            raise
        lockout.record_attempt(username, address, succeeded=True)
        return data


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message beside its field when the form has that
    field, else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

"""Pages where a user lists, creates and revokes their API tokens; an administrator does the same for anyone
(`?user=<pk>`). The key is shown once, on the page that answers the creation, and is never stored."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from api import tokens
from api.models import ApiToken
from core.forms import add_service_errors
from org.models import User


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What the token is for, e.g. the system using it."))


def _owner(request) -> User:
    """Whose tokens the page shows: the user's own, or (administrators only) those of `?user=<pk>`;
    anyone else asking for another user's tokens gets 404."""
    wanted = request.GET.get("user", "")
    if not wanted or wanted == str(request.user.pk):
        return request.user
    if not request.user.is_administrator or not wanted.isdigit():
        raise Http404
    try:
        return User.objects.get(pk=wanted)
    except User.DoesNotExist:
        raise Http404 from None


def _list_url(request, owner) -> str:
    url = reverse("api_token_list")
    return url if owner.pk == request.user.pk else f"{url}?{urlencode({'user': owner.pk})}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    owner = _owner(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = tokens.token_create(actor=request.user, user=owner, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Answered with a page, not a redirect: the key must not travel through the session or a URL.
            return render(request, "api/tokens_created.html", {
                "token": token, "key": key, "owner": owner, "back_url": _list_url(request, owner)})
    return render(request, "api/tokens.html", {
        "owner": owner, "form": form, "tokens": ApiToken.objects.filter(user=owner).select_related("revoked_by"),
        "own": owner.pk == request.user.pk,
        "users": (User.objects.filter(is_active=True).order_by("username").only("pk", "username", "first_name",
                                                                                  "last_name")
                  if request.user.is_administrator else None),
    })


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    try:
        token = ApiToken.objects.select_related("user").get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    if not tokens.may_manage(request.user, token.user):
        raise Http404
    back_url = _list_url(request, token.user)
    if request.method == "POST":
        tokens.token_revoke(actor=request.user, token=token)
        messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
        return redirect(back_url)
    return render(request, "api/tokens_revoke.html", {"token": token, "back_url": back_url})

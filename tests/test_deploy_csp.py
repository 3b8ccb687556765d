"""Production settings and the Content-Security-Policy, checked on what the server actually sends.

tests/test_settings.py runs `manage.py check --deploy`; tests/test_code_rules.py reads the templates. Here the
rendered pages are read — with their form widgets, crispy-forms' templates and the API docs — because an
inline script or style can come from a widget or a third-party template that no template file shows.
The Django admin is exempt: its own templates carry inline `style` attributes and it is used only by
administrators (not a page the policy is promised for); it is sent the same header all the same.
"""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests import matrix

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DEBUG": "0", "ALLOWED_HOSTS": "pkh.example.go.id",
              "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopq"}


class _Violations(HTMLParser):
    """What a strict policy (script-src 'self'; style-src 'self') blocks: inline scripts, style attributes and
    elements, event-handler attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        shown = self.get_starttag_text()[:120]
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in {"application/json",
                                                                                  "application/ld+json"}:
            self.found.append(f"inline script: {shown}")
        if tag == "style":
            self.found.append(f"<style> element: {shown}")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f"style attribute: {shown}")
            if name.startswith("on"):
                self.found.append(f"event handler {name}: {shown}")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"javascript: URL: {shown}")


def violations(html: str) -> list[str]:
    parser = _Violations()
    parser.feed(html)
    return parser.found


def _production(*args):
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE",
                                "CONTENT_SECURITY_POLICY", "SECURE_SSL_REDIRECT", "SECURE_COOKIES",
                                "SECURE_HSTS_SECONDS"}}
    environment.update(PRODUCTION)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=60)


def test_the_checker_finds_what_the_policy_blocks():
    html = ('<p style="color:red" onclick="x()">a</p><script>alert(1)</script><a href="javascript:x()">b</a>'
            '<style>p{}</style><script src="/static/js/a.js"></script>'
            '<script id="d" type="application/json">{}</script>')
    assert len(violations(html)) == 5


def test_production_settings_harden_https_cookies_and_the_policy():
    code = ("import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ("
            "'DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
            "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', "
            "'SECURE_CONTENT_TYPE_NOSNIFF', 'CONTENT_SECURITY_POLICY')}))")
    result = _production("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False and values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    policy = dict(part.strip().split(" ", 1) for part in values["CONTENT_SECURITY_POLICY"].split(";") if part.strip())
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "'unsafe-inline'" not in values["CONTENT_SECURITY_POLICY"]
    assert "'unsafe-eval'" not in values["CONTENT_SECURITY_POLICY"]
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"


def _pages(world):
    """Every page of the URL × role matrix, the household and object pages for the coordinator's family, the
    sign-in page and the API docs."""
    from tests.test_url_matrix import _household_url

    urls = [reverse(name) for name in sorted(matrix.PAGE_URLS)]
    urls += [_household_url(name, world.household) for name, (method, _) in sorted(matrix.HOUSEHOLD_URLS.items())
             if method == "get"]
    for name, (method, _, factory) in sorted(matrix.OBJECT_URLS.items()):
        if method != "get":
            continue
        try:
            with transaction.atomic():
                obj = factory(world, world.household)
        except IntegrityError:
            continue  # one per family (a pending proposal): the page of the first one is in the list
        if obj is not None:
            urls.append(reverse(name, kwargs={"pk": obj.pk}))
    return urls + [reverse("api_docs"), reverse("password_change")]


def test_every_page_satisfies_the_content_security_policy(world, client, settings):
    client.force_login(world.coordinator)
    problems, html_pages = {}, 0
    for url in _pages(world):
        response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.redirect_chain)
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY, url
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html_pages += 1
        if found := violations(response.content.decode()):
            problems[url] = found
    client.logout()
    login = client.get(reverse("login"))
    if found := violations(login.content.decode()):
        problems[reverse("login")] = found
    assert html_pages > 40
    assert not problems, problems


def test_error_pages_satisfy_the_policy(world, client):
    client.force_login(world.facilitator)
    for url in (reverse("household_detail", kwargs={"pk": world.household_b.pk}), reverse("city_overview")):
        response = client.get(url)
        assert response.status_code in {403, 404}
        assert not violations(response.content.decode()), url


@pytest.mark.parametrize("path", sorted((ROOT / "static" / "js").glob("*.js")), ids=lambda p: p.name)
def test_scripts_do_not_evaluate_strings(path):
    """`eval`/`new Function` need 'unsafe-eval', which the policy does not grant."""
    text = path.read_text()
    assert not re.search(r"\beval\s*\(|new\s+Function\s*\(", text), path.name

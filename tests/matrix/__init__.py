"""Rows of the URL × role matrix contributed per app (one module per app: tests/matrix/<app>.py).

A module may define:
- HOUSEHOLD_URLS = {url_name: (method, needs)}: URLs whose `pk` is a household's; `needs` is
  "read", "write" or "manage"; EXTRA_KWARGS = {url_name: callable(household) -> dict} adds others.
- OBJECT_URLS = {url_name: (method, needs, factory)}: URLs whose `pk` is another object's;
  `factory(world, household)` makes that object for one of the world's households (or returns None
  when it cannot exist for it); the object is in scope exactly when its household is.
- PAGE_URLS = {url_name: {persona: expected status}} for the personas facilitator, coordinator,
  auditor, admin.
- NOT_SCOPED = {url_name, ...}: URLs that show no registry data.
"""

import importlib
import pkgutil

HOUSEHOLD_URLS: dict = {}
EXTRA_KWARGS: dict = {}
OBJECT_URLS: dict = {}
PAGE_URLS: dict = {}
NOT_SCOPED: set = set()

for module_info in pkgutil.iter_modules(__path__):
    module = importlib.import_module(f"{__name__}.{module_info.name}")
    HOUSEHOLD_URLS.update(getattr(module, "HOUSEHOLD_URLS", {}))
    EXTRA_KWARGS.update(getattr(module, "EXTRA_KWARGS", {}))
    OBJECT_URLS.update(getattr(module, "OBJECT_URLS", {}))
    PAGE_URLS.update(getattr(module, "PAGE_URLS", {}))
    NOT_SCOPED.update(getattr(module, "NOT_SCOPED", set()))

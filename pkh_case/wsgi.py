"""WSGI entry point (gunicorn pkh_case.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkh_case.settings")
application = get_wsgi_application()

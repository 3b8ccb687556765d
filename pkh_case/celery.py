"""The Celery app. Settings come from Django's (CELERY_* names); no broker means eager tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkh_case.settings")

app = Celery("pkh_case")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

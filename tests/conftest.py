"""The test world: 2 cities × 2 facilitators, a coordinator and an auditor per city, families spread
across them, and an administrator. Personas are named by role."""

import os
from dataclasses import dataclass
from datetime import date

import pytest

from org.models import User

pytest_plugins = ["tests.browser"]
from tests.factories import FacilitatorFactory, HouseholdFactory, MemberFactory, UserFactory, region


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service messages are asserted in English (the source language); pages keep their default, Indonesian."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def pytest_configure(config):
    from pathlib import Path

    from django.conf import settings

    from pkh_case.celery import app

    # WhiteNoise warns when STATIC_ROOT is missing; the live server of the browser tests starts early.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    # The broker for task tests: Redis when run_tests.py found it, otherwise nothing is sent anywhere.
    app.conf.broker_url = os.environ.get("PKH_TEST_BROKER_URL") or "memory://"


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) on Redis when available; None when tasks run eagerly.

    Its own queue name keeps it from taking tasks of any other test run using the same Redis.
    """
    if not os.environ.get("PKH_TEST_BROKER_URL"):
        yield None
        return
    import uuid

    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from pkh_case.celery import app

    queue = f"pkh-test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30) as worker:
            yield worker
    finally:
        app.conf.task_default_queue = previous
        connections.close_all()


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run eagerly unless a test asks for the real worker (marker `celery_worker`)."""
    from pkh_case.celery import app

    eager = request.node.get_closest_marker("celery_worker") is None or not os.environ.get("PKH_TEST_BROKER_URL")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


def make_family(*, facilitator=None, kelurahan="31.75.01.1001", **household_fields):
    """A household with a pengurus mother, a father and two school children."""
    household = HouseholdFactory(facilitator=facilitator, kelurahan=region(kelurahan), **household_fields)
    MemberFactory(household=household, name="Ibu " + household.id_kpm, sex="P", birth_date=date(1985, 3, 1),
                  relationship="ISTRI", is_pengurus=True)
    MemberFactory(household=household, name="Bapak " + household.id_kpm, sex="L", birth_date=date(1980, 1, 1),
                  relationship="KEPALA KELUARGA")
    MemberFactory(household=household, sex="L", birth_date=date(2015, 6, 1), relationship="ANAK", school="SD")
    MemberFactory(household=household, sex="P", birth_date=date(2011, 6, 1), relationship="ANAK", school="SMP")
    return household


@dataclass
class World:
    admin: User
    facilitator: User  # city A
    other_facilitator: User  # city A
    coordinator: User  # city A
    auditor: User  # city A
    facilitator_b: User  # city B
    coordinator_b: User  # city B
    auditor_b: User  # city B
    household: object  # facilitator's
    other_household: object  # other_facilitator's, city A
    unassigned: object  # city A, no facilitator
    household_b: object  # city B

    def personas(self):
        return {
            "facilitator": self.facilitator, "other_facilitator": self.other_facilitator,
            "coordinator": self.coordinator, "auditor": self.auditor, "facilitator_b": self.facilitator_b,
            "coordinator_b": self.coordinator_b, "auditor_b": self.auditor_b, "admin": self.admin,
        }


@pytest.fixture
def world(db) -> World:
    city_a = region("31.75", "Kota Administrasi Jakarta Timur")
    city_b = region("31.74", "Kota Administrasi Jakarta Selatan")
    village_a1 = region("31.75.01.1001", "Pisangan Baru")
    village_a2 = region("31.75.02.1001", "Pulo Gadung")
    village_b = region("31.74.01.1001", "Tebet Barat")
    facilitator = FacilitatorFactory(username="pendamping_a1", cities=[city_a], profile=[village_a1])
    other = FacilitatorFactory(username="pendamping_a2", cities=[city_a], profile=[village_a2])
    facilitator_b = FacilitatorFactory(username="pendamping_b1", cities=[city_b], profile=[village_b])
    return World(
        admin=UserFactory(username="admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True),
        facilitator=facilitator,
        other_facilitator=other,
        coordinator=UserFactory(username="korkot_a", role=User.Role.COORDINATOR, cities=[city_a]),
        auditor=UserFactory(username="sudin_a", role=User.Role.AUDITOR, cities=[city_a]),
        facilitator_b=facilitator_b,
        coordinator_b=UserFactory(username="korkot_b", role=User.Role.COORDINATOR, cities=[city_b]),
        auditor_b=UserFactory(username="sudin_b", role=User.Role.AUDITOR, cities=[city_b]),
        household=make_family(facilitator=facilitator, kelurahan=village_a1.code),
        other_household=make_family(facilitator=other, kelurahan=village_a2.code),
        unassigned=make_family(kelurahan=village_a2.code),
        household_b=make_family(facilitator=facilitator_b, kelurahan=village_b.code),
    )


@pytest.fixture
def client_for(client):
    """Sign a test client in as a persona: `client_for(world.coordinator)`."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in

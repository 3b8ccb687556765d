"""API URLs: p2k2."""

urlpatterns: list = []

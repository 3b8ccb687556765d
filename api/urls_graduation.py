"""API URLs: graduation."""

urlpatterns: list = []

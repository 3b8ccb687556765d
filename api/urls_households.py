"""API URLs: households."""

urlpatterns: list = []

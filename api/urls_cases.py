"""API URLs: cases."""

urlpatterns: list = []

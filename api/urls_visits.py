"""API URLs: visits."""

urlpatterns: list = []

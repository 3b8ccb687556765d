"""Pages where a user creates and revokes their API tokens (an administrator: anyone's)."""

from django.urls import path

from api import token_views

urlpatterns = [
    path("", token_views.token_list, name="api_token_list"),
    path("<int:pk>/revoke/", token_views.token_revoke, name="api_token_revoke"),
]

"""Pages where a user creates and revokes their API tokens (an administrator: anyone's)."""

urlpatterns: list = []

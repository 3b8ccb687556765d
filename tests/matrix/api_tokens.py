"""The API token pages: a user's own tokens (no registry data). Revoking another user's token is tested in
tests/api/test_tokens_pages.py (404 unless an administrator)."""

PAGE_URLS = {
    "api_token_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
NOT_SCOPED = {"api_token_revoke"}

"""The API's schema and docs: no registry data (they need a signed-in user with a role)."""

NOT_SCOPED = {"api_schema", "api_docs"}

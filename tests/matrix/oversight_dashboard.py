"""Oversight, the coordinator dashboard: the dashboard and its backlog lists (coordinators, auditors and
administrators; facilitators 403) and the rebalancing confirmation (coordinators and administrators; without a
suggestion it sends back to the dashboard, 302; auditors and facilitators 403)."""

PAGE_URLS = {
    "oversight_dashboard": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    "oversight_dashboard_follow_ups": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    "oversight_dashboard_not_visited": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    "oversight_rebalance": {"facilitator": 403, "coordinator": 302, "auditor": 403, "admin": 302},
}

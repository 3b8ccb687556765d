"""API: transaction flags and monthly reports. The objects are the monitoring pages' rows
(tests/matrix/monitoring_flags.py, tests/matrix/monitoring_reports.py): in scope exactly when their household
is (a report: when it has figures of a caseload the persona sees)."""

from tests.matrix.monitoring_flags import _flag
from tests.matrix.monitoring_reports import _report

OBJECT_URLS = {
    "api_monitoring_flag_detail": ("get", "read", _flag),
    "api_monitoring_report_detail": ("get", "read", _report),
}

PAGE_URLS = {
    "api_monitoring_flag_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "api_monitoring_report_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}

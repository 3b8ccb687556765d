"""Flag pages: the list of the user's flags (filters, counts per code), a flag with its bank rows, and
opening the mediation case of a flag in one click. Scoped through monitoring.flags (org.access)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _

from monitoring import flags
from monitoring.flag_forms import FlagFilterForm
from monitoring.models import FlagCode
from org import access

PAGE_SIZE = 25


@login_required
def flag_list(request):
    """The flags of the user's families (a facilitator) or cities (coordinator, auditor), latest stage first."""
    form = FlagFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    page = Paginator(flags.flag_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = flags.code_counts(request.user, filters)
    return render(request, "monitoring/flag_list.html", {
        "form": form, "filters": filters, "page_obj": page, "rows": flags.flag_views(request.user, page.object_list),
        "code_tabs": [(code, label, counts[code]) for code, label in FlagCode.choices],
        "total": sum(counts.values()), "can_view_city": access.can_view_city(request.user),
        "can_write": access.can_write(request.user),
        "filtered": any([filters.stage, filters.kelurahan, filters.facilitator, filters.household, filters.waiting]),
        "form_open": any([filters.stage, filters.kelurahan, filters.facilitator]),
    })


@login_required
def flag_detail(request, pk):
    flag = flags.flag_for_page(request.user, pk)
    return render(request, "monitoring/flag_detail.html", {
        "row": flags.flag_views(request.user, [flag])[0],
        "events": flags.flag_events(request.user, flag),
        "can_view_city": access.can_view_city(request.user),
    })


@login_required
@require_POST
def flag_case_open(request, pk):
    """One click: the flag's case, opened now or already open."""
    flag = flags.flag_for_page(request.user, pk, for_write=True)
    try:
        case, created = flags.flag_case_open(actor=request.user, flag=flag)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("monitoring_flag_detail", pk=flag.pk)
    if created:
        messages.success(request, _("Case opened from the flag. Record what you find with the family on the case."))
    else:
        messages.info(request, _("A case is already open for this flag."))
    return redirect("case_detail", pk=case.pk)

"""The facilitator's day and home visits."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from core.extensions import DAY_SECTIONS, render_parts


@login_required
def today(request):
    """"Hari ini": what is due today and overdue, from every part of the casework (core.extensions)."""
    day = timezone.localdate()
    return render(request, "casework/today.html", {
        "day": day,
        "sections": render_parts(DAY_SECTIONS, request.user, day),
    })

"""Template filters for identity masking and money."""

from django import template

register = template.Library()


@register.filter
def mask_id(value) -> str:
    """A NIK or No. KK with the middle hidden: `3175••••••••0001`."""
    text = str(value or "")
    if len(text) <= 8:
        return "•" * len(text)
    return f"{text[:4]}{'•' * (len(text) - 8)}{text[-4:]}"


@register.filter
def rupiah(value) -> str:
    """Whole rupiah with dots as thousands separators: `Rp1.500.000`."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


@register.filter
def age(birth_date) -> str:
    """Age in completed years today."""
    from django.utils import timezone

    from beneficiaries.components import age_on

    if not birth_date:
        return ""
    return str(age_on(birth_date, timezone.localdate()))


@register.filter
def percent(value, digits=0) -> str:
    try:
        return f"{float(value) * 100:.{int(digits)}f}%"
    except (TypeError, ValueError):
        return ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination and sorting links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"

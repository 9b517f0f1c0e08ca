"""How a visit's time reads on every page and in every message: the day with its weekday and the hours, in the
site's time zone and the reader's language ("12月3日 周四 09:00–10:00")."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import pgettext, pgettext_lazy

WEEKDAYS = (
    pgettext_lazy("short weekday", "Mon"),
    pgettext_lazy("short weekday", "Tue"),
    pgettext_lazy("short weekday", "Wed"),
    pgettext_lazy("short weekday", "Thu"),
    pgettext_lazy("short weekday", "Fri"),
    pgettext_lazy("short weekday", "Sat"),
    pgettext_lazy("short weekday", "Sun"),
)


def visit_period(starts_at: datetime, ends_at: datetime, *, year: bool = False) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day_format = (
        pgettext("Django date format of a visit day with its year", "j M Y")
        if year
        else pgettext("Django date format of a visit day", "j M")
    )
    return pgettext("a visit's day, weekday and hours", "%(weekday)s %(day)s %(start)s–%(end)s") % {
        "weekday": WEEKDAYS[start.weekday()],
        "day": formats.date_format(start, day_format),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
    }

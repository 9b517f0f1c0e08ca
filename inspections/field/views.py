"""Pages of the officers' field area. They only read: every write goes from the phone to the REST API
(``visit-record``, ``show-code``, ``reinspect``), through the same services as the admin and the API, with an
``Idempotency-Key`` per action, so that a queue replayed after a dead spot creates nothing twice."""

import hashlib
import json
from datetime import timedelta
from functools import cache

import segno
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from programs.models import User
from programs.roles import require_role

from .. import services
from ..models import Finding, Inspection, ItemCheck
from ..services.documents import visit_documents
from ..services.inspections import CODE_NOT_SHOWN_REASONS
from . import selectors

# Default rectification deadline proposed on the phone (the officer may change it).
DEFAULT_DEADLINE_DAYS = 15
STATIC_FILES = [
    "programs/site.css",
    "inspections/field/field.css",
    "inspections/field/field.js",
    "inspections/field/visit.js",
    "inspections/field/reinspections.js",
    "inspections/field/icon.svg",
]


def _officer(request) -> User:
    require_role(request.user, User.Role.OFFICER)
    return request.user


def _strings() -> dict:
    """The phone script's words, translated here (the script itself carries none)."""
    return {
        "pending": _("Waiting to be sent: %(count)s"),
        "nothing_pending": _("Everything has been sent."),
        "not_sent": _("%(count)s not sent: see why below."),
        "send_now": _("Send now"),
        "remove": _("Remove"),
        "remove_confirm": _("Remove this action? What it holds will not be sent."),
        "conflict": _("Conflict"),
        "failed": _("Refused"),
        "waiting": _("Waiting"),
        "sign_in_again": _("Your sign-in has expired: sign in again, then the waiting actions are sent."),
        "offline": _("No connection: the actions wait on this phone and are sent when the connection is back."),
        "offline_ready": _("This week's visits are kept on this phone for use without signal."),
        "offline_failed": _("This week could not be kept for use without signal; open it again with a connection."),
        "show_code": _("Show the code to %(enterprise)s"),
        "visit_record": _("Completion of the visit to %(enterprise)s"),
        "reinspect": _("Re-inspection of %(item)s at %(enterprise)s"),
        "unanswered": _("Items not answered yet: %(items)s"),
        "no_description": _("Describe the finding of: %(items)s"),
        "no_deadline": _("Give the rectification deadline of: %(items)s"),
        "queued": _("Completed on this phone; it is sent when there is a connection."),
        "sent": _("Sent."),
        "code_shown_at": _("Code shown at %(time)s"),
        "no_reason": _("The code was not shown: choose why in step 4, then complete."),
        "no_reason_note": _("Explain why the code was not shown."),
        "photos": _("%(count)s photos"),
        "grade_now": _("Grade now: %(grade)s"),
        "edit_again": _("Edit and send again"),
        "grades": {
            "red": pgettext("grade", "Red"),
            "yellow": pgettext("grade", "Yellow"),
            "green": pgettext("grade", "Green"),
            "gray": pgettext("grade", "Gray"),
        },
    }


@login_required
def home(request):
    """This week's visits by day, each with what the officer needs on the way there."""
    officer = _officer(request)
    monday, days, earlier = selectors.field_week(officer=officer)
    visit_urls = [reverse("field:visit", args=[pk]) for pk in selectors.week_visit_ids(days, earlier)]
    context = {
        "week_start": monday,
        "week_end": monday + timedelta(days=6),
        "today": timezone.localdate(),
        "days": days,
        "earlier": earlier,
        "due_count": selectors.reinspections_due(officer=officer).count(),
        "offline_urls": [reverse("field:home"), reverse("field:reinspections"), *visit_urls],
        "strings": _strings(),
    }
    return render(request, "inspections/field/home.html", context)


def _qr_svg(request, inspection: Inspection) -> str:
    """The code as a QR of its public check address: an SVG that scales to the screen (no fixed size)."""
    url = request.build_absolute_uri(reverse("inspections:verify", kwargs={"code": inspection.code}))
    return segno.make(url, error="m").svg_inline(border=4, light="#fff", omitsize=True)


@login_required
def visit(request, pk):
    """One visit, in the order of the work: show the code, the checklist, the findings, completion."""
    officer = _officer(request)
    inspection = selectors.field_visit(user=officer, pk=pk)
    if inspection is None:
        raise Http404(_("No such visit of yours."))
    items = selectors.field_visit_items(inspection=inspection, user=officer)
    findings = selectors.field_visit_findings(inspection=inspection, user=officer)
    today = timezone.localdate()
    state = {
        "id": inspection.pk,
        "status": inspection.status,
        "enterprise": inspection.enterprise.name,
        "code_shown_at": inspection.code_shown_at.isoformat() if inspection.code_shown_at else None,
        "show_code_url": f"/api/v1/inspections/{inspection.pk}/show-code/",
        "visit_record_url": f"/api/v1/inspections/{inspection.pk}/visit-record/",
        "items": [
            {
                "id": row.item.pk,
                "name": f"{row.item.code} {row.item.name}",
                "answerable": row.answerable,
                "answer": row.check.result if row.check else None,
            }
            for row in items
        ],
        "recorded_items": sorted({f.item_id for f in findings}),
        "today": today.isoformat(),
    }
    context = {
        "inspection": inspection,
        "officers": list(inspection.officers.all()),
        "code": services.format_code(inspection.code),
        "qr": mark_safe(_qr_svg(request, inspection)) if inspection.code else "",  # noqa: S308 - segno's own SVG
        "items": items,
        "findings": findings,
        "results": ItemCheck.Result,
        "severities": Finding.Severity.choices,
        "not_shown_reasons": [
            (value, label) for value, label in Inspection.CodeNotShownReason.choices if value in CODE_NOT_SHOWN_REASONS
        ],
        "default_deadline": today + timedelta(days=DEFAULT_DEADLINE_DAYS),
        "today": today,
        "documents": visit_documents(inspection) if inspection.status == Inspection.Status.COMPLETED else [],
        "state": state,
        "strings": _strings(),
    }
    return render(request, "inspections/field/visit.html", context)


@login_required
def reinspections(request):
    """Findings to re-inspect: the enterprise's evidence, and rectified or not, with the new grade."""
    officer = _officer(request)
    context = {
        "findings": selectors.reinspections_due(officer=officer)[:200],
        "today": timezone.localdate(),
        "near_days": selectors.NEAR_DEADLINE_DAYS,
        "strings": _strings(),
    }
    return render(request, "inspections/field/reinspections.html", context)


@cache
def _service_worker_source() -> str:
    path = finders.find("inspections/field/sw.js")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@require_GET
@never_cache
def service_worker(request):
    """The service worker, served under /field/ so that its scope is the field area. What it keeps for
    offline use is named here with the static files' real (hashed, in production) addresses; the cache's name
    changes whenever any of them or the worker changes, so a new version replaces the old cache."""
    assets = [static(name) for name in STATIC_FILES] + [reverse("field:manifest"), reverse("field:offline")]
    source = _service_worker_source()
    version = hashlib.sha256((source + json.dumps(assets)).encode()).hexdigest()[:12]
    config = json.dumps({"version": version, "assets": assets, "scope": reverse("field:home")})
    response = HttpResponse(f"self.FIELD = {config};\n{source}", content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:home")
    return response


@require_GET
def manifest(request):
    """The web app manifest: the field area installs as an app that opens on the week."""
    home_url = reverse("field:home")
    data = {
        "name": _("Field inspections"),
        "short_name": _("Field"),
        "lang": "zh-Hans",
        "start_url": home_url,
        "scope": home_url,
        "display": "standalone",
        "background_color": "#f8fafc",
        "theme_color": "#b42318",
        "icons": [
            {"src": static("inspections/field/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def offline(request):
    """What the phone shows for a field page it has not kept (opened without signal, never loaded before)."""
    return render(request, "inspections/field/offline.html", {"strings": _strings()})

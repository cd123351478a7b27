"""The words of the visit checklist per campaign (五个一), under /outreach/checklists/: the campaign
office renames the five slots for a campaign whose list reads differently. Views ask and show;
rules.rename_checklist changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minyi.ledger.models import Campaign
from minyi.org.permissions import require
from minyi.outreach import rules
from minyi.outreach.access import OutreachPerm
from minyi.outreach.forms import ChecklistWordsForm
from minyi.outreach.models import CampaignChecklist, checklist_labels


@login_required
@require_http_methods(["GET", "POST"])
def checklists(request: HttpRequest) -> HttpResponse:
    """Every campaign with its five words; the one chosen (``?campaign=``) can be renamed."""
    require(request.user, OutreachPerm.CHANGE_CHECKLIST)
    campaigns = list(Campaign.objects.order_by("-starts_on", "-pk"))
    chosen_id = request.POST.get("campaign") or request.GET.get("campaign") or ""
    chosen = next((c for c in campaigns if str(c.pk) == chosen_id), campaigns[0] if campaigns else None)
    form = None
    if chosen is not None:
        own = CampaignChecklist.objects.filter(campaign=chosen).first()
        initial = {name: getattr(own, name) for name in ChecklistWordsForm.base_fields} if own else {}
        if request.method == "POST":
            form = ChecklistWordsForm(request.POST)
            if form.is_valid():
                try:
                    rules.rename_checklist(chosen, form.cleaned_data, actor=request.user)
                except ValidationError as error:
                    for name, errors in error.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    messages.success(
                        request, _("The checklist of %(campaign)s is saved.") % {"campaign": chosen}
                    )
                    return redirect(f"{reverse('outreach:checklists')}?campaign={chosen.pk}")
        else:
            form = ChecklistWordsForm(initial=initial)
    rows = [(campaign, list(checklist_labels(campaign).values())) for campaign in campaigns]
    return render(request, "outreach/checklists.html", {"rows": rows, "chosen": chosen, "form": form})

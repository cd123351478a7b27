"""Staff pages of the loop, under /appeals/ (namespace ``appeals``): list, export, detail, files, actions."""

from django.urls import path, re_path

from minyi.appeals.actions import ACTIONS
from minyi.appeals.views import duplicates, staff

# Tracking numbers are digits only, so these patterns never shadow /appeals/intake/ and its siblings.
NUMBER = r"(?P<number>[0-9]{1,20})"

urlpatterns: list = [
    path("", staff.appeal_list, name="list"),
    path("export.xlsx", staff.export, name="export"),
    re_path(rf"^{NUMBER}/$", staff.detail, name="detail"),
    re_path(rf"^{NUMBER}/files/(?P<pk>[0-9]+)/$", staff.attachment, name="attachment"),
    re_path(
        rf"^{NUMBER}/files/(?P<pk>[0-9]+)/thumbnail/$",
        staff.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    re_path(rf"^{NUMBER}/reply-check/$", staff.reply_check, name="reply_check"),
    re_path(rf"^{NUMBER}/duplicates/merge/$", duplicates.merge_confirm, name="merge_confirm"),
    re_path(rf"^{NUMBER}/duplicates/not-duplicate/$", duplicates.not_duplicate, name="not_duplicate"),
    *[
        re_path(rf"^{NUMBER}/{action.slug}/$", staff.act, {"action": action.key}, name=action.key)
        for action in ACTIONS
    ],
]

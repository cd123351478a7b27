from django.contrib import admin

from minyi.reports.models import BulletinIssue, BulletinMasthead, BulletinSubscription


@admin.register(BulletinSubscription)
class BulletinSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["person", "campaign", "is_active"]
    list_filter = ["campaign", "is_active"]
    autocomplete_fields = ["person"]


@admin.register(BulletinMasthead)
class BulletinMastheadAdmin(admin.ModelAdmin):
    list_display = ["office", "report_to", "copy_to", "send_to"]


@admin.register(BulletinIssue)
class BulletinIssueAdmin(admin.ModelAdmin):
    list_display = ["office", "year", "number", "campaign", "unit", "date_from", "date_to", "issued_on"]
    list_filter = ["year", "office"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # a number once given stays: issue again to number another period

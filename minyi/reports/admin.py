from django.contrib import admin

from minyi.reports.models import BulletinSubscription


@admin.register(BulletinSubscription)
class BulletinSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["person", "campaign", "is_active"]
    list_filter = ["campaign", "is_active"]
    autocomplete_fields = ["person"]

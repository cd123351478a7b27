from django.contrib import admin

from minyi.open311.models import Open311Key, Open311Request, ServiceAttribute


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    # Keys are made with `manage.py open311_key create` (the clear key is shown once there).
    list_display = ["prefix", "name", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at"]
    fields = ["name", "prefix", "created_at", "revoked_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "code", "description", "datatype", "required", "order"]
    list_filter = ["datatype", "required"]
    autocomplete_fields = ["category"]


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["appeal", "key", "created_at"]
    readonly_fields = ["appeal", "key", "device_id", "account_id", "address_id", "media_url", "attributes"]

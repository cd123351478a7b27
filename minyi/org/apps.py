from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "minyi.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Imported here: the role table names every app's permissions (their access modules use the
        # models), which are loaded only once every app's configuration is.
        from minyi.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, dispatch_uid="minyi.org.ensure_role_groups")
        # Each app declares its links on the home page in its menu.py (see minyi.org.home).
        autodiscover_modules("menu")

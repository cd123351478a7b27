"""URLs of the operators' intake, under /appeals/intake/ (namespace ``appeals``)."""

from django.urls import path

from minyi.appeals.views import intake

urlpatterns = [
    path("new/", intake.intake, name="intake"),
    path("caller/", intake.caller, name="intake_caller"),
    path("similar/", intake.similar, name="intake_similar"),
    path("import/", intake.import_view, name="import"),
    path("import/template.xlsx", intake.import_template, name="import_template"),
]

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.documents.models import DocumentKind


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"),
                             choices=[("", "—"), *DocumentKind.choices])
    file = forms.FileField(label=_("File"), allow_empty_file=False)
    case = forms.TypedChoiceField(label=_("Attach to"), coerce=int, required=False,
                                  empty_value=None)

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", _("The survivor (not one case)"))] + [
            (c.pk, c.reference) for c in cases]


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("File"), choices=[("xlsx", _("Excel (XLSX)")),
                                                         ("csv", _("CSV"))])
    personal = forms.BooleanField(
        label=_("Include names, dates of birth and phone numbers"), required=False,
        help_text=_("Only if whoever receives the file needs them; the export is logged."))


class SummaryLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[
        ("survivor", _("The survivor's language")), ("staff", _("My language"))])

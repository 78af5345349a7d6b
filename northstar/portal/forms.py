from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.portal import texts


class SignInForm(forms.Form):
    reference = forms.CharField(max_length=40)
    pin = forms.CharField(max_length=12, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].label = texts.UI["reference_label"]
        self.fields["pin"].label = texts.UI["pin_label"]


class PinForm(forms.Form):
    """Staff form: the PIN is chosen with the survivor, typed twice, never shown again."""

    pin = forms.CharField(
        label=_("New PIN (6 digits, chosen with the survivor)"), min_length=6, max_length=6,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password",
                                          "pattern": "[0-9]{6}"}),
    )
    pin_again = forms.CharField(
        label=_("The same PIN again"), min_length=6, max_length=6,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password",
                                          "pattern": "[0-9]{6}"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("pin") and data.get("pin_again") and data["pin"] != data["pin_again"]:
            self.add_error("pin_again", "the two PINs are not the same")
        return data

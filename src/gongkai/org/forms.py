from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongkai.core.choices import Role

from .choices import UnitKind
from .models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.code}）"


class GrantRoleForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    title = forms.CharField(label=pgettext_lazy("role", "Title"), max_length=60, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class MoveUnitForm(forms.Form):
    new_parent = UnitChoiceField(label=_("New parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = units if units is not None else Unit.objects.none()


class AddUnitForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)


class ImportForm(forms.Form):
    KIND_CHOICES = [("people", _("People")), ("units", _("Units"))]
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES, initial="people")
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    full = forms.BooleanField(
        label=_("Full import: deactivate people of the units I manage who are missing from the file"),
        required=False,
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    posts = forms.CharField(label=_("Posts"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()

    def clean_phone(self) -> str:
        from .validators import normalize_phone

        return normalize_phone(self.cleaned_data["phone"])

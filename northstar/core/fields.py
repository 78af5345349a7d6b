"""A model field whose value is sealed at rest and only opened on purpose.

Loading a row never decrypts: the attribute holds a ``Sealed`` value that
prints as a mask. Opening it is ``sealed.reveal()``, which actions call after
asking the access policy and writing the audit entry — so a template or a log
line cannot leak personal data by accident.
"""

from __future__ import annotations

from django.db import models

from northstar.core import crypto
from northstar.core.crypto import keyring
from northstar.core.keys import ensure_writable

MASK = "•••"


class Sealed:
    __slots__ = ("token", "context")

    def __init__(self, token: str, context: str):
        self.token = token
        self.context = context

    def reveal(self) -> str:
        return keyring().open(self.token, self.context)

    def __str__(self) -> str:
        return MASK

    __repr__ = __str__

    def __eq__(self, other) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


class EncryptedTextField(models.TextField):
    """Assign plain text (or ``""`` for none); it is sealed when saved.

    Sealing first proves the key ring is this database's (``core/keys.py``):
    a wrong key refuses the write instead of sealing what no one could open.
    """

    sealed = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return Sealed(value, self.context)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return ""
        if isinstance(value, Sealed):
            return value.token
        return ensure_writable().seal(str(value), self.context)


def reveal(value) -> str:
    """Plain text of a sealed attribute, or of one just assigned and not yet saved."""
    if isinstance(value, Sealed):
        return value.reveal()
    return value or ""



def seal_plaintext(app_label: str, model_name: str, *field_names: str):
    """A ``RunPython`` step sealing rows written before a column was sealed (see
    ``seal_stored_plaintext``)."""

    def forward(apps, schema_editor):
        seal_stored_plaintext(schema_editor.connection, apps.get_model(app_label, model_name),
                              *field_names)

    return forward


def seal_stored_plaintext(connection, model, *field_names: str) -> int:
    """Seal plaintext already stored in ``field_names`` of ``model``; returns how many values.

    It reads the raw column (so no ``Sealed`` wrapping) and writes the token the field itself
    would write, under the same context; values already sealed (``ns1.`` tokens) are left
    alone, so running it twice is harmless.
    """
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    context_of = f"{model._meta.label_lower}."
    sealed = 0
    with connection.cursor() as cursor:
        for name in field_names:
            column = quote(model._meta.get_field(name).column)
            cursor.execute(f"SELECT {pk}, {column} FROM {table}")  # noqa: S608 - model names
            plain = [(row_pk, value) for row_pk, value in cursor.fetchall()
                     if value and not value.startswith(f"{crypto.PREFIX}.")]
            if not plain:
                continue
            ring = ensure_writable()
            for row_pk, value in plain:
                cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                               [ring.seal(value, context_of + name), row_pk])
            sealed += len(plain)
    return sealed

"""The birth year of every survivor with a date of birth is that date's year.

``Survivor.is_child`` now trusts the unsealed birth year when it settles the answer, and
opens the sealed date of birth only in the year a survivor may turn 18; that relies on the
two agreeing. Create, import and the API always kept them equal, but an update that changed
the birth year alone could leave it apart from a date of birth recorded earlier. Here any
such row takes the year of its date of birth (the date was what every age was worked out
from, so no answer changes). Rows without a date of birth are untouched.
"""

from django.db import migrations


def birth_year_from_date_of_birth(apps, schema_editor):
    from northstar.core.fields import reveal

    survivor = apps.get_model("survivors", "Survivor")
    rows = (survivor._base_manager.using(schema_editor.connection.alias)
            .exclude(date_of_birth="").only("id", "birth_year", "date_of_birth")
            .order_by("id"))
    for row in rows.iterator(chunk_size=2000):
        text = reveal(row.date_of_birth)
        if text and row.birth_year != int(text[:4]):
            survivor._base_manager.using(schema_editor.connection.alias).filter(
                pk=row.pk).update(birth_year=int(text[:4]))


class Migration(migrations.Migration):

    dependencies = [("survivors", "0014_case_live_survivors_index")]

    operations = [
        migrations.RunPython(birth_year_from_date_of_birth, migrations.RunPython.noop,
                             elidable=True),
    ]

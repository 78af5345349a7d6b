# Case.organisation required, and the list indexes (issue 13): one organisation's live
# records newest first, so the caseload and the API lists read one index range.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('survivors', '0005_case_organisation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='organisation',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['organisation', 'archived_at', '-created_at', '-id'], name='case_org_live_recent'),
        ),
        migrations.AddIndex(
            model_name='survivor',
            index=models.Index(fields=['organisation', 'archived_at', '-created_at', '-id'], name='survivor_org_live_recent'),
        ),
    ]

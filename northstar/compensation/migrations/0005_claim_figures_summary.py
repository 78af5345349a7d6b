"""Each claim's summary for the figures (issue 13): what it has received, its first and last
payment days, its last active instalment's due day, and on each instalment whether it was
covered by its due day; filled in SQL from the payments and schedules already recorded.
The same recomputation as ``compensation.summary`` (copied: a migration keeps its own), so
running it again changes nothing."""

from django.db import migrations, models

CLAIMS_SQL = """
UPDATE compensation_claim SET
    received_total = COALESCE((SELECT SUM(p.amount) FROM compensation_payment p
                                WHERE p.claim_id = compensation_claim.id), 0),
    first_paid_on = (SELECT MIN(p.received_on) FROM compensation_payment p
                      WHERE p.claim_id = compensation_claim.id),
    last_paid_on = (SELECT MAX(p.received_on) FROM compensation_payment p
                     WHERE p.claim_id = compensation_claim.id),
    last_due_on = (SELECT MAX(i.due_on) FROM compensation_instalment i
                    WHERE i.claim_id = compensation_claim.id AND i.superseded_at IS NULL)
"""

INSTALMENTS_SQL = """
UPDATE compensation_instalment SET covered_on_time = (
    compensation_instalment.superseded_at IS NULL
    AND COALESCE((SELECT SUM(p.amount) FROM compensation_payment p
                   WHERE p.claim_id = compensation_instalment.claim_id
                     AND p.received_on <= compensation_instalment.due_on), 0)
        >= (SELECT SUM(j.amount) FROM compensation_instalment j
             WHERE j.claim_id = compensation_instalment.claim_id AND j.superseded_at IS NULL
               AND (j.due_on < compensation_instalment.due_on
                    OR (j.due_on = compensation_instalment.due_on
                        AND (j.amount < compensation_instalment.amount
                             OR (j.amount = compensation_instalment.amount
                                 AND j.id <= compensation_instalment.id))))))
"""


class Migration(migrations.Migration):

    dependencies = [
        ("compensation", "0004_alert_due_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="received_total",
            field=models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=16),
        ),
        migrations.AddField(
            model_name="claim",
            name="first_paid_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="claim",
            name="last_paid_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="claim",
            name="last_due_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="instalment",
            name="covered_on_time",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunSQL(CLAIMS_SQL, migrations.RunSQL.noop),
        migrations.RunSQL(INSTALMENTS_SQL, migrations.RunSQL.noop),
    ]

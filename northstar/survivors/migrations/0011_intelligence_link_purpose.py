from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('survivors', '0010_alter_consent_purpose'),
    ]

    operations = [
        migrations.AlterField(
            model_name='consent',
            name='purpose',
            field=models.CharField(choices=[('case_management', 'Case management'), ('referral', 'Referral to a named organisation'), ('statistics', 'Anonymous statistics'), ('research', 'Research'), ('law_enforcement_sharing', 'Sharing with law enforcement'), ('advocacy', 'Advocacy'), ('engagement', 'Engagement (councils, training, peer support, consultations)'), ('intelligence_link', 'Linking a report of what she knows to her case')], max_length=32),
        ),
    ]

"""The per-agent daily call summary (TEL-4), backfilled from the calls already logged.

The backfill is one grouped aggregation of the calls (and one of the approved corrections), written
with bulk inserts: at 10M calls it reads the calls once and writes a few tens of thousands of rows.
``manage.py telesales_summary`` recomputes the same rows later if ever needed.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

NOT_CONNECTED = ("no_answer", "busy", "wrong_number")
INTENT = ("intent_a", "intent_b", "intent_c", "appointment", "deal")


def backfill(apps, schema_editor):
    CallLog = apps.get_model("telesales", "CallLog")
    CallCorrection = apps.get_model("telesales", "CallCorrection")
    AgentDay = apps.get_model("telesales", "AgentDay")
    using = schema_editor.connection.alias
    tz = timezone.get_default_timezone()

    def grouped(calls):
        return calls.annotate(local_day=TruncDate("started_at", tzinfo=tz)).values(
            "agent_id", "department_id", "local_day"
        )

    calls = CallLog.objects.using(using).all()
    rows = {}
    for r in grouped(calls).annotate(
        n=Count("pk"),
        talk=Sum("duration_seconds"),
        conn=Count("pk", filter=~Q(outcome__in=NOT_CONNECTED)),
        intent=Count("pk", filter=Q(outcome__in=INTENT)),
        deal=Count("pk", filter=Q(outcome="deal")),
    ).order_by():
        rows[(r["agent_id"], r["department_id"], r["local_day"])] = AgentDay(
            agent_id=r["agent_id"],
            department_id=r["department_id"],
            day=r["local_day"],
            calls=r["n"],
            talk_seconds=r["talk"] or 0,
            connected=r["conn"],
            intents=r["intent"],
            deals=r["deal"],
        )
    approved = CallCorrection.objects.using(using).filter(status="approved").values("call_id")
    for r in grouped(calls.filter(pk__in=approved)).annotate(n=Count("pk")).order_by():
        rows[(r["agent_id"], r["department_id"], r["local_day"])].corrected = r["n"]
    AgentDay.objects.using(using).bulk_create(rows.values(), batch_size=5000)


def unfill(apps, schema_editor):
    pass  # the table is dropped by the reverse of CreateModel


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_role_catalog_granted'),
        ('telesales', '0003_call_period_statistics'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AgentDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('calls', models.PositiveIntegerField(default=0, verbose_name='calls')),
                ('talk_seconds', models.PositiveBigIntegerField(default=0, verbose_name='talk time (seconds)')),
                ('connected', models.PositiveIntegerField(default=0, verbose_name='connected')),
                ('intents', models.PositiveIntegerField(default=0, verbose_name='intents')),
                ('deals', models.PositiveIntegerField(default=0, verbose_name='deals')),
                ('corrected', models.PositiveIntegerField(default=0, verbose_name='corrected calls')),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='department')),
            ],
            options={
                'verbose_name': 'agent day',
                'verbose_name_plural': 'agent days',
                'ordering': ['day', 'agent'],
                'indexes': [models.Index(fields=['day', 'agent'], name='telesales_agentday_day_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('agent', 'department', 'day'), name='telesales_agentday_one_per_department'), models.UniqueConstraint(condition=models.Q(('department__isnull', True)), fields=('agent', 'day'), name='telesales_agentday_one_without_department')],
            },
        ),
        migrations.RunPython(backfill, unfill, elidable=True),
    ]

"""Search helpers: the short-term token field, and on PostgreSQL the indexes that serve search.

pg_trgm GIN indexes serve LIKE '%term%' for terms of three or more characters; a GIN index on
string_to_array(search_tokens, ' ') serves one- and two-character terms (e.g. 建国), which trigram
indexes cannot. SQLite (the embedded default) searches with plain LIKE and gets no index here.
"""

from django.db import migrations, models

TRGM_COLUMNS = ["name_normalized", "phone_normalized", "name_pinyin", "name_initials"]

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS cust_{column}_trgm ON customers_customer USING gin ({column} gin_trgm_ops)"
        for column in TRGM_COLUMNS
    ),
    "CREATE INDEX IF NOT EXISTS cust_tokens_gin ON customers_customer USING gin (string_to_array(search_tokens, ' '))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS cust_tokens_gin",
    *(f"DROP INDEX IF EXISTS cust_{column}_trgm" for column in TRGM_COLUMNS),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="search_tokens",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["name_pinyin", "id"], name="cust_pinyin_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["last_served_at", "id"], name="cust_served_idx"),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]

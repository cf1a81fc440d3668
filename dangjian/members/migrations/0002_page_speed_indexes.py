"""A covering index for the organization page's member counts (orgs.selectors.org_counts).

The counts read status, sex, education, birth date and the mobile / lost-contact flags of every
on-roster member of a subtree: 13,000-20,000 rows for a county. Read from the table, those are
random row reads and most of the page's time; with every column in the index (behind org_id and
status, which the subtree join looks up) SQLite and PostgreSQL answer from the index alone.

Plain SQL, understood alike by both engines, rather than Member.Meta.indexes, which belong to the
members app's owners: moving it there later is a state-only change (same name, same columns).
"""

from django.db import migrations

INDEX = "members_member_counts_idx"
COLUMNS = "org_id, status, sex, education, birth_date, is_mobile, is_lost_contact"


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {INDEX} ON members_member ({COLUMNS})",
            reverse_sql=f"DROP INDEX {INDEX}",
            elidable=False,
        ),
    ]

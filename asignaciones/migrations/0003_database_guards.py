"""Rules the database itself enforces, beyond what Django's fields can say."""

from django.db import migrations

CREW_SAME_DISTRIBUTOR = """
ALTER TABLE asignaciones_order
    ADD CONSTRAINT order_crew_same_distributor_fk
    FOREIGN KEY (crew_id, distributor_id)
    REFERENCES cuadrillas_crew (id, distributor_id)
    DEFERRABLE INITIALLY IMMEDIATE;
"""

EVENTS_APPEND_ONLY = """
CREATE FUNCTION asignaciones_orderevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'order events are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER orderevent_append_only
    BEFORE UPDATE OR DELETE ON asignaciones_orderevent
    FOR EACH ROW EXECUTE FUNCTION asignaciones_orderevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("asignaciones", "0002_initial"),
        ("cuadrillas", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            CREW_SAME_DISTRIBUTOR,
            "ALTER TABLE asignaciones_order DROP CONSTRAINT order_crew_same_distributor_fk;",
        ),
        migrations.RunSQL(
            EVENTS_APPEND_ONLY,
            "DROP TRIGGER orderevent_append_only ON asignaciones_orderevent;"
            "DROP FUNCTION asignaciones_orderevent_append_only();",
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# Written by hand around what makemigrations wrote: the audit log's actor and device lose
# their foreign-key constraints (an event keeps naming a deleted device; a login's insert
# locks no parent row). Tortoise's own AlterField does nothing to the constraint on
# PostgreSQL, and on SQLite rebuilds the table keeping a REFERENCES clause and dropping
# its index; so the state changes as makemigrations wrote it, and the database as below.

_SQLITE = [
    'CREATE TABLE "audit_log_new" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"organisation_id" BIGINT REFERENCES "organisation" ("id") ON DELETE CASCADE, "type" VARCHAR(64) NOT NULL, '
    '"actor_id" BIGINT, "device_id" BIGINT, "ip_address" VARCHAR(45), "data" JSON NOT NULL, '
    '"created_at" TIMESTAMP NOT NULL)',
    'INSERT INTO "audit_log_new" ("id", "organisation_id", "type", "actor_id", "device_id", "ip_address", "data", '
    '"created_at") SELECT "id", "organisation_id", "type", "actor_id", "device_id", "ip_address", "data", '
    '"created_at" FROM "audit_log"',
    # Event IDs are never reused, even those of events deleted with their organisation.
    "DELETE FROM sqlite_sequence WHERE name = 'audit_log_new'",
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_log_new', seq FROM sqlite_sequence WHERE name = 'audit_log'",
    'DROP TABLE "audit_log"',
    'ALTER TABLE "audit_log_new" RENAME TO "audit_log"',
    'CREATE INDEX "idx_audit_log_organis_416aed" ON "audit_log" ("organisation_id", "id")',
]
# Found by column, not by name: whatever named them, no such constraint is left.
_POSTGRES = ["""DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT DISTINCT con.conname FROM pg_constraint con
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
      WHERE con.conrelid = 'audit_log'::regclass AND con.contype = 'f' AND a.attname IN ('actor_id', 'device_id')
  LOOP
    EXECUTE format('ALTER TABLE audit_log DROP CONSTRAINT %I', c.conname);
  END LOOP;
END $$"""]


class StateOnly(ops.AlterField):
    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


async def drop_constraints(apps, schema_editor) -> None:
    sqlite = schema_editor.client.capabilities.dialect == "sqlite"
    for sql in _SQLITE if sqlite else _POSTGRES:
        await schema_editor._run_sql(sql)


class Migration(migrations.Migration):
    dependencies = [('models', '0004_device_pin_throttle')]

    initial = False

    operations = [
        StateOnly(
            model_name='AuditLog',
            name='actor',
            field=fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=False, to_field='id', related_name='audit_log', on_delete=OnDelete.NO_ACTION),
        ),
        StateOnly(
            model_name='AuditLog',
            name='device',
            field=fields.ForeignKeyField('models.Device', source_field='device_id', null=True, db_constraint=False, to_field='id', related_name='audit_log', on_delete=OnDelete.NO_ACTION),
        ),
        ops.RunPython(drop_constraints),
    ]

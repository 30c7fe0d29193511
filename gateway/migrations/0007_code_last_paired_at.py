from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_throttle_events')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ConnectionCode',
            name='last_paired_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Written by hand: codes that paired devices before the upgrade say when, as far as the
        # devices still there tell.
        ops.RunSQL([
            'UPDATE "connection_code" SET "last_paired_at" = (SELECT MAX(d."created_at") FROM "device" d '
            'WHERE d."paired_with_id" = "connection_code"."id")',
        ]),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_device_page_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Device',
            name='pin_failures',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Device',
            name='pin_locked_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Device',
            name='pin_window_start',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterModelOptions(
            name='Throttle',
            options={'table': 'throttle', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Failed attempts per key ("password:user:<name>", "pair:address:<addr>"…), shared by all processes.'},
        ),
        # Written by hand: a PIN lock in force when the gateway is upgraded stays in force.
        ops.RunSQL([
            'UPDATE "device" SET "pin_failures" = t."failures", "pin_window_start" = t."window_start", '
            '"pin_locked_until" = t."locked_until" FROM "throttle" t WHERE t."key" = \'pin:device:\' || "device"."token_hash"',
            'DELETE FROM "throttle" WHERE "key" LIKE \'pin:device:%\'',
        ]),
    ]

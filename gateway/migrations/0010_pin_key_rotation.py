from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_device_offline_at')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='pin_key_id',
            field=fields.CharField(null=True, max_length=8),
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_users_soft_delete_and_throttles')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Device',
            index=Index(fields=['organisation_id', 'id']),
        ),
    ]

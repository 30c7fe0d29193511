from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_code_last_paired_at')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Override',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='overrides', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=64)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('device', fields.ForeignKeyField('models.Device', source_field='device_id', null=True, db_constraint=True, to_field='id', related_name='overrides', on_delete=OnDelete.SET_NULL)),
                ('session', fields.ForeignKeyField('models.Session', source_field='session_id', null=True, db_constraint=True, to_field='id', related_name='overrides', on_delete=OnDelete.SET_NULL)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='overrides_requested', on_delete=OnDelete.CASCADE)),
                ('approved_by', fields.ForeignKeyField('models.User', source_field='approved_by_id', db_constraint=True, to_field='id', related_name='overrides_approved', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('redeemed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('redeemed_by', fields.ForeignKeyField('models.User', source_field='redeemed_by_id', null=True, db_constraint=True, to_field='id', related_name='overrides_redeemed', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'override', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'id'])], 'pk_attr': 'id', 'table_description': "A manager's approval of one restricted action on a register, redeemable once."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Device',
            name='app_version',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Organisation',
            name='session_lock_minutes',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Session',
            name='locked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]

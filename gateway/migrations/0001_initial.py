from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from gateway.models import AuthMethod, DeviceState, LoginMethod, Role
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Organisation',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('pin_login_enabled', fields.BooleanField(default=False)),
                ('session_idle_minutes', fields.IntField(default=15)),
                ('session_max_hours', fields.IntField(default=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organisation', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Configuration',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='configurations', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'configuration', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'name'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.CASCADE)),
                ('username', fields.CharField(unique=True, max_length=150)),
                ('display_name', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(description='ADMIN: ADMIN\nMANAGER: MANAGER\nSTAFF: STAFF', enum_type=Role, max_length=16)),
                ('login_method', fields.CharEnumField(default=LoginMethod.PASSWORD, description='PASSWORD: PASSWORD\nPASSWORD_AND_PIN: PASSWORD_AND_PIN\nPIN_ONLY: PIN_ONLY', enum_type=LoginMethod, max_length=24)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('pin_hmac', fields.CharField(null=True, unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'app_user', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ConnectionCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='connection_codes', on_delete=OnDelete.CASCADE)),
                ('value', fields.CharField(max_length=64)),
                ('lookup_value', fields.CharField(null=True, unique=True, max_length=64)),
                ('description', fields.CharField(max_length=200)),
                ('device_type', fields.CharField(max_length=64)),
                ('configuration', fields.ForeignKeyField('models.Configuration', source_field='configuration_id', db_constraint=True, to_field='id', related_name='connection_codes', on_delete=OnDelete.RESTRICT)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('single_use', fields.BooleanField(default=False)),
                ('use_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_codes', on_delete=OnDelete.SET_NULL)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_by', fields.ForeignKeyField('models.User', source_field='revoked_by_id', null=True, db_constraint=True, to_field='id', related_name='revoked_codes', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'connection_code', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'id']), Index(fields=['configuration_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Device',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(default='', max_length=200)),
                ('device_type', fields.CharField(max_length=64)),
                ('state', fields.CharEnumField(default=DeviceState.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nREVOKED: REVOKED', enum_type=DeviceState, max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('configuration', fields.ForeignKeyField('models.Configuration', source_field='configuration_id', null=True, db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.SET_NULL)),
                ('paired_with', fields.ForeignKeyField('models.ConnectionCode', source_field='paired_with_id', null=True, db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.SET_NULL)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.ForeignKeyField('models.User', source_field='approved_by_id', null=True, db_constraint=True, to_field='id', related_name='approved_devices', on_delete=OnDelete.SET_NULL)),
                ('approval_suppressed', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'device', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'state', 'id']), Index(fields=['paired_with_id', 'id']), Index(fields=['configuration_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='audit_log', on_delete=OnDelete.CASCADE)),
                ('type', fields.CharField(max_length=64)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_log', on_delete=OnDelete.SET_NULL)),
                ('device', fields.ForeignKeyField('models.Device', source_field='device_id', null=True, db_constraint=True, to_field='id', related_name='audit_log', on_delete=OnDelete.SET_NULL)),
                ('ip_address', fields.CharField(null=True, max_length=45)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_log', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('device', fields.ForeignKeyField('models.Device', source_field='device_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.SET_NULL)),
                ('method', fields.CharEnumField(description='PASSWORD: PASSWORD\nPIN: PIN', enum_type=AuthMethod, max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('ip_address', fields.CharField(null=True, max_length=45)),
                ('user_agent', fields.CharField(default='', max_length=400)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('end_reason', fields.CharField(null=True, max_length=32)),
            ],
            options={'table': 'session', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'id']), Index(fields=['device_id', 'id']), Index(fields=['user_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]

"""The two device types every installation has."""

from gateway.plugin_types import DeviceTypeSpec, hookimpl


@hookimpl
def register_device_types():
    return [
        DeviceTypeSpec(
            key="POS",
            label="POS device",
            supports_pin_login=True,
            description="A register that staff log in to.",
        ),
        DeviceTypeSpec(
            key="CUSTOMER_DISPLAY",
            label="Customer display",
            supports_pin_login=False,
            description="A screen facing the customer; nobody logs in on it.",
        ),
    ]

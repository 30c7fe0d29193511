"""A screen in the kitchen that shows orders: pairable, but nobody logs in on it."""

from gateway import DeviceTypeSpec, hookimpl


@hookimpl
def register_device_types():
    return [
        DeviceTypeSpec(
            key="KITCHEN_DISPLAY",
            label="Kitchen display",
            supports_pin_login=False,
            description="Shows incoming orders to the kitchen; no one logs in on it.",
        )
    ]

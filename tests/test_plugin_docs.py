"""docs/plugins.md documents every hookspec with its exact signature and docstring."""

import inspect
import re
from pathlib import Path

from gateway import hookspecs

DOC = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text()


def _specs():
    return [f for _, f in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(f, "pairgate_spec")]


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_hookspec_is_documented_with_its_signature_and_docstring():
    specs = _specs()
    assert {f.__name__ for f in specs} == {"register_device_types", "register_override_actions", "pin_rules",
                                           "validate_pin", "generate_connection_code", "on_audit_event"}
    headings = re.findall(r"^### `(\w+)\(([^)]*)\)`$", DOC, flags=re.M)
    documented = {name: args for name, args in headings}
    for spec in specs:
        signature = ", ".join(inspect.signature(spec).parameters)
        assert documented.get(spec.__name__) == signature, f"docs/plugins.md: ### `{spec.__name__}({signature})`"
        assert _words(inspect.getdoc(spec)) in _words(DOC), f"docs/plugins.md must quote the docstring of {spec.__name__}"


def test_the_documented_example_plugin_is_under_15_lines():
    example = DOC.split("`pairgate_self_order.py`:", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert len(example.strip().splitlines()) < 15
    namespace: dict = {}
    exec(compile(example, "pairgate_self_order.py", "exec"), namespace)
    assert namespace["validate_pin"]("02468", None) == ["No PIN may start with 0 here."]


def test_the_documented_override_action_loads():
    from gateway.plugins import get_plugin_manager
    from gateway.services.runtime import collect_override_actions

    example = DOC.split("### `register_override_actions()`", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(example, "price_override.py", "exec"), namespace)
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(type("Example", (), {"register_override_actions": staticmethod(namespace["register_override_actions"])})())
    assert collect_override_actions(pm)["PRICE_OVERRIDE"].approver_roles == ("ADMIN",)

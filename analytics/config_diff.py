"""Compare JSON configs of several versions key by key."""
from __future__ import annotations

import json
from typing import Any, Mapping

import pandas as pd

MISSING = "∅"  # shown where a version has no such key


def flatten(config: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}, "c": [1, 2]} -> {"a.b": 1, "c": [1, 2]}. Lists stay whole values."""
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            return {prefix or "(value)": config}
    if isinstance(config, Mapping):
        flat: dict[str, Any] = {}
        for key in sorted(config):
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten(config[key], name))
        if not config and prefix:
            flat[prefix] = {}
        return flat
    return {prefix or "(value)": config}


def config_diff(configs: Mapping[str, Any], only_differences: bool = False) -> pd.DataFrame:
    """One row per flattened key, one column per version (in the given order), plus `differs`.

    Values are shown as compact JSON so 1 and "1" and 1.0 stay distinguishable.
    """
    flat = {version: flatten(config) for version, config in configs.items()}
    keys = sorted({key for values in flat.values() for key in values})
    rows = []
    for key in keys:
        shown = {version: (json.dumps(values[key], sort_keys=True) if key in values else MISSING)
                 for version, values in flat.items()}
        rows.append({"key": key, **shown, "differs": len(set(shown.values())) > 1})
    frame = pd.DataFrame(rows, columns=["key", *configs.keys(), "differs"])
    if only_differences:
        frame = frame[frame["differs"]].reset_index(drop=True)
    return frame

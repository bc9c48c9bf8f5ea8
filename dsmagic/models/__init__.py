"""Models: a registry of named, versioned models with aliases; model cards; and
scikit-learn autologging."""

from __future__ import annotations

from dsmagic.models._autolog import autolog
from dsmagic.models._card import ModelCard, model_card
from dsmagic.models._registry import (
    RegisteredVersion,
    delete_alias,
    get_model_version,
    list_models,
    load_model,
    model_versions,
    register_model,
    set_alias,
)
from dsmagic.models._save import log_model

__all__ = [
    "ModelCard",
    "RegisteredVersion",
    "autolog",
    "delete_alias",
    "get_model_version",
    "list_models",
    "load_model",
    "log_model",
    "model_card",
    "model_versions",
    "register_model",
    "set_alias",
]

"""Frozen records declared like dataclasses, without compiling code at import.

Python 3.11 and 3.12 compile each method a dataclass is given on its own when its module is
imported: about 0.6 ms for a frozen class, and what the first screen needs made dozens of them
before anything was painted. A ``Record`` subclass declares its fields as annotations, exactly
as a frozen dataclass does, and gets the same behaviour from methods written once here: built
from its fields by position or keyword (a field given a value in the class body is optional),
equal to a record of the same type with equal fields, hashable, readable in a ``repr``,
matched by position in a ``match`` statement, and unchangeable. Building one costs about twice
a dataclass's (under a microsecond): what is made in bulk (a conversation's messages) stays a
dataclass, as does a class whose defaults are made per instance or that others read with
``dataclasses.fields`` (the settings).
"""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, dataclass_transform

__all__ = ["Record"]


@dataclass_transform(frozen_default=True)
class Record:
    """A frozen record whose fields are the annotations of its class, in order; a field
    given a value in the class body is optional, with that value (immutable ones only)."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls) -> None:
        # A record of a record has its parent's fields, then its own.
        declared = [name for name in inspect.get_annotations(cls)
                    if name not in Record.__annotations__]
        fields = (*cls._fields, *(name for name in declared if name not in cls._fields))
        cls._fields = cls.__match_args__ = fields  # type: ignore[misc]
        # A field declared again may be given another default.
        cls._defaults = {**cls._defaults, **{name: cls.__dict__[name] for name in declared
                                             if name in cls.__dict__}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if not kwargs and len(args) == len(fields):  # the common case, made quickly
            object.__setattr__(self, "__dict__", dict(zip(fields, args, strict=True)))
            return
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, "
                            f"{len(args)} were given")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields or name in values:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {name!r}")
            values[name] = value
        for name in fields:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__} is missing field {name!r}")
                values[name] = self._defaults[name]
        object.__setattr__(self, "__dict__", values)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({shown})"

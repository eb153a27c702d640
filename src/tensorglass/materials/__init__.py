"""Built-in glasses with provenance, and users' materials files."""

from ._table import Material, builtin_materials, get_material, load_materials_file

__all__ = ["Material", "builtin_materials", "get_material", "load_materials_file"]

"""Griffe extension for the documentation site: the docstrings' Sphinx roles
(``:func:`name```, ``:class:``, ``:mod:``, ``:data:``, ``:meth:``, ``:attr:``) become
cross-references of the API reference.

A role whose target is documented on an API page (a public member of a module
named by a ``::: module`` line in ``docs/api/*.md``) becomes a link, which
mkdocs-autorefs then resolves (an unresolved link fails the strict build).  A
target that exists in the package but is private (``_atomic``, a numba kernel)
is printed as code.  A target that does not exist at all is a warning, so the
strict build fails on a stale or mistyped reference.  Two more differences of
reStructuredText and Markdown are bridged: a paragraph's closing ``::`` (literal
block) becomes ``:``, and ``a*b`` stays a product instead of opening emphasis.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import griffe

log = logging.getLogger("mkdocs.plugins.tensorglass.docstrings")

ROLE = re.compile(r":(func|class|mod|data|meth|attr|obj|exc):`([^`]+)`")


def _resolve(obj):
    seen = 0
    while isinstance(obj, griffe.Alias) and seen < 20:
        try:
            obj = obj.final_target
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return None
        seen += 1
    return obj


def _lookup(root, path):
    parts = path.split(".")
    if parts[0] != root.name:
        return None
    obj = root
    for part in parts[1:]:
        obj = _resolve(obj)
        if obj is None or part not in obj.members:
            return None
        obj = obj.members[part]
    return _resolve(obj)


CODE_SPAN = re.compile(r"(``.+?``|`[^`]+`)", re.S)


def _escape_intraword_stars(text: str) -> str:
    """``K = L*L*(L//2+1)`` written without backquotes: in reStructuredText an
    asterisk between two word characters is a multiplication, in Markdown it
    opens emphasis.  Escapes those (outside code spans); ``*word*`` stays emphasis."""
    parts = CODE_SPAN.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"(?<=[\w)\]])\*+(?=[\w(\[])", lambda m: "\\*" * len(m.group(0)), parts[i])
    return "".join(parts)


class RoleLinks(griffe.Extension):
    def __init__(self, api_dir: str = "docs/api"):
        super().__init__()
        self.documented = []
        for page in sorted(Path(api_dir).glob("*.md")):
            self.documented += re.findall(r"^:::\s+(\S+)", page.read_text(encoding="utf-8"), re.M)

    def on_package(self, *, pkg, **kwargs):
        public = self._public_paths(pkg)
        for obj in self._walk(pkg):
            doc = obj.docstring
            if doc is None or not doc.value:
                continue
            doc.value = ROLE.sub(lambda m: self._replace(m, obj, pkg, public), doc.value)
            doc.value = re.sub(r"(?<=\S)::(?=\s*\n\s*\n)", ":", doc.value)   # RST literal-block marker
            doc.value = _escape_intraword_stars(doc.value)

    # every object of the package that carries its own docstring
    def _walk(self, obj):
        yield obj
        for member in list(obj.members.values()):
            if isinstance(member, griffe.Alias):
                continue
            yield from self._walk(member)

    def _public_paths(self, pkg):
        """canonical path -> the path under which the API reference shows it"""
        out = {}
        for mod_path in self.documented:
            mod = _lookup(pkg, mod_path)
            if mod is None:
                continue
            out.setdefault(mod.path, mod_path)
            for name, member in mod.members.items():
                if name.startswith("_") or not member.is_public:
                    continue
                target = _resolve(member)
                if target is None:
                    continue
                out.setdefault(target.path, f"{mod_path}.{name}")
                if target.is_class:
                    for sub in target.members:
                        if not sub.startswith("_"):
                            out.setdefault(f"{target.path}.{sub}", f"{mod_path}.{name}.{sub}")
        return out

    def _replace(self, m, obj, pkg, public):
        raw = m.group(2).strip()
        short = raw.startswith("~")
        target = raw.lstrip("~!")
        shown = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        found = None
        for cand in self._candidates(target, obj, pkg):
            found = _lookup(pkg, cand)
            if found is not None:
                break
        if found is None:
            log.warning("%s: the docstring's reference %s names nothing in %s", obj.path, m.group(0), pkg.name)
            return f"`{shown}`"
        where = public.get(found.path)
        return f"[`{shown}`][{where}]" if where else f"`{shown}`"

    @staticmethod
    def _candidates(target, obj, pkg):
        mod = obj if obj.is_module else obj.module
        if target.startswith("."):
            base = mod if mod.is_init_module else mod.parent
            up = len(target) - len(target.lstrip("."))
            for _ in range(up - 1):
                base = base.parent
            yield f"{base.path}.{target.lstrip('.')}"
            return
        if target.split(".")[0] == pkg.name:
            yield target
            return
        scope = obj
        while scope is not None:          # the object itself, its class, its module, the packages above
            yield f"{scope.path}.{target}"
            scope = scope.parent

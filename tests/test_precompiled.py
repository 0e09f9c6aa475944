"""The bundled wording compiled ahead (precompiled.py, wording.json): in step with the
templates, and the same briefs as compiling them at run time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from make_brief.compose import precompiled, templates
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "offer.yaml"


def build() -> dict[str, str]:
    """Every bundled section template's generated Python, by key, as the brief's wording
    environment makes it (what wording.json must hold)."""
    from make_brief.compose.sandbox import environment
    from make_brief.files.resources import templates_dir

    folder = templates_dir() / "default"
    env = environment([folder])
    found = {}
    for path in sorted((folder / "sections").glob("*.j2")):
        name = f"sections/{path.name}"
        source = path.read_text(encoding="utf-8")
        found[precompiled.key(env, name, source)] = env.compile(source, name, str(path), raw=True)
    return found


if __name__ == "__main__" and "--update" in sys.argv:  # the generated file, written anew
    from make_brief.files.output import write_atomic

    print(write_atomic(precompiled.FILE, (json.dumps(build(), indent=0, sort_keys=True) + "\n").encode()))


def test_the_compiled_wording_is_in_step_with_the_bundled_templates():
    stored = json.loads(precompiled.FILE.read_text(encoding="utf-8"))
    assert stored == build(), "a bundled template or Jinja changed: python tests/test_precompiled.py --update"


def test_a_brief_is_the_same_with_its_wording_compiled_ahead_or_now(monkeypatch):
    templates._CACHE.clear()
    ahead = make_pdf(load_offer(EXAMPLE)).pdf
    used = []
    real = precompiled.generated
    monkeypatch.setattr(precompiled, "generated", lambda *a: used.append(a[1]) or real(*a))
    templates._CACHE.clear()
    assert make_pdf(load_offer(EXAMPLE)).pdf == ahead
    assert "sections/cover.j2" in used and all(real(*_args(n)) for n in ["sections/cover.j2"])
    monkeypatch.setattr(precompiled, "generated", lambda *a: None)
    templates._CACHE.clear()
    assert make_pdf(load_offer(EXAMPLE)).pdf == ahead
    templates._CACHE.clear()


def _args(name: str) -> tuple:
    template = templates.load_template(None)
    source, _, _ = template.env.loader.get_source(template.env, name)
    return template.env, name, source


def test_an_edited_template_is_compiled_from_its_own_source(tmp_path):
    folder = tmp_path / "mine" / "sections"
    folder.mkdir(parents=True)
    bundled = Path(templates.templates_dir()) / "default" / "sections" / "cover.j2"
    (folder / "cover.j2").write_text(bundled.read_text(encoding="utf-8") + "\nEdited here.\n")
    template = templates.load_template(tmp_path / "mine")
    source, _, _ = template.env.loader.get_source(template.env, "sections/cover.j2")
    assert precompiled.generated(template.env, "sections/cover.j2", source) is None
    templates._CACHE.clear()

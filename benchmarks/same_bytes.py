"""Reference outputs and their sha256, to show that a change to the code's shape is a pure move.

    python benchmarks/same_bytes.py OUT          # makes every output under OUT, prints name + sha256

Run it before and after a change, with the same OUT (the manifests hold the output folder's
paths), and compare the printed lines: identical lines mean byte-identical briefs, counter
drafts, .eml files and manifests. SOURCE_DATE_EPOCH is set to 1795000000 (2026-11-18), as in
the tests, and the send journal goes to a folder under OUT, never the user's own.

The offers: the bundled example in each bundled template, and the shapes tests/conftest.py
builds: back-loaded vesting, a competing offer by its parts, a cliff, a past deadline with a
recruiter's e-mail (and its counter draft), and a CSV batch with .eml files and a manifest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
EXE = (
    str(BIN / "make-brief") if (BIN / "make-brief").exists() else (shutil.which("make-brief") or "make-brief")
)

BASE = {
    "candidate": {"name": "Jane Doe", "email": "jane@example.com"},
    "guide": "segment-engineering-manager",
    "region": "San Francisco",
    "offer": {"currency": "USD", "base": 210000, "stock": 180000, "stock_years": 4, "bonus_pct": 15},
}
DATABRICKS = {
    "company": "Databricks",
    "currency": "USD",
    "base": 230000,
    "stock": 400000,
    "stock_years": 4,
    "vesting": [25, 25, 25, 25],
    "bonus_pct": 10,
    "sign_on": 50000,
}
LONDON = {"currency": "GBP", "base": 160000, "stock": 150000, "stock_years": 4, "bonus_pct": 15}
BOE = {"from": "USD", "to": "GBP", "rate": 0.79, "date": "2026-11-10", "source": "Bank of England"}
RECRUITER = {"name": "Sam", "email": "sam.lee@segment.example"}
OFFERS = {
    "back-loaded": {"offer": {**BASE["offer"], "vesting": [5, 15, 40, 40]}},
    "competing-parts": {"region": "London", "offer": LONDON, "competing_offers": [DATABRICKS], "fx": [BOE]},
    "cliff": {"offer": {**BASE["offer"], "cliff_months": 18, "sign_on": [18000, 6000]}},
    "past-deadline": {"offer": {**BASE["offer"], "deadline": "2026-11-01", "recruiter": RECRUITER}},
}
TABLE = (
    "candidate.name,candidate.email,guide,region,offer.base,offer.stock,offer.bonus_pct,"
    "competing_offers.0.company,competing_offers.0.total_comp,appendices.0\n"
    "Row Person 0,r0@example.com,segment-engineering-manager,San Francisco,210000,160K,15,,,\n"
    'Row Person 1,r1@example.com,segment-engineering-manager,NYC,"$200,000",160K,12,Databricks,415000,\n'
    "Row Person 2,r2@example.com,segment-engineering-manager,London,£140K,160K,15,,,offer-letter.pdf\n"
    "Zoë Łukasiewicz,zoe@example.com,segment-engineering-manager,London,£150K,120K,10,,,\n"
)


def run(out: Path, *args: str | Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "XDG_DATA_HOME": str(out / "data-home")}
    for name in (
        "MAKE_BRIEF_GUIDES",
        "MAKE_BRIEF_SHARDS",
        "MAKE_BRIEF_SMTP_PASSWORD",
        "MAKE_BRIEF_SMTP_TOKEN",
    ):
        env.pop(name, None)
    done = subprocess.run([EXE, *map(str, args)], env=env, cwd=out, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{EXE} {' '.join(map(str, args))}: exit {done.returncode}\n{done.stderr}")


def make_all(out: Path) -> None:
    inputs = out / "inputs"
    inputs.mkdir(parents=True)
    shutil.copy(EXAMPLES / "offer.yaml", inputs / "offer.yaml")
    shutil.copy(EXAMPLES / "offer-letter.pdf", inputs / "offer-letter.pdf")
    for template in ("default", "compact"):
        run(out, inputs / "offer.yaml", "--template", template, "-o", f"example-{template}.pdf")
    run(out, inputs / "offer.yaml", "-o", "example-counter.pdf", "--counter", "counter-example")
    for name, changes in OFFERS.items():
        path = inputs / f"{name}.yaml"
        path.write_text(
            yaml.safe_dump({**BASE, **changes}, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        run(out, path, "-o", f"{name}.pdf", "--counter", f"counter-{name}")
    table = inputs / "candidates.csv"
    table.write_text(TABLE, encoding="utf-8")
    run(out, table, "-o", "batch", "--eml", "batch-eml", "--from", "Coach <coach@example.org>")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1]).resolve()
    if out.exists():
        shutil.rmtree(out)
    make_all(out)
    for path in sorted(out.rglob("*")):
        if path.is_file() and "inputs" not in path.relative_to(out).parts[:1] and path.suffix != ".sqlite3":
            if "data-home" in path.relative_to(out).parts[:1]:
                continue
            print(f"{path.relative_to(out)}  {hashlib.sha256(path.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()

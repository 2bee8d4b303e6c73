"""The demo bundle's usage density (the bench's event-dense bundle, issue 16): 1.0 is the demo's own bundle byte for
byte, less gives fewer usage rows and changes no other file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from accounts.demo.bundle import bundle_write

END = date(2026, 10, 31)


def _write(folder: Path, **options: float) -> dict[str, bytes]:
    bundle_write(
        directory=folder,
        accounts=12,
        seed=3,
        end=END,
        usage_days=None,
        currency="USD",
        time_zone="UTC",
        **options,
    )
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_density_one_is_the_demo_bundle_and_less_thins_only_usage(tmp_path: Path) -> None:
    demo = _write(tmp_path / "demo")
    same = _write(tmp_path / "same", usage_density=1.0)
    thin = _write(tmp_path / "thin", usage_density=0.35)

    assert same == demo
    assert {name: data for name, data in thin.items() if name != "usage.csv"} == {
        name: data for name, data in demo.items() if name != "usage.csv"
    }
    demo_rows, thin_rows = demo["usage.csv"].count(b"\n") - 1, thin["usage.csv"].count(b"\n") - 1
    assert 0.2 * demo_rows < thin_rows < 0.6 * demo_rows

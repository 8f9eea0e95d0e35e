"""Builds the manuals (docs/manuals/*.md, Japanese) into the pages the gateway serves under /help/manuals/ (N25).

    uv run python scripts/build_manuals.py          # Markdown → services/gateway/src/gateway/manuals/*.html
    uv run python scripts/build_manuals.py --shots  # first retake the screenshots with the Chromium walk
    uv run python scripts/build_manuals.py --check  # exit 1 when a built page is older than its Markdown

Images (docs/manuals/images/*.png) are copied to the gateway's static files and linked from there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "manuals"
GATEWAY = ROOT / "services" / "gateway" / "src" / "gateway"
BUILT = GATEWAY / "manuals"
IMAGES = GATEWAY / "static" / "manuals"
MANUALS = ("user", "admin", "operations")
# the Chromium walks that take the screenshots (office work, and the pages the manuals show)
WALKS = (
    "services/gateway/tests/pages/office/test_office_browser.py",
    "services/gateway/tests/pages/office/test_manual_browser.py",
)
# screenshot of a walk → image name in the manuals
SHOTS = {
    "tbms-shot-home.png": "home.png",
    "tbms-shot-registration-confirm.png": "registration-confirm.png",
    "tbms-shot-patient-683.png": "patient-683.png",
    "tbms-shot-contact-plan.png": "contact-plan.png",
    "tbms-shot-masters-institution.png": "masters-institution.png",
    "tbms-shot-manual-patient-list.png": "patient-list.png",
    "tbms-shot-manual-patient.png": "patient.png",
    "tbms-shot-manual-contact-register.png": "contact-register.png",
    "tbms-shot-manual-contact.png": "contact.png",
    "tbms-shot-manual-contact-exam.png": "contact-exam.png",
    "tbms-shot-manual-contacts-list.png": "contacts-list.png",
    "tbms-shot-manual-screening-day.png": "screening-day.png",
    "tbms-shot-manual-masters.png": "masters.png",
    "tbms-shot-manual-masters-staff.png": "masters-staff.png",
    "tbms-shot-manual-masters-record.png": "masters-record.png",
}


def render(markdown: str) -> str:
    """One manual as HTML: raw HTML in the Markdown stays text, images point at the gateway's static files."""
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return html.replace('src="images/', 'src="/static/manuals/')


def build() -> list[Path]:
    """Writes every manual's page and copies the images; returns the pages written."""
    BUILT.mkdir(parents=True, exist_ok=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    written = []
    for name in MANUALS:
        target = BUILT / f"{name}.html"
        target.write_text(render((SOURCES / f"{name}.md").read_text(encoding="utf-8")), encoding="utf-8")
        written.append(target)
    for image in sorted((SOURCES / "images").glob("*.png")):
        shutil.copyfile(image, IMAGES / image.name)
    return written


def stale() -> list[str]:
    """The manuals whose built page differs from what their Markdown makes now."""
    return [
        name
        for name in MANUALS
        if not (BUILT / f"{name}.html").is_file()
        or (BUILT / f"{name}.html").read_text(encoding="utf-8")
        != render((SOURCES / f"{name}.md").read_text(encoding="utf-8"))
    ]


def retake_shots() -> None:
    """Runs the walks in Chromium with their screenshots kept, and copies the ones the manuals show."""
    with tempfile.TemporaryDirectory() as folder:
        env = os.environ | {"TBMS_SHOTS": folder}
        command = [sys.executable, "-m", "pytest", *WALKS, "-q", "-p", "no:cacheprovider"]
        subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own test run
        for shot, image in SHOTS.items():
            shutil.copyfile(Path(folder) / shot, SOURCES / "images" / image)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shots", action="store_true", help="retake the screenshots first (runs Chromium)")
    parser.add_argument("--check", action="store_true", help="only check that the built pages are up to date")
    args = parser.parse_args()
    if args.check:
        if outdated := stale():
            print("マニュアルのページが古くなっています: " + ", ".join(outdated), file=sys.stderr)
            return 1
        return 0
    if args.shots:
        retake_shots()
    for page in build():
        print(f"built {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

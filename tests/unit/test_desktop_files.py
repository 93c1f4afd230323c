"""The shipped desktop files pass the freedesktop validators, name one id, and the icon's
PNGs are its SVG as scripts/render-icons.sh renders it.

The validators are the real ones (desktop-file-utils and appstream, which
scripts/system-packages.sh installs), so what passes here passes in software centres' checks.
"""

from __future__ import annotations

import configparser
import gettext
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from deskguard.i18n.desktop_strings import localized_entry
from deskguard.paths import APP_ID
from deskguard.platform.autostart import XdgAutostart
from deskguard.platform.desktop_entry import entry_for, installed_metainfo

CHECKOUT = Path(__file__).resolve().parents[2]
SHIPPED = CHECKOUT / "config" / "desktop"
ENTRY = SHIPPED / f"{APP_ID}.desktop"
METAINFO = SHIPPED / f"{APP_ID}.metainfo.xml"
THEME = SHIPPED / "icons" / "hicolor"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
LOCALIZED_KEY = re.compile(r"^\w+\[\w+\]=")
SHIPPED_LANGUAGES = ("de", "ru")


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(argv[0]) is None:
        raise RuntimeError(f"{argv[0]} is not installed; run scripts/system-packages.sh")
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def assert_valid_entry(path: Path) -> None:
    # It prints nothing at all for an entry with no errors, warnings or hints.
    result = run("desktop-file-validate", str(path))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def read_entry(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(text)
    return parser


def test_the_shipped_entry_passes_desktop_file_validate() -> None:
    assert_valid_entry(ENTRY)


def test_the_metainfo_passes_appstreamcli_validate() -> None:
    result = run("appstreamcli", "validate", "--no-net", "--pedantic", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation was successful" in result.stdout


def test_entry_icon_and_component_go_by_one_id() -> None:
    entry = read_entry(ENTRY.read_text(encoding="utf-8"))["Desktop Entry"]
    component = ET.parse(METAINFO).getroot()
    assert entry["Icon"] == APP_ID
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable[@type='desktop-id']") == ENTRY.name
    assert component.findtext("icon[@type='stock']") == APP_ID
    icons = {path.relative_to(THEME).as_posix() for path in THEME.rglob("*.*")}
    assert icons == {f"{size}x{size}/apps/{APP_ID}.png" for size in PNG_SIZES} | {
        f"scalable/apps/{APP_ID}.svg"
    }


def test_the_entry_says_what_the_issue_asks_of_it() -> None:
    entry = read_entry(ENTRY.read_text(encoding="utf-8"))
    main = entry["Desktop Entry"]
    assert main["X-GNOME-UsesNotifications"] == "true"
    assert {"stretch", "posture", "break", "sitting"} <= set(main["Keywords"].split(";"))
    assert main["Exec"] == "deskguard open"
    actions = {
        entry[f"Desktop Action {name}"]["Name"]: entry[f"Desktop Action {name}"]["Exec"]
        for name in main["Actions"].rstrip(";").split(";")
    }
    assert actions == {
        "Stretch now": "deskguard break",
        "Start routine": "deskguard routine",
        "Pause 1 h": "deskguard pause 1h",
        "Resume": "deskguard resume",
    }


def test_the_screenshot_the_metainfo_names_is_in_the_checkout() -> None:
    # Software centres load it from the published repository; the file is kept here.
    url = ET.parse(METAINFO).getroot().findtext("screenshots/screenshot/image")
    assert url is not None and url.endswith("/main/config/desktop/screenshots/routine.png")
    with Image.open(SHIPPED / "screenshots" / "routine.png") as shot:
        assert shot.size[0] >= 620 and shot.size[1] >= 350


@pytest.mark.parametrize(
    "command",
    [
        "/home/ann/.local/bin/deskguard",
        '/home/o\'brien "quoted"/$HOME `x` 100%\\/deskguard',
    ],
)
def test_the_installed_entry_names_the_command_and_stays_valid(
    command: str, tmp_path: Path
) -> None:
    installed = tmp_path / ENTRY.name
    installed.write_text(entry_for(command), encoding="utf-8")
    assert_valid_entry(installed)
    shipped = ENTRY.read_text(encoding="utf-8").splitlines()
    # Besides the translations (tested below), only the commands change.
    written = [line for line in installed.read_text(encoding="utf-8").splitlines()
               if not LOCALIZED_KEY.match(line)]  # fmt: skip
    changed = [(old, new) for old, new in zip(shipped, written, strict=True) if old != new]
    assert len(changed) == 6  # TryExec, and the Exec of the entry and of its four actions
    for old, new in changed:
        key, _, value = old.partition("=")
        assert new.startswith(f"{key}=") and new.endswith(value.removeprefix("deskguard"))


def test_the_pngs_are_the_svg_rendered_by_the_script(tmp_path: Path) -> None:
    # The script renders into the tree it is in: give it a copy holding only the SVG.
    copy = tmp_path / "checkout"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(CHECKOUT / "scripts" / "render-icons.sh", copy / "scripts")
    svg = THEME / "scalable" / "apps" / f"{APP_ID}.svg"
    (copy / svg.relative_to(CHECKOUT)).parent.mkdir(parents=True)
    shutil.copy(svg, copy / svg.relative_to(CHECKOUT))
    result = run("bash", str(copy / "scripts" / "render-icons.sh"))
    assert result.returncode == 0, result.stderr
    for size in PNG_SIZES:
        relative = f"{size}x{size}/apps/{APP_ID}.png"
        with (
            Image.open(THEME / relative) as committed,
            Image.open(copy / THEME.relative_to(CHECKOUT) / relative) as rendered,
        ):
            assert committed.mode == "RGBA" and committed.size == (size, size)
            difference = ImageChops.difference(committed, rendered.convert("RGBA"))
            # Another librsvg may antialias a little differently; a changed SVG differs a lot.
            assert max(ImageStat.Stat(difference).mean) < 2.0, relative


def translations_of(entry: configparser.SectionProxy, key: str) -> dict[str, str]:
    return {language: entry[f"{key}[{language}]"] for language in SHIPPED_LANGUAGES}


def test_the_installed_entry_speaks_every_shipped_language(tmp_path: Path) -> None:
    installed = tmp_path / ENTRY.name
    installed.write_text(entry_for("/usr/bin/deskguard"), encoding="utf-8")
    entry = read_entry(installed.read_text(encoding="utf-8"))
    main = entry["Desktop Entry"]
    assert "Name[de]" not in main and "Name[ru]" not in main  # the product's name
    assert translations_of(main, "GenericName") == {
        "de": "Dehn-Erinnerung",
        "ru": "Напоминание о разминке",
    }
    assert main["Comment[de]"].startswith("Bemerkt, wenn Sie zu lange sitzen")
    assert main["Comment[ru]"].startswith("Замечает, что вы слишком долго сидите")
    for language in SHIPPED_LANGUAGES:
        keywords = main[f"Keywords[{language}]"]
        # Still a list of words, and the English ones still find it.
        assert keywords.endswith(";") and " " not in keywords
        assert set(main["Keywords"].split(";")) <= set(keywords.split(";"))
    assert translations_of(entry["Desktop Action pause"], "Name") == {
        "de": "1 Std. pausieren",
        "ru": "Пауза на 1 ч",
    }
    for action in main["Actions"].rstrip(";").split(";"):
        names = translations_of(entry[f"Desktop Action {action}"], "Name")
        assert all(names.values())
        assert entry[f"Desktop Action {action}"]["Name"] not in names.values()
    assert_valid_entry(installed)


def test_a_text_without_a_translation_gets_no_localized_line() -> None:
    text = "[Desktop Entry]\nName=deskguard\nComment=Not a message of deskguard's\n"
    assert localized_entry(text) == text


def test_the_autostart_entry_speaks_every_shipped_language(tmp_path: Path) -> None:
    written = tmp_path / "deskguard.desktop"
    written.write_text(XdgAutostart(["/usr/bin/deskguard"]).entry_text(), encoding="utf-8")
    main = read_entry(written.read_text(encoding="utf-8"))["Desktop Entry"]
    shipped = read_entry(ENTRY.read_text(encoding="utf-8"))["Desktop Entry"]
    for key in ("GenericName", "Comment"):
        assert main[key] == shipped[key]
        assert all(translations_of(main, key).values())
    assert_valid_entry(written)


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_the_installed_metainfo_speaks_every_shipped_language(tmp_path: Path) -> None:
    installed = tmp_path / METAINFO.name
    installed.write_text(installed_metainfo(), encoding="utf-8")
    component = ET.parse(installed).getroot()
    for tag in ("summary", "description/p", "description/ul/li", ".//caption", ".//keyword"):
        english = [e for e in component.findall(tag) if XML_LANG not in e.attrib]
        assert english, tag
        for language in SHIPPED_LANGUAGES:
            translated = [e for e in component.findall(tag) if e.get(XML_LANG) == language]
            assert len(translated) == len(english), (tag, language)
            assert all(e.text and e.text.strip() for e in translated)
    summaries = {e.get(XML_LANG): e.text for e in component.findall("summary")}
    assert summaries["de"] == "Bemerkt langes Sitzen und schlägt eine Dehnübung vor"
    assert summaries["ru"] == "Замечает долгое сидение и предлагает размяться"
    # The product's name and its developers' stay as they are.
    assert len(component.findall("name")) == len(component.findall("developer_name")) == 1
    result = run("appstreamcli", "validate", "--no-net", "--pedantic", str(installed))
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_translations_are_escaped_and_an_unknown_text_gets_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from deskguard.i18n import metainfo_strings

    class Catalog(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return {"Tom & Jerry": "Tom & Jerry <de>"}.get(message, message)

    monkeypatch.setattr(metainfo_strings, "shipped_catalogs", lambda: {"de": Catalog()})
    text = "<summary>Not a message of deskguard's</summary>\n  <p>\n    Tom &amp; Jerry\n  </p>\n"
    assert metainfo_strings.localized_metainfo(text) == text.replace(
        "</p>\n", '</p>\n  <p xml:lang="de">Tom &amp; Jerry &lt;de&gt;</p>\n'
    )

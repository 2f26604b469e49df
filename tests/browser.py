"""Helpers for browser tests: axe-core checks and layout checks in real Chromium."""

from pathlib import Path

AXE_PATH = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Plus axe's best practices (landmarks, heading order, one h1, scrollable regions...).
AXE_BEST_PRACTICE_TAGS = [*AXE_TAGS, "wcag22aa", "best-practice"]


def axe_violations(page, tags=AXE_TAGS):
    """Run axe-core (by default WCAG 2.1 A and AA, the EN 301 549 web criteria) and return
    its violations."""
    page.evaluate(AXE_PATH.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def assert_no_axe_violations(page, tags=AXE_TAGS):
    violations = axe_violations(page, tags)
    assert violations == [], f"axe violations on {page.url}: {violations}"


def horizontal_overflow(page):
    """How many CSS pixels the page scrolls sideways (0 or less: it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def assert_no_horizontal_overflow(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size}"


def set_text_size(page, percent):
    """The browser's own text size (Settings > Appearance > Font size), as a reader who needs
    large text sets it: rem and em grow with it, px do not. Call before page.goto."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send(
        "Page.setFontSizes",
        {"fontSizes": {"standard": 16 * percent // 100, "fixed": 13 * percent // 100}},
    )

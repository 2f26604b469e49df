"""The page audit behind bin/audit (run that; it starts the site and sets the environment).

For every page: axe-core (WCAG 2.x A/AA and best practices) at 320 and 1280 px, sideways
scrolling at 320 px and at 360 px with 200 % text, screenshots, the HTML as served (for the
Nu HTML Checker, one JVM run over all pages) and Lighthouse mobile and desktop. Prints one
Markdown table and writes results.json.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from services.models import Service  # noqa: E402
from tests.browser import AXE_BEST_PRACTICE_TAGS, axe_violations  # noqa: E402

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pages():
    """(key, label, path, cookies, kind): kind "get", "print" or "report" (a POST with errors)."""
    from coalitions.models import Coalition

    voorbeeldstad = Service.objects.published().filter(municipalities__slug="voorbeeldstad")
    detail = voorbeeldstad.filter(slug="koffieochtend-de-linde").first() or voorbeeldstad.first()
    ids = list(voorbeeldstad.order_by("name").values_list("pk", flat=True)[:3])
    chosen = ".".join(str(i) for i in ids)
    coalition = Coalition.objects.order_by("pk").first()
    desk = get_user_model().objects.get(username="telefoon")
    client = Client()
    client.force_login(desk)
    desk_cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
    }
    english = {settings.LANGUAGE_COOKIE_NAME: "en"}
    return [
        ("home", "Home", "/", {}, "get"),
        ("list", "Aanbod (leeg)", "/aanbod/", {}, "get"),
        ("search", "Aanbod: zoeken", "/aanbod/?q=samen+eten", {}, "get"),
        ("filters", "Aanbod: filters", "/aanbod/?kosten=gratis&vorm=groep", {}, "get"),
        ("page2", "Aanbod: pagina 2", "/aanbod/?pagina=2", {}, "get"),
        ("zero", "Aanbod: 0 resultaten", "/aanbod/?q=xqzwv", {}, "get"),
        ("detail", "Dienst", detail.get_absolute_url(), {}, "get"),
        ("compare", "Vergelijk", "/aanbod/vergelijk/", {"vergelijk": chosen}, "get"),
        ("shortlist", "Mijn lijst", "/mijn-lijst/", {"mijnlijst": chosen}, "get"),
        ("print", "Mijn lijst (print)", "/mijn-lijst/", {"mijnlijst": chosen}, "print"),
        ("report", "Meld een fout (fout)", detail.get_absolute_url(), {}, "report"),
        ("coalitions", "Coalities", "/coalities/", {}, "get"),
        ("coalition", "Coalitie", coalition.get_absolute_url(), {}, "get"),
        ("desk", "Telefoonpost", "/telefoon/", desk_cookies, "get"),
        ("en-home", "EN home", "/", english, "get"),
        ("en-list", "EN aanbod", "/aanbod/", english, "get"),
        ("en-detail", "EN dienst", detail.get_absolute_url(), english, "get"),
        ("404", "404", "/bestaat-niet/", {}, "get"),
    ]


def load(page, base, path, kind):
    """Open the page; return the HTML exactly as the server sent it."""
    if kind == "report":
        page.goto(base + path + "#meld")
        form = page.locator("form[action*='meld-een-fout']").first
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            form.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_load_state()
        return answer.value.text()
    response = page.goto(base + path)
    page.wait_for_load_state("networkidle")
    if kind == "print":
        page.emulate_media(media="print")
    return response.text()


def overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def browser_checks(base, out, selected):
    results = {}
    (out / "html").mkdir(parents=True, exist_ok=True)
    (out / "screenshots").mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ["CHROME_PATH"], args=CHROMIUM_ARGS)
        for key, label, path, cookies, kind in selected:
            row = results[key] = {"label": label, "path": path, "kind": kind}
            for width, height, text in (
                (1280, 900, 1),
                (390, 844, 1),
                (320, 640, 1),
                (360, 740, 2),
            ):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.add_cookies(
                    [{"name": n, "value": v, "url": base} for n, v in cookies.items()]
                )
                page = context.new_page()
                if text != 1:
                    # The browser's own text size (Settings > Appearance > Font size), as a
                    # reader who needs large text sets it: rem and em grow, px do not.
                    cdp = context.new_cdp_session(page)
                    cdp.send("Page.enable")
                    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
                html = load(page, base, path, kind)
                suffix = f"{width}" + ("-200pct" if text != 1 else "")
                if width == 1280:
                    (out / "html" / f"{key}.html").write_text(html)
                if width in (320, 1280):
                    violations = axe_violations(page, AXE_BEST_PRACTICE_TAGS)
                    row[f"axe{width}"] = violations
                if width in (320, 360):
                    row[f"overflow{suffix}"] = overflow(page)
                # The first screens only (a whole catalogue is 20,000 px), as wide as the page
                # really is, so sideways scrolling shows.
                wide, tall = page.evaluate(
                    "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
                )
                page.screenshot(
                    path=str(out / "screenshots" / f"{key}-{suffix}.png"),
                    full_page=True,
                    clip={
                        "x": 0,
                        "y": 0,
                        "width": max(wide, width),
                        "height": min(tall, 2.5 * height),
                    },
                )
                context.close()
        browser.close()
    return results


def vnu(jar, out, results):
    files = sorted((out / "html").glob("*.html"))
    run = subprocess.run(
        ["java", "-jar", jar, "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    for row in results.values():
        row["vnu"] = []
    for message in messages:
        key = Path(message["url"].removeprefix("file:")).stem
        if key in results and message["type"] == "error":
            results[key]["vnu"].append(
                {"line": message.get("lastLine"), "message": message["message"][:160]}
            )


def lighthouse(binary, base, out, key, path, cookies, preset):
    report = out / "lighthouse" / f"{key}-{preset}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        base + path,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--only-categories=performance,accessibility,best-practices,seo",
        "--chrome-flags=" + " ".join(CHROMIUM_ARGS),
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if cookies:
        header = "; ".join(f"{n}={v}" for n, v in cookies.items())
        command.append("--extra-headers=" + json.dumps({"Cookie": header}))
    subprocess.run(command, check=False, capture_output=True, timeout=180)
    if not report.exists():
        return {"error": "no report"}
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        return {"error": data["runtimeError"]["code"]}
    audits = data["audits"]
    scores = {c: data["categories"][c]["score"] for c in data["categories"]}
    failed = sorted(
        audit_id
        for c in ("accessibility", "best-practices", "seo")
        for ref in data["categories"][c]["auditRefs"]
        if ref["weight"] > 0
        and (audit_id := ref["id"])
        and audits[audit_id]["score"] is not None
        and audits[audit_id]["score"] < 1
    )
    return {
        **{c: round(s * 100) if s is not None else None for c, s in scores.items()},
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "kb": audits["total-byte-weight"]["numericValue"] / 1024,
        "failed": failed,
    }


def table(results, with_lighthouse):
    def lh(row, preset):
        r = row.get(f"lh-{preset}")
        if not r:
            return "n/a"
        if "error" in r:
            return r["error"]
        return "{performance}/{accessibility}/{best-practices}/{seo}".format(**r)

    head = "| page | axe 320 | axe 1280 | vnu errors | overflow 320 | 360 @200% |"
    if with_lighthouse:
        head += " LH mobile P/A/BP/SEO | CLS mob | KB mob | LH desktop P/A/BP/SEO | CLS desk |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in results.values():
        cells = [
            f"{row['label']} (`{row['path']}`)",
            str(len(row.get("axe320", []))),
            str(len(row.get("axe1280", []))),
            str(len(row.get("vnu", []))),
            str(max(row.get("overflow320", 0), 0)),
            str(max(row.get("overflow360-200pct", 0), 0)),
        ]
        if with_lighthouse:
            mobile, desktop = row.get("lh-mobile") or {}, row.get("lh-desktop") or {}
            cells += [
                lh(row, "mobile"),
                f"{mobile['cls']:.3f}" if "cls" in mobile else "n/a",
                f"{mobile['kb']:.0f}" if "kb" in mobile else "n/a",
                lh(row, "desktop"),
                f"{desktop['cls']:.3f}" if "cls" in desktop else "n/a",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def uptime():
    # Django sets TZ to TIME_ZONE for this process; print the load with the UTC clock.
    env = {**os.environ, "TZ": "UTC"}
    return subprocess.run(["uptime"], capture_output=True, text=True, env=env).stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--lighthouse")
    parser.add_argument("--vnu", required=True)
    parser.add_argument("--pages", help="comma-separated keys (default: all)")
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()
    selected = pages()
    if args.pages:
        keys = args.pages.split(",")
        selected = [p for p in selected if p[0] in keys]
    started = time.monotonic()
    results = browser_checks(args.base, args.out, selected)
    vnu(args.vnu, args.out, results)
    if not args.no_lighthouse:
        for key, _label, path, cookies, kind in selected:
            if kind != "get":
                continue  # Lighthouse cannot post a form or emulate print
            for preset in ("mobile", "desktop"):
                results[key][f"lh-{preset}"] = lighthouse(
                    args.lighthouse, args.base, args.out, key, path, cookies, preset
                )
    (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    output = table(results, not args.no_lighthouse)
    (args.out / "table.md").write_text(output + "\n")
    print(output)
    print(f"\n{time.monotonic() - started:.0f} s; uptime: {uptime()}")
    print("Details: " + str(args.out / "results.json"))


if __name__ == "__main__":
    main()

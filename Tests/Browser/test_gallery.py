"""The gallery in a real browser: uploading (file picker and drag-and-drop), blur detection
with its progress bar, tabs against /stats, the photo view with its sharpness map, statistics
charts, the live threshold slider, debug info, phone width and deleting a photo.

Tests run in file order on one server; each one that needs photos asks for the `library`
fixture, which uploads and analyses what an earlier test has not, so any test also runs alone.
"""

import base64
import re
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import DROP_NAMES, FIXTURES, PHOTO_NAMES, WAIT

SCORE = re.compile(r"^\d\.\d\d$")


def card_names(page) -> list[str]:
    return page.js("return [...document.querySelectorAll('#grid .card .card-name')].map((n) => n.textContent)")


def card_state(page, filename: str) -> dict:
    return page.js(
        """
        const card = [...document.querySelectorAll('#grid .card')]
          .find((c) => c.querySelector('.card-name').textContent === arguments[0]);
        if (!card) return null;
        return {state: card.dataset.state, badge: card.querySelector('.badge').textContent,
                badgeClass: card.querySelector('.badge').className, type: card.querySelector('.card-type').textContent};
        """,
        filename,
    )


def tab_count(page, tab: str) -> str:
    return page.text(f"[data-count='{tab}']")


def wait_for_saved_threshold(page, text: str) -> None:
    page.wait(
        lambda d: d.execute_script("return document.body.dataset.thresholdSaved") == text,
        message=f"threshold {text} was never saved",
    )


def test_upload_with_file_picker(signed_in):
    page = signed_in
    assert page.find("#empty-library").is_displayed(), "a fresh library starts empty"
    paths = [str(FIXTURES / name) for name in PHOTO_NAMES] + [str(FIXTURES / "SOURCES.md")]
    # The hidden <input type=file> is what the Upload menu item opens.
    page.find("#file-input").send_keys("\n".join(paths))
    page.wait(lambda d: d.execute_script("return document.querySelector('#upload').dataset.status") == "done")
    page.wait(lambda d: len(card_names(page)) == len(PHOTO_NAMES), message="the uploaded photos never appeared")
    assert sorted(card_names(page)) == sorted(PHOTO_NAMES)
    # The text file was refused with its reason, shown to the person.
    error = page.visible(".toast-error")
    assert "SOURCES.md" in error.text
    assert not page.find("#empty-library").is_displayed()
    assert tab_count(page, "all") == str(len(PHOTO_NAMES))
    assert tab_count(page, "unprocessed") == str(len(PHOTO_NAMES))
    for name in PHOTO_NAMES:
        assert card_state(page, name)["badge"] == "—", "an unprocessed photo shows no score"
    loading = page.js("return [...document.querySelectorAll('#grid img')].map((i) => i.loading)")
    assert set(loading) == {"lazy"}
    page.wait(lambda d: d.execute_script("return [...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0)"))
    page.screenshot("uploaded")


def test_drag_and_drop_upload(signed_in):
    page = signed_in
    page.wait_for_dashboard()
    before = set(card_names(page))
    assert not before & set(DROP_NAMES), "the dropped photos must be new"
    files = [[name, base64.b64encode((FIXTURES / name).read_bytes()).decode()] for name in DROP_NAMES]
    overlay_shown = page.js(
        """
        const [files] = arguments;
        const transfer = new DataTransfer();
        for (const [name, data] of files) {
          const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
          transfer.items.add(new File([bytes], name, {type: name.endsWith('.png') ? 'image/png' : 'image/jpeg'}));
        }
        const target = document.querySelector('#grid');
        target.dispatchEvent(new DragEvent('dragenter', {dataTransfer: transfer, bubbles: true, cancelable: true}));
        target.dispatchEvent(new DragEvent('dragover', {dataTransfer: transfer, bubbles: true, cancelable: true}));
        const shown = !document.querySelector('#drop-overlay').hidden;
        target.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
        return shown;
        """,
        files,
    )
    assert overlay_shown, "dragging files over the page shows the drop target"
    assert not page.find("#drop-overlay").is_displayed()
    page.wait(lambda d: set(DROP_NAMES) <= set(card_names(page)), message="dropped photos never appeared")
    assert page.visible(".toast-success").text.startswith(f"Uploaded {len(DROP_NAMES)} photos")
    assert tab_count(page, "all") == str(len(before) + len(DROP_NAMES))


def test_detect_blur_on_all_shows_progress(signed_in):
    page = signed_in
    stats = page.api_ok("GET", "/api/v1/stats")
    if stats["unprocessed"] == 0:  # running alone: give it something to analyse
        page.upload_via_api(PHOTO_NAMES)
        page.get("/")
        page.wait_for_dashboard()
        stats = page.api_ok("GET", "/api/v1/stats")
    assert stats["unprocessed"] > 0
    page.find("#detect-all").click()
    page.visible("#job")
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        bar = page.js(
            "const b = document.querySelector('#job-progress');"
            "return [document.querySelector('#job').dataset.status, +b.getAttribute('aria-valuenow'), +b.getAttribute('aria-valuemax')]"
        )
        seen.append(bar)
        if bar[0] in ("done", "failed"):
            break
        time.sleep(0.1)
    status, now, maximum = seen[-1]
    assert status == "done", f"job ended {status}: {seen[-5:]}"
    assert maximum == stats["unprocessed"] and now == maximum, seen[-3:]
    assert page.find("#job-progress").get_attribute("role") == "progressbar"
    assert "analysed" in page.text("#job-text")
    page.screenshot("detect-done")
    # The gallery reloads with a score on every card, matching the API.
    page.wait(lambda d: d.execute_script("return document.querySelectorAll('#grid .badge-pending').length === 0"))
    photos = {p["filename"]: p for p in page.api_ok("GET", "/api/v1/photos?limit=200")["photos"]}
    for name in card_names(page):
        state = card_state(page, name)
        assert SCORE.match(state["badge"]), state
        assert state["badge"] == f"{photos[name]['blur_score']:.2f}"
        assert state["state"] == ("blurred" if photos[name]["is_blurred"] else "clear")
    stats = page.api_ok("GET", "/api/v1/stats")
    page.wait(lambda d: tab_count(page, "unprocessed") == "0")
    assert tab_count(page, "blurred") == str(stats["blurred"])
    assert tab_count(page, "clear") == str(stats["not_blurred"])
    assert card_state(page, "motion-cat.jpg")["type"] == "Blurred · camera shake"


def test_detect_blur_on_one_photo(library):
    page = library
    page.upload_via_api(["sharp-hubble.jpg"])
    page.get("/?tab=unprocessed")
    page.wait_for_dashboard()
    assert card_names(page) == ["sharp-hubble.jpg"]
    page.find("#grid .card-detect").click()
    page.wait(lambda d: card_state(page, "sharp-hubble.jpg")["badge"] != "—", message="the card never got its score")
    state = card_state(page, "sharp-hubble.jpg")
    assert SCORE.match(state["badge"]) and state["state"] == "clear", state
    page.wait(lambda d: tab_count(page, "unprocessed") == "0")
    photo = [p for p in page.api_ok("GET", "/api/v1/photos?limit=200")["photos"] if p["filename"] == "sharp-hubble.jpg"][0]
    page.api_ok("DELETE", f"/api/v1/photos/{photo['id']}")


def test_tabs_follow_the_address_bar_and_match_stats(library):
    page = library
    stats = page.api_ok("GET", "/api/v1/stats")
    page.js("window.__sameDocument = true")
    expectations = [("clear", "not_blurred", "clear"), ("blurred", "blurred", "blurred")]
    for tab, key, state in expectations:
        page.find(f"#tab-{tab}").click()
        page.wait(lambda d: d.current_url == page.url(f"/?tab={tab}"))
        page.wait_for_dashboard()
        page.wait(lambda d: len(card_names(page)) == stats[key], message=f"{tab} shows {len(card_names(page))} cards")
        assert tab_count(page, tab) == str(stats[key])
        assert page.find(f"#tab-{tab}").get_attribute("aria-current") == "page"
        states = page.js("return [...document.querySelectorAll('#grid .card')].map((c) => c.dataset.state)")
        assert set(states) == {state}
    assert page.text("#view-title") == "Blurred photos"
    page.find("#tab-unprocessed").click()
    page.visible("#empty-filtered")
    assert "Every photo has a blur score" in page.text("#empty-filtered")
    # Back goes to the previous tab without reloading the page.
    page.driver.back()
    page.wait(lambda d: d.current_url == page.url("/?tab=blurred"))
    page.wait(lambda d: d.find_element("css selector", "#tab-blurred").get_attribute("aria-current") == "page")
    page.wait(lambda d: len(card_names(page)) == stats["blurred"])
    assert page.js("return window.__sameDocument === true"), "switching tabs reloaded the page"
    # The address picks the tab when the page is loaded.
    page.get("/?tab=clear")
    page.wait_for_dashboard()
    assert page.find("#tab-clear").get_attribute("aria-current") == "page"
    assert len(card_names(page)) == stats["not_blurred"]


def test_photo_view_shows_sharpness_map(library):
    page = library
    names = card_names(page)
    index = names.index("motion-cat.jpg")
    photos = {p["filename"]: p for p in page.api_ok("GET", "/api/v1/photos?limit=200")["photos"]}
    result = page.api_ok("GET", f"/api/v1/photos/{photos['motion-cat.jpg']['id']}/result")
    page.find_all("#grid .card-open")[index].click()
    page.visible("#viewer")
    page.wait(lambda d: d.execute_script("return document.querySelector('#viewer').dataset.state") == "ready")
    page.wait(lambda d: d.execute_script("const i = document.querySelector('#viewer-image'); return i.complete && i.naturalWidth > 0"))
    assert page.text("#viewer-title") == "motion-cat.jpg"
    assert page.text("#viewer-score") == f"{result['blur_score']:.2f}"
    assert page.text("#viewer-verdict-text") == "Blurred · camera shake"
    assert page.text("#viewer-fact-time").endswith("ms")
    grid = result["sharpness_map"]
    cells = page.js("return document.querySelectorAll('#sharpness .sharpness-cell').length")
    assert cells == grid["columns"] * grid["rows"]
    coloured = page.js("return [...document.querySelectorAll('#sharpness .sharpness-cell')].filter((c) => c.style.backgroundColor).length")
    assert coloured == sum(1 for v in grid["values"] if v is not None) and coloured > 0
    # The map covers exactly the image.
    boxes = page.js(
        "const r = (s) => document.querySelector(s).getBoundingClientRect();"
        "const a = r('#viewer-image'), b = r('#sharpness'); return [a.x, a.y, a.width, a.height, b.x, b.y, b.width, b.height]"
    )
    assert all(abs(boxes[i] - boxes[i + 4]) <= 1 for i in range(4)), boxes
    assert result["blur_direction_deg"] is not None
    assert page.find_all("#direction-line"), "the shake direction is drawn"
    assert page.text("#viewer-fact-direction") == f"{round(result['blur_direction_deg'])}°"
    page.screenshot("viewer")
    # The overlay can be switched off and on.
    page.find("#overlay-toggle").click()
    assert "overlay-off" in page.find("#viewer").get_attribute("class")
    page.wait(lambda d: d.execute_script("return getComputedStyle(document.querySelector('#sharpness')).opacity") == "0")
    page.find("#overlay-toggle").click()
    assert "overlay-off" not in page.find("#viewer").get_attribute("class")
    # Arrows move through the gallery in its order; Escape closes and focus returns to the card.
    actions = ActionChains(page.driver)
    expected_next = names[index + 1] if index + 1 < len(names) else names[index]
    actions.send_keys(Keys.ARROW_RIGHT).perform()
    page.wait(lambda d: page.text("#viewer-title") == expected_next)
    actions.send_keys(Keys.ARROW_LEFT).perform()
    page.wait(lambda d: page.text("#viewer-title") == "motion-cat.jpg")
    actions.send_keys(Keys.ESCAPE).perform()
    page.gone("#viewer")
    assert page.js("return document.activeElement.closest('.card').querySelector('.card-name').textContent") == "motion-cat.jpg"
    # Enter on a focused card opens it.
    ActionChains(page.driver).send_keys(Keys.ENTER).perform()
    page.visible("#viewer")
    assert page.text("#viewer-title") == "motion-cat.jpg"


def test_statistics_charts(library):
    page = library
    stats = page.api_ok("GET", "/api/v1/stats")
    page.find("#tab-statistics").click()
    page.wait(lambda d: d.current_url == page.url("/?tab=statistics"))
    page.visible("#histogram")
    bars = page.find_all("#histogram rect.hist-bar")
    assert len(bars) == 20
    counts = [int(bar.get_attribute("data-count")) for bar in bars]
    assert counts == stats["histogram"]
    line = page.find("#threshold-line")
    # The threshold line stands at the left edge of the bin starting at 0.50 (bar 10).
    bar_left = float(bars[10].get_attribute("x")) - 1
    assert abs(float(line.get_attribute("x1")) - bar_left) < 0.5
    assert page.text("#legend-clear") == str(stats["not_blurred"])
    assert page.text("#legend-blurred") == str(stats["blurred"])
    assert page.text("#legend-unprocessed") == str(stats["unprocessed"])
    assert page.find_all("#donut circle.donut-clear") and page.find_all("#donut circle.donut-blurred")
    types = page.text("#chart-types")
    if stats["blur_types"].get("motion"):
        assert "camera shake" in types
    if stats["blur_types"].get("defocus"):
        assert "out of focus" in types
    assert page.text("#fact-mean-ms").endswith("ms")
    assert page.text("#fact-p95-ms").endswith("ms")
    assert page.find("#threshold").is_displayed(), "the slider is on the statistics tab too"
    page.driver.set_window_size(1280, 1300)  # the whole tab in one picture
    page.screenshot("statistics")


def test_threshold_slider_relabels_live_and_persists(library):
    page = library
    slider = page.find("#threshold")
    assert float(slider.get_attribute("value")) == 0.5
    clock = card_state(page, "realmotion-clock.jpg")  # scores about 0.52
    coffee = card_state(page, "motion-coffee.jpg")  # about 0.62
    assert clock["state"] == "blurred" and coffee["state"] == "blurred"
    blurred_before = int(tab_count(page, "blurred"))
    # 'input' alone re-labels on the page, before anything is saved.
    page.js("const s = document.querySelector('#threshold'); s.value = '0.60'; s.dispatchEvent(new Event('input', {bubbles: true}))")
    assert page.text("#threshold-value") == "0.60"
    assert card_state(page, "realmotion-clock.jpg")["state"] == "clear"
    assert card_state(page, "realmotion-clock.jpg")["badgeClass"] == "badge badge-clear"
    assert card_state(page, "motion-coffee.jpg")["state"] == "blurred"
    assert tab_count(page, "blurred") == str(blurred_before - 1)
    assert page.api_ok("GET", "/api/v1/users/me/settings")["blur_threshold"] == 0.5, "nothing saved on input"
    page.screenshot("threshold-live")
    # 'change' saves it.
    page.js("document.querySelector('#threshold').dispatchEvent(new Event('change', {bubbles: true}))")
    wait_for_saved_threshold(page, "0.60")
    assert page.api_ok("GET", "/api/v1/users/me/settings")["blur_threshold"] == 0.6
    assert tab_count(page, "blurred") == str(page.api_ok("GET", "/api/v1/stats")["blurred"])
    page.get("/")
    page.wait_for_dashboard()
    assert float(page.find("#threshold").get_attribute("value")) == 0.6
    assert page.text("#threshold-value") == "0.60"
    assert card_state(page, "realmotion-clock.jpg")["state"] == "clear"
    # The keyboard moves it too: ten steps left is back to 0.50.
    page.js("document.querySelector('#threshold').focus()")
    for _ in range(10):
        ActionChains(page.driver).send_keys(Keys.ARROW_LEFT).perform()
    page.wait(lambda d: page.text("#threshold-value") == "0.50")
    assert card_state(page, "realmotion-clock.jpg")["state"] == "blurred"
    wait_for_saved_threshold(page, "0.50")
    assert page.api_ok("GET", "/api/v1/users/me/settings")["blur_threshold"] == 0.5


def test_debug_tab_shows_queue_and_checks(library):
    page = library
    page.find("#tab-debug").click()
    page.wait(lambda d: d.current_url == page.url("/?tab=debug"))
    page.wait(lambda d: re.fullmatch(r"\d+", page.text("#queue-depth") or ""), message="queue depth never shown")
    assert page.text("#queue-workers") == "2"
    assert page.text("#ready-status") == "ready"
    services = page.api_ok("GET", "/health/services")
    assert page.text("#about-version") == services["version"]
    rows = page.find_all("#services-table tbody tr")
    assert len(rows) == len(services["services"])
    assert not page.find("#threshold").is_displayed(), "no slider on the debug tab"
    page.screenshot("debug")


def test_phone_width(library):
    page = library
    page.driver.set_window_size(390, 844)
    page.get("/")
    page.wait_for_dashboard()
    width = page.js("return document.documentElement.clientWidth")
    assert width <= 400
    assert page.js("return document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    # The sidebar becomes a horizontal tab bar above the gallery.
    tops = page.js("return [...document.querySelectorAll('.tab')].slice(0, 3).map((t) => Math.round(t.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    assert page.js("return document.querySelector('.sidebar').getBoundingClientRect().bottom <= document.querySelector('#grid').getBoundingClientRect().top")
    columns = page.js("return getComputedStyle(document.querySelector('#grid')).gridTemplateColumns.split(' ').length")
    assert columns == 2
    page.screenshot("phone")
    page.find_all("#grid .card-open")[0].click()
    page.wait(lambda d: d.execute_script("return document.querySelector('#viewer').dataset.state") == "ready")
    assert page.js("return document.querySelector('#viewer').getBoundingClientRect().width") <= width
    page.screenshot("phone-viewer")


def test_delete_photo_from_the_viewer(library):
    page = library
    total = int(tab_count(page, "all"))
    first = card_names(page)[0]
    page.find_all("#grid .card-open")[0].click()
    page.visible("#viewer")
    page.find("#viewer-delete").click()
    page.visible("#viewer-confirm")
    assert "original on your computer or in Google Photos stays" in page.text("#viewer-confirm")
    page.screenshot("viewer-delete-confirm")
    page.find("#viewer-delete-confirm").click()
    page.wait(lambda d: first not in card_names(page), message="the deleted photo is still in the gallery")
    page.wait(lambda d: tab_count(page, "all") == str(total - 1))
    names = {p["filename"] for p in page.api_ok("GET", "/api/v1/photos?limit=200")["photos"]}
    assert first not in names
    # The viewer moved on to the next photo.
    assert page.find("#viewer").is_displayed()
    assert page.text("#viewer-title") != first

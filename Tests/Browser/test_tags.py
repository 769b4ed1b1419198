"""AI tags in a real browser, against the fake OpenAI (`classify-fakes openai`, see
docs/fake-openai.md): "Tag photos" with its progress bar, tag chips on cards and in the photo
view, a chip filtering the gallery (with the address bar, back and forward, and the Clear tab),
the search box, the Tags statistics against GET /api/v1/tags (and the cache), a rate limit and
a refusal from the model, a server without OPENAI_* and the page at phone width in dark mode.

The module runs one fake and one `classify serve` (local mode) pointed at it with the fake's
printed OPENAI_BASE_URL and OPENAI_API_KEY, both on loopback and stopped at the end. Tests run
in file order on that server; each makes sure of the photos (and tags) it needs, so any test
also runs alone.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import FIXTURES, FakeOpenAI, Page, Server, make_driver

PHOTOS = ["sharp-cat.jpg", "sharp-rocket.jpg", "sharp-astronaut.jpg", "motion-cat.jpg", "motion-coffee.jpg", "defocus-astronaut.jpg"]
MORE_PHOTOS = ["sharp-hubble.jpg", "sharp-retina.jpg", "defocus-coffee.jpg"]
CARD_TAGS = 4


@pytest.fixture(scope="module")
def openai_setup():
    fake = FakeOpenAI("test_tags")
    try:
        server = Server("tags", fake.env)
    except BaseException:
        fake.stop()
        raise
    yield fake, server
    try:
        server.stop()
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def fake(openai_setup) -> FakeOpenAI:
    return openai_setup[0]


@pytest.fixture(scope="module")
def server(openai_setup) -> Server:
    """Replaces conftest's server: this module's page fixture uses the one with tagging on."""
    return openai_setup[1]


# ---------- helpers ----------


def photos_api(page: Page, **query) -> list[dict]:
    # %20 for spaces: the server does not read "+" as a space.
    return page.api_ok("GET", "/api/v1/photos?" + urlencode({"limit": 200, **query}, quote_via=quote))["photos"]


def cards(page: Page) -> list[dict]:
    return page.js(
        """
        return [...document.querySelectorAll('#grid .card')].map((c) => ({
          id: c.dataset.id,
          name: c.querySelector('.card-name').textContent,
          state: c.dataset.state,
          tags: JSON.parse(c.dataset.tags || '[]'),
          chips: [...c.querySelectorAll('.card-tags .tag-chip')].map((b) => b.dataset.tag),
          more: c.querySelector('.card-tags .tag-more')?.textContent ?? null,
        }));
        """
    )


def card_names(page: Page) -> list[str]:
    return [card["name"] for card in cards(page)]


def address(page: Page) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(page.driver.current_url).query).items()}


def settled(page: Page) -> bool:
    return page.js("return !document.querySelector('#grid').hasAttribute('aria-busy') && document.querySelector('#loading').hidden")


def wait_for_gallery(page: Page, expected: list[str], message: str) -> None:
    """Waits until the grid holds exactly the photos `expected` (any order)."""
    page.wait(lambda d: settled(page) and sorted(card_names(page)) == sorted(expected),
              message=f"{message}: the grid shows {sorted(card_names(page))}, expected {sorted(expected)}")


def ensure_photos(page: Page, names: list[str]) -> None:
    have = {photo["filename"] for photo in photos_api(page)}
    missing = [name for name in names if name not in have]
    if missing:
        page.upload_via_api(missing)


def tag_all_via_api(page: Page) -> None:
    job = page.api_ok("POST", "/api/v1/tags/batch", {"filter": "all"})
    deadline = time.monotonic() + 120
    while job["total"] and time.monotonic() < deadline:
        status = page.api_ok("GET", f"/api/v1/blur/jobs/{job['job_id']}")
        if status["status"] in ("done", "failed"):
            return
        time.sleep(0.2)
    assert not job["total"], "tagging did not finish within 120 s"


def open_dashboard(page: Page, path: str = "/") -> None:
    page.get(path)
    page.wait_for_dashboard()
    page.wait(lambda d: d.execute_script("return document.body.dataset.tagging") in ("on", "off"),
              message="the page never applied GET /api/v1/tags")


def panel(page: Page) -> dict:
    return page.js(
        """
        const root = document.querySelector('#tag-job');
        const bar = document.querySelector('#tag-job-progress');
        return {hidden: root.hidden, status: root.dataset.status ?? null, jobId: root.dataset.jobId ?? null,
                now: +bar.getAttribute('aria-valuenow'), max: +bar.getAttribute('aria-valuemax'),
                valuetext: bar.getAttribute('aria-valuetext'), text: document.querySelector('#tag-job-text').textContent,
                label: document.querySelector('#tag-job-label').textContent,
                failures: [...document.querySelectorAll('#tag-job-failures li')].map((li) => [li.dataset.photoId, li.textContent])};
        """
    )


def press_tag_photos(page: Page, timeout: float = 120, button: str = "#tag-all", midway: str | None = None) -> list[dict]:
    """Clicks "Tag photos" (or `button`) and samples the panel until the job is done; returns
    the samples. `midway` names a screenshot taken the first time the bar is part-way."""
    before = page.js("return document.querySelector('#tag-job').dataset.jobId ?? null")
    page.js("window.scrollTo(0, 0)")
    page.find(button).click()
    samples: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = panel(page)
        samples.append(state)
        if midway and state["status"] in ("queued", "running") and 0 < state["now"] < state["max"]:
            page.screenshot(midway)
            midway = None
        busy = page.js("return document.querySelector('#tag-all').hasAttribute('aria-busy')")
        if state["jobId"] != before and state["status"] in ("done", "failed") and not busy:
            return samples
        time.sleep(0.05)
    raise AssertionError(f"tagging never finished on the page: {samples[-3:]}")


def fmt_count(n: int) -> str:
    return f"{n:,}"


def fmt_cost(usd) -> str:
    if usd is None:
        return "unknown"
    if 0 < usd < 0.00005:
        return "< $0.0001"
    return f"${usd:.4f}" if usd < 1 else f"${usd:.2f}"


def type_into_search(page: Page, text: str, enter: bool = False) -> None:
    box = page.find("#search")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys(text + (Keys.ENTER if enter else ""))


# ---------- tests ----------


def test_tag_photos_shows_progress_then_chips_and_caption(signed_in, fake):
    page = signed_in
    ensure_photos(page, PHOTOS)
    open_dashboard(page)
    assert page.js("return document.body.dataset.tagging") == "on"
    button = page.find("#tag-all")
    assert button.get_attribute("aria-disabled") is None and button.is_displayed()
    assert page.text("#tag-help").startswith("Adds AI tags"), "the button says what it does"
    assert not page.find("#tag-reason").is_displayed()
    untagged = [photo for photo in photos_api(page) if not photo["tags"]]
    assert untagged, "the module starts with untagged photos"
    assert all(card["chips"] == [] and card["more"] is None for card in cards(page)), "no chips before tagging"
    # Slow the model down so the progress is seen moving.
    fake.admin("PATCH", "/fake/settings", {"latencyMs": 700})
    try:
        samples = press_tag_photos(page, midway="tags-progress")
    finally:
        fake.admin("PATCH", "/fake/settings", {"latencyMs": 0})
    final = samples[-1]
    assert final["status"] == "done", samples[-3:]
    assert final["max"] == len(untagged) and final["now"] == len(untagged), final
    assert final["label"] == f"Tagged {len(untagged)} photos"
    assert final["text"] == f"{len(untagged)} of {len(untagged)} tagged"
    assert final["failures"] == []
    moving = [s for s in samples if s["status"] in ("queued", "running") and s["max"] == len(untagged)]
    assert moving and all(re.fullmatch(rf"Tagging \d+ of {len(untagged)}", s["text"]) for s in moving), samples[:5]
    assert any(s["now"] < s["max"] for s in moving), "the bar was never seen part-way"
    assert page.find("#tag-job-progress").get_attribute("role") == "progressbar"
    # The gallery refreshed by itself: every card has the chips of its tags in the API.
    api = {photo["id"]: photo for photo in photos_api(page)}
    page.wait(lambda d: all(card["tags"] for card in cards(page)), message="the cards never showed their tags")
    shown = cards(page)
    assert len(shown) == len(api)
    for card in shown:
        tags = api[card["id"]]["tags"]
        assert tags, f"{card['name']} was not tagged"
        assert card["tags"] == tags
        assert card["chips"] == tags[:CARD_TAGS], card
        assert card["more"] == (f"+{len(tags) - CARD_TAGS}" if len(tags) > CARD_TAGS else None), card
    page.screenshot("tags-gallery")
    # The photo view shows every tag and the caption.
    first = shown[0]
    page.find_all("#grid .card-open")[0].click()
    page.visible("#viewer")
    page.wait(lambda d: page.text("#viewer-title") == first["name"])
    assert page.text("#viewer-caption") == api[first["id"]]["caption"]
    viewer_tags = page.js("return [...document.querySelectorAll('#viewer-tags .tag-chip')].map((b) => b.dataset.tag)")
    assert viewer_tags == api[first["id"]]["tags"]
    page.screenshot("tags-viewer")
    # "+n" on a card opens the photo with all its tags.
    page.find("#viewer-close").click()
    page.gone("#viewer")
    more = page.find_all("#grid .tag-more")
    if more:
        more[0].click()
        page.visible("#viewer")
        assert len(page.find_all("#viewer-tags .tag-chip")) > CARD_TAGS


def test_tag_chip_filters_and_combines_with_the_clear_tab(signed_in):
    page = signed_in
    ensure_photos(page, PHOTOS)
    tag_all_via_api(page)
    open_dashboard(page)
    # Detect blur on all, through the page.
    if page.api_ok("GET", "/api/v1/stats")["unprocessed"]:
        page.find("#detect-all").click()
        page.wait(lambda d: d.execute_script("return document.querySelector('#job').dataset.status") == "done", timeout=120)
        page.wait(lambda d: settled(page) and not page.find_all("#grid .badge-pending"))
    # A tag shown on some card that some clear photos have, but not every photo.
    everyone = photos_api(page)
    on_chips = {tag for card in cards(page) for tag in card["chips"]}
    counts = [e for e in page.api_ok("GET", "/api/v1/tags")["tags"] if e["tag"] in on_chips]
    candidates = []
    for entry in counts:
        tagged = photos_api(page, tag=entry["tag"])
        clear = photos_api(page, tag=entry["tag"], filter="not_blurred")
        if 0 < len(clear) < len(tagged) < len(everyone):
            candidates.append((entry["tag"], tagged, clear))
    if not candidates:  # every clear one is alone in its tags: take any tag not on every photo
        candidates = [(e["tag"], photos_api(page, tag=e["tag"]), photos_api(page, tag=e["tag"], filter="not_blurred"))
                      for e in counts if e["count"] < len(everyone)]
    tag, tagged, clear = candidates[0]
    # Click that tag's chip on a card showing it.
    page.js("window.__sameDocument = true")
    chip = next(c for c in page.find_all("#grid .card-tags .tag-chip") if c.get_attribute("data-tag") == tag)
    chip.click()
    page.wait(lambda d: address(page).get("tag") == tag, message="the address never got ?tag=")
    wait_for_gallery(page, [p["filename"] for p in tagged], f"filtered by {tag}")
    assert all(tag in card["tags"] for card in cards(page))
    assert page.find("#active-filters").is_displayed()
    assert page.text("#tag-filter-name") == tag
    assert page.find("#tag-filter-clear").get_attribute("aria-label") == f"Stop filtering by tag {tag}"
    assert page.js("return document.activeElement.id") == "tag-filter-clear", "focus lands on the active filter"
    active = page.js("return [...document.querySelectorAll('#grid .tag-chip.is-active')].map((b) => b.dataset.tag)")
    assert active and set(active) == {tag}
    assert len(cards(page)) == len(photos_api(page, tag=tag))
    page.screenshot("tags-filtered")
    # The Clear tab keeps the tag: both filters at once.
    page.find("#tab-clear").click()
    page.wait(lambda d: address(page) == {"tab": "clear", "tag": tag}, message=f"address is {address(page)}")
    wait_for_gallery(page, [p["filename"] for p in clear], f"clear and {tag}")
    assert all(card["state"] == "clear" and tag in card["tags"] for card in cards(page))
    page.screenshot("tags-filtered-clear")
    # Back and forward walk through the filters without reloading.
    page.driver.back()
    page.wait(lambda d: address(page) == {"tag": tag})
    wait_for_gallery(page, [p["filename"] for p in tagged], "back to All with the tag")
    page.driver.back()
    page.wait(lambda d: address(page) == {})
    wait_for_gallery(page, [p["filename"] for p in everyone], "back to everything")
    assert not page.find("#active-filters").is_displayed()
    page.driver.forward()
    page.wait(lambda d: address(page) == {"tag": tag})
    wait_for_gallery(page, [p["filename"] for p in tagged], "forward to the tag")
    assert page.js("return window.__sameDocument === true"), "filtering reloaded the page"
    # The address alone opens the filtered view.
    open_dashboard(page, "/?" + urlencode({"tab": "clear", "tag": tag}))
    wait_for_gallery(page, [p["filename"] for p in clear], "loaded from the address")
    assert page.text("#tag-filter-name") == tag
    # × removes the tag filter.
    page.find("#tag-filter-clear").click()
    page.wait(lambda d: address(page) == {"tab": "clear"})
    wait_for_gallery(page, [p["filename"] for p in photos_api(page, filter="not_blurred")], "tag filter removed")
    assert not page.find("#active-filters").is_displayed()


def test_search_box_finds_caption_words_and_parts_of_tags(signed_in):
    page = signed_in
    ensure_photos(page, PHOTOS)
    tag_all_via_api(page)
    open_dashboard(page)
    everyone = photos_api(page)
    search = page.find("#search")
    assert search.get_attribute("type") == "search"
    label = page.find("label[for='search']")
    assert label.get_attribute("textContent").strip() == "Search photos by tag or caption"
    # A word of one photo's caption that not every photo has.
    word, found = None, None
    for photo in everyone:
        for candidate in re.findall(r"[a-z]{4,}", photo["caption"].lower()):
            hits = photos_api(page, q=candidate)
            if 0 < len(hits) < len(everyone):
                word, found, target = candidate, hits, photo
                break
        if word:
            break
    assert word, "no caption word narrows the library"
    page.js("window.__sameDocument = true")
    type_into_search(page, word)  # no Enter: the box waits for a pause in typing
    page.wait(lambda d: address(page).get("q") == word, message="the address never got ?q=")
    wait_for_gallery(page, [p["filename"] for p in found], f"search {word}")
    assert target["filename"] in card_names(page)
    assert page.find("#search").get_attribute("value") == word
    page.screenshot("tags-search-caption")
    # Part of a tag, submitted with Enter.
    tags = sorted({tag for photo in everyone for tag in photo["tags"]}, key=len, reverse=True)
    tag = next(t for t in tags if 0 < len(photos_api(page, tag=t)) < len(everyone) and len(t) >= 5)
    part = tag[1:-1] if " " not in tag else tag.split(" ")[0][:4]
    hits = photos_api(page, q=part)
    assert {p["id"] for p in photos_api(page, tag=tag)} <= {p["id"] for p in hits}
    type_into_search(page, part, enter=True)
    page.wait(lambda d: address(page).get("q") == part)
    wait_for_gallery(page, [p["filename"] for p in hits], f"search {part}")
    # Nothing matches: the page says so and offers to clear.
    type_into_search(page, "zebracorn", enter=True)
    page.wait(lambda d: address(page).get("q") == "zebracorn")
    page.visible("#empty-filtered")
    assert page.text("#empty-filtered-title") == "No photos match"
    assert "zebracorn" in page.text("#empty-filtered-text")
    assert page.find("#empty-clear-filters").is_displayed()
    page.screenshot("tags-search-nothing")
    page.find("#empty-clear-filters").click()
    page.wait(lambda d: address(page) == {})
    wait_for_gallery(page, [p["filename"] for p in everyone], "cleared with the button")
    # Emptying the box restores everything too.
    type_into_search(page, word, enter=True)
    page.wait(lambda d: address(page).get("q") == word)
    wait_for_gallery(page, [p["filename"] for p in found], "search again")
    search = page.find("#search")
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(Keys.BACKSPACE)
    page.wait(lambda d: "q" not in address(page))
    wait_for_gallery(page, [p["filename"] for p in everyone], "box emptied")
    assert page.js("return window.__sameDocument === true")


def test_statistics_show_tags_and_what_tagging_cost(signed_in, fake):
    page = signed_in
    ensure_photos(page, PHOTOS)
    tag_all_via_api(page)
    open_dashboard(page)
    overview = page.api_ok("GET", "/api/v1/tags")
    stats = page.api_ok("GET", "/api/v1/stats")
    assert stats["tagging"] == overview, "/stats carries the same tagging object"

    def check_statistics(overview: dict, total: int) -> None:
        page.visible("#tags-chart")
        bars = page.js("return [...document.querySelectorAll('#tags-chart rect.tag-bar')].map((r) => [r.dataset.tag, +r.dataset.count])")
        assert bars == [[entry["tag"], entry["count"]] for entry in overview["tags"]]
        rows = page.js("return [...document.querySelectorAll('#tags-table tbody tr')].map((r) => [...r.cells].map((c) => c.textContent))")
        assert rows == [[entry["tag"], fmt_count(entry["count"])] for entry in overview["tags"]]
        usage = overview["usage"]
        assert page.text("#fact-tagged") == f"{fmt_count(overview['tagged_photos'])} of {fmt_count(total)}"
        assert page.text("#fact-tag-calls") == fmt_count(usage["calls"])
        assert page.text("#fact-tag-cached") == fmt_count(usage["cached_calls"])
        assert page.text("#fact-prompt-tokens") == fmt_count(usage["prompt_tokens"])
        assert page.text("#fact-completion-tokens") == fmt_count(usage["completion_tokens"])
        assert page.text("#fact-tag-cost") == fmt_cost(usage["estimated_cost_usd"])
        assert re.fullmatch(r"\$\d+\.\d{4}", page.text("#fact-tag-cost")), "cost reads like $0.0084"
        assert overview["model"] in page.text("#tags-status")

    page.find("#tab-statistics").click()
    page.wait(lambda d: address(page) == {"tab": "statistics"})
    check_statistics(overview, stats["total"])
    # How costs read, "unknown" included (a model without a price gives null).
    costs = page.driver.execute_async_script(
        "const done = arguments[0];"
        "import('/static/js/format.js').then((m) => done([null, 0.0084, 0.00279, 0, 0.00001, 1.5].map(m.formatCost)));"
    )
    assert costs == ["unknown", "$0.0084", "$0.0028", "$0.0000", "< $0.0001", "$1.50"], costs
    assert not page.find("#tag-all").is_displayed(), "Tag photos belongs to the gallery tabs"
    page.driver.set_window_size(1280, 2000)
    page.js("document.querySelector('#stat-tags').scrollIntoView()")
    page.screenshot("tags-statistics")
    page.driver.set_window_size(1280, 800)
    # A tag in the table leads to the gallery filtered by it.
    page.js("document.querySelector('#tags-table').closest('details').open = true")
    first_tag = overview["tags"][0]["tag"]
    page.wait(lambda d: d.execute_script("return document.querySelector('#tags-table a.tag-link')?.dataset.tag") == first_tag)
    for attempt in range(3):  # the statistics re-render when /stats answers
        try:
            page.find("#tags-table a.tag-link").click()
            break
        except StaleElementReferenceException:
            time.sleep(0.2)
    page.wait(lambda d: address(page) == {"tag": first_tag})
    wait_for_gallery(page, [p["filename"] for p in photos_api(page, tag=first_tag)], "from the statistics table")
    # Tag photos again: everything is tagged, nothing is sent, nothing is spent.
    page.find("#tag-filter-clear").click()
    page.wait(lambda d: address(page) == {})
    log_before = len(fake.admin("GET", "/fake/log"))
    samples = press_tag_photos(page)
    final = samples[-1]
    assert final["status"] == "done" and final["max"] == 0 and final["now"] == 0, final
    assert final["label"] == "Nothing new to tag"
    assert page.js("return document.querySelector('#tag-job').dataset.total") == "0"
    page.screenshot("tags-nothing-new")
    assert page.api_ok("GET", "/api/v1/tags")["usage"] == overview["usage"], "tagging nothing spent something"
    assert len(fake.admin("GET", "/fake/log")) == log_before, "the model was asked again"
    # A deleted picture takes the model's answer with it (only another photo with the same
    # bytes, another person's, would be answered from the cache): added again, it is sent
    # again, one more call with its tokens, and gets the same tags.
    victim = next(p for p in photos_api(page) if p["filename"] == PHOTOS[0])
    page.api_ok("DELETE", f"/api/v1/photos/{victim['id']}")
    again = page.upload_via_api([PHOTOS[0]])[0]
    assert again["tags"] == [], "a new upload starts untagged"
    open_dashboard(page)
    samples = press_tag_photos(page)
    assert samples[-1]["status"] == "done" and samples[-1]["max"] == 1 and samples[-1]["now"] == 1, samples[-1]
    log = fake.admin("GET", "/fake/log")
    assert len(log) == log_before + 1, "a deleted photo's answer was kept"
    after = page.api_ok("GET", "/api/v1/tags")
    assert after["usage"]["calls"] == overview["usage"]["calls"] + 1
    assert after["usage"]["cached_calls"] == overview["usage"]["cached_calls"]
    assert after["usage"]["prompt_tokens"] == overview["usage"]["prompt_tokens"] + log[-1]["promptTokens"]
    assert after["usage"]["completion_tokens"] == overview["usage"]["completion_tokens"] + log[-1]["completionTokens"]
    assert page.api_ok("GET", f"/api/v1/photos/{again['id']}")["photos"][0]["tags"] == victim["tags"]
    page.find("#tab-statistics").click()
    page.wait(lambda d: page.text("#fact-tag-calls") == fmt_count(after["usage"]["calls"]))
    check_statistics(after, page.api_ok("GET", "/api/v1/stats")["total"])


def test_rate_limit_and_a_refusal_list_the_failed_photo(signed_in, fake):
    page = signed_in
    ensure_photos(page, PHOTOS)
    tag_all_via_api(page)
    ensure_photos(page, MORE_PHOTOS)
    open_dashboard(page)
    untagged = {p["id"]: p for p in photos_api(page) if not p["tags"]}
    assert len(untagged) == len(MORE_PHOTOS)
    fake.admin("DELETE", "/fake/faults")
    fake.admin("POST", "/fake/faults", {"kind": "rate_limit", "count": 1, "retryAfter": 1})
    fake.admin("POST", "/fake/faults", {"kind": "refusal", "count": 1})
    log_before = len(fake.admin("GET", "/fake/log"))
    try:
        samples = press_tag_photos(page)
    finally:
        fake.admin("DELETE", "/fake/faults")
    final = samples[-1]
    assert final["status"] == "done", final
    assert final["max"] == len(MORE_PHOTOS) and final["now"] == len(MORE_PHOTOS)
    assert final["text"] == f"{len(MORE_PHOTOS) - 1} of {len(MORE_PHOTOS)} tagged, 1 failed"
    job = page.api_ok("GET", f"/api/v1/blur/jobs/{final['jobId']}")
    errors = job["errors"]
    failed_ids = [e["photo_id"] for e in errors] if isinstance(errors, list) else list(errors)
    assert job["failed"] == 1 and len(failed_ids) == 1, job
    failed = untagged[failed_ids[0]]
    # The page lists that photo by name with the model's reason.
    assert len(final["failures"]) == 1
    photo_id, line = final["failures"][0]
    assert photo_id == failed["id"]
    assert line.startswith(f"{failed['filename']}: ") and "declined" in line, line
    assert page.find("#tag-job-failures").is_displayed()
    assert page.text("#tag-job-note") == "1 photo could not be tagged:"
    # The fake saw the 429 (then the retry after retry-after) and the refusal.
    log = fake.admin("GET", "/fake/log")[log_before:]
    assert [e["status"] for e in log].count(429) == 1
    assert any(e.get("fault") == "refusal" for e in log)
    # The others are tagged, on the page too.
    api = {p["id"]: p for p in photos_api(page)}
    for photo_id in untagged:
        if photo_id != failed["id"]:
            assert api[photo_id]["tags"], api[photo_id]["filename"]
    page.wait(lambda d: all(bool(c["tags"]) == (c["id"] != failed["id"]) for c in cards(page)),
              message="the gallery does not show which photos were tagged")
    page.js("window.scrollTo(0, 0)")
    page.screenshot("tags-failure")
    # "Try the failed photos again" tags the one that failed.
    retry = page.find("#tag-job-retry")
    assert retry.is_displayed()
    samples = press_tag_photos(page, button="#tag-job-retry")
    assert samples[-1]["max"] == 1 and samples[-1]["now"] == 1 and samples[-1]["failures"] == [], samples[-1]
    assert samples[-1]["label"] == "Tagged 1 photo"
    assert not page.find("#tag-job-retry").is_displayed()
    assert page.api_ok("GET", f"/api/v1/photos/{failed['id']}")["photos"][0]["tags"]


def test_without_openai_the_button_says_why_and_the_page_works(server):
    """A second server with no OPENAI_* at all (tagging off)."""
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("OPENAI_")}
    try:
        other = Server("tags-off")
    finally:
        os.environ.update(saved)
    driver = make_driver()
    page = Page(driver, other, "tags-off")
    try:
        page.sign_in()
        overview = page.api_ok("GET", "/api/v1/tags")
        assert overview["enabled"] is False and overview["reason"]
        page.allow_console(r"/api/v1/tags/batch - Failed to load resource: .* 503")  # this test's own call
        status, body = page.api("POST", "/api/v1/tags/batch", {"filter": "all"})
        assert status == 503 and body["error"]["code"] == "tagging_off", (status, body)
        page.upload_via_api(["sharp-cat.jpg", "motion-cat.jpg"])
        open_dashboard(page)
        assert page.js("return document.body.dataset.tagging") == "off"
        button = page.find("#tag-all")
        assert button.is_displayed()
        assert button.get_attribute("aria-disabled") == "true"
        described = button.get_attribute("aria-describedby")
        reason = page.find(f"#{described}")
        assert reason.is_displayed()
        assert overview["reason"] in reason.text and reason.text.startswith("AI tagging is off")
        # Pressing it says why and asks nothing of the server.
        button.click()
        page.wait(lambda d: any(overview["reason"] in t.text for t in d.find_elements(By.CSS_SELECTOR, ".toast")))
        assert not page.find("#tag-job").is_displayed()
        page.screenshot("tags-off")
        # The rest works: detect blur, the viewer, search, statistics.
        page.find("#detect-all").click()
        page.wait(lambda d: d.execute_script("return document.querySelector('#job').dataset.status") == "done", timeout=120)
        page.wait(lambda d: settled(page) and not page.find_all("#grid .badge-pending"))
        assert all(card["chips"] == [] for card in cards(page))
        page.find_all("#grid .card-open")[0].click()
        page.wait(lambda d: d.execute_script("return document.querySelector('#viewer').dataset.state") == "ready")
        assert page.text("#viewer-caption") == "Not tagged: AI tagging is off on this server."
        page.find("#viewer-close").click()
        type_into_search(page, "cat", enter=True)
        page.wait(lambda d: address(page).get("q") == "cat")
        page.visible("#empty-filtered")
        assert page.text("#empty-filtered-title") == "No photos match"
        page.find("#tab-statistics").click()
        page.visible("#histogram")
        assert overview["reason"] in page.text("#tags-status")
        assert page.text("#fact-tagged") == "0 of 2"
        assert page.find("#tags-chart-empty").is_displayed()
        assert page.console_errors() == []
    finally:
        try:
            page.driver.set_window_size(1280, 1900)
            page.js("window.scrollTo(0, document.body.scrollHeight)")
            page.screenshot("tags-off-statistics")
        finally:
            driver.quit()
            other.stop()


def test_phone_width_dark_mode_and_keyboard(signed_in):
    page = signed_in
    ensure_photos(page, PHOTOS)
    tag_all_via_api(page)
    page.driver.set_window_size(390, 844)
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    open_dashboard(page)
    page.wait(lambda d: all(card["tags"] for card in cards(page)))
    width = page.js("return document.documentElement.clientWidth")
    assert width <= 400

    def no_sideways_scroll(where: str) -> None:
        # Anything past the right edge (the tab bar scrolls by itself, so it is left out).
        wide = page.js(
            "const w = document.documentElement.clientWidth;"
            "return [...document.querySelectorAll('body *')]"
            ".filter((n) => n.getClientRects().length && !n.closest('.tabs, .toasts') && n.getBoundingClientRect().right > w + 0.5)"
            ".map((n) => `${n.tagName.toLowerCase()}#${n.id}.${n.getAttribute('class')} ${Math.round(n.getBoundingClientRect().right)}`)"
        )
        scroll = page.js("return document.documentElement.scrollWidth")
        assert scroll <= width and wide == [], f"{where} scrolls sideways ({scroll} > {width}): {wide}"

    # Dark mode: the page's colours, not the browser's defaults.
    background = page.js("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 20, 24)", background
    chip_colour = page.js("return getComputedStyle(document.querySelector('.tag-chip')).color")
    assert chip_colour == "rgb(232, 234, 237)", chip_colour
    search_bg = page.js("return getComputedStyle(document.querySelector('#search')).backgroundColor")
    assert search_bg == "rgb(26, 30, 36)", search_bg
    no_sideways_scroll("the gallery")
    page.wait(lambda d: d.execute_script("return [...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0)"))
    page.screenshot("tags-phone-gallery")
    # By keyboard: from the search box, Tab reaches a card's first chip; Enter filters by it.
    page.find("#search").click()
    for _ in range(6):
        page.driver.switch_to.active_element.send_keys(Keys.TAB)
        if page.js("return document.activeElement.classList.contains('tag-chip')"):
            break
    assert page.js("return document.activeElement.classList.contains('tag-chip')"), "Tab never reached a tag chip"
    assert page.js("return getComputedStyle(document.activeElement).outlineStyle") != "none", "focus is not visible"
    tag = page.js("return document.activeElement.dataset.tag")
    page.driver.switch_to.active_element.send_keys(Keys.ENTER)
    page.wait(lambda d: address(page) == {"tag": tag})
    wait_for_gallery(page, [p["filename"] for p in photos_api(page, tag=tag)], "filtered by keyboard")
    assert page.js("return document.activeElement.id") == "tag-filter-clear"
    no_sideways_scroll("the filtered gallery")
    page.screenshot("tags-phone-filtered")
    page.driver.switch_to.active_element.send_keys(Keys.ENTER)
    page.wait(lambda d: address(page) == {})
    assert page.js("return document.activeElement.id") == "search", "focus goes back to the search box"
    # The progress panel at phone width.
    page.find("#tag-all").click()
    page.wait(lambda d: d.execute_script("return document.querySelector('#tag-job').dataset.status") == "done")
    no_sideways_scroll("the tagging panel")
    # The viewer with its tags and caption.
    page.find_all("#grid .card-open")[0].click()
    page.visible("#viewer")
    page.wait(lambda d: page.text("#viewer-caption") != "")
    page.js("document.querySelector('.viewer-tags').scrollIntoView()")
    assert page.js("return document.querySelector('#viewer').getBoundingClientRect().width") <= width
    page.screenshot("tags-phone-viewer")
    page.find("#viewer-close").click()
    # Statistics.
    page.find("#tab-statistics").click()
    page.visible("#tags-chart")
    no_sideways_scroll("the statistics")
    assert page.js("return document.querySelector('#tags-chart').getBoundingClientRect().right") <= width
    page.driver.set_window_size(390, 2600)
    page.js("window.scrollTo(0, 0)")
    page.screenshot("tags-phone-statistics")

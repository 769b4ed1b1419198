"""Google Photos in a real browser, against the fake Google (`classify-fakes google`, see
docs/fake-google.md): sign-in through the fake's consent page, Pick Photos in the fake's picker
tab, the sync with its progress bar, the Google badge on cards, blur detection, the album of
clear photos (checked against the fake's own state), a cancelled consent, an unticked
permission, and the page at phone width in dark mode.

The module runs one fake and one `classify serve` configured for it (GOOGLE_* from the fake's
printed export lines, a fresh TOKEN_ENCRYPTION_KEY, PUBLIC_URL), both on loopback and both
stopped at the end. Tests run in file order: the phone test looks at alice's synced library.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import FIXTURES, FakeGoogle, Page, Server, free_port, make_driver

SHARP = ["sharp-cat.jpg", "sharp-rocket.jpg", "sharp-astronaut.jpg"]
BLURRED = ["motion-cat.jpg", "motion-coffee.jpg", "defocus-astronaut.jpg"]
GOOGLE_PHOTOS = SHARP + BLURRED
APPEND_ONLY = "https://www.googleapis.com/auth/photoslibrary.appendonly"


@pytest.fixture(scope="module")
def google_setup():
    photos = Path(tempfile.mkdtemp(prefix="classify-google-photos-"))
    for name in GOOGLE_PHOTOS:
        shutil.copy(FIXTURES / name, photos / name)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Poll every second (Google says 5 s; the page follows whatever pollingConfig says).
    fake = FakeGoogle("test_google", photos, f"{base}/auth/google/callback", ["--poll-interval", "1"])
    try:
        env = {**fake.env, "TOKEN_ENCRYPTION_KEY": secrets.token_hex(32), "PUBLIC_URL": base}
        server = Server("google", env, port=port)
    except BaseException:
        fake.stop()
        shutil.rmtree(photos, ignore_errors=True)
        raise
    yield fake, server
    try:
        server.stop()
    finally:
        fake.stop()
        shutil.rmtree(photos, ignore_errors=True)


@pytest.fixture(scope="module")
def fake(google_setup) -> FakeGoogle:
    return google_setup[0]


@pytest.fixture(scope="module")
def server(google_setup) -> Server:
    """Replaces conftest's local-mode server: this module's page fixture uses this one."""
    return google_setup[1]


# ---------- moves ----------


def consent(page: Page, fake: FakeGoogle, email: str, untick: tuple[str, ...] = (), shot: str | None = None) -> None:
    """From the sign-in page to the fake's consent page: choose an account, untick scopes."""
    page.get("/signin")
    page.visible("#google-signin").click()
    page.wait(lambda d: d.current_url.startswith(fake.base_url + "/o/oauth2/v2/auth"), message="never reached the consent page")
    page.visible("#allow")
    account = page.driver.find_element(By.XPATH, f"//label[contains(., '{email}')]/input[@type='radio']")
    account.click()
    assert account.is_selected()
    boxes = page.find_all("input[type='checkbox'][name='scope']")
    assert len(boxes) == 3, "one checkbox per non-sign-in scope (picker, appendonly, readonly.appcreateddata)"
    assert all(box.is_selected() for box in boxes), "every scope starts ticked"
    for scope in untick:
        box = page.find(f"input[type='checkbox'][value='{scope}']")
        box.click()
        assert not box.is_selected()
    if shot:
        page.screenshot(shot)


def sign_in_with_google(page: Page, fake: FakeGoogle, email: str, untick: tuple[str, ...] = (), shot: str | None = None) -> None:
    consent(page, fake, email, untick, shot)
    page.find("#allow").click()
    page.wait(lambda d: d.current_url == page.url("/"), message="the callback did not land on the dashboard")
    page.wait_for_dashboard()
    # The Google status (banner, menu items) has been applied.
    page.wait(lambda d: d.execute_script("return document.body.dataset.googleStatus") is not None,
              message="the page never applied GET /api/v1/google/status")


def choose(page: Page, item: str) -> None:
    page.find("#user-menu-button").click()
    page.visible(item).click()


def card_names(page: Page) -> list[str]:
    return page.js("return [...document.querySelectorAll('#grid .card .card-name')].map((n) => n.textContent)")


def attribute(page: Page, css: str, name: str):
    return page.js("return document.querySelector(arguments[0])?.getAttribute(arguments[1])", css, name)


# ---------- tests ----------


def test_pick_sync_detect_and_album_end_to_end(page, fake):
    sign_in_with_google(page, fake, "alice@example.com", shot="google-consent")
    assert page.js("return document.body.dataset.googleStatus") == "ok"
    assert not page.find("#google-banner").is_displayed(), "all permissions granted: no banner"
    for item in ("#menu-pick", "#menu-sync", "#menu-album"):
        assert attribute(page, item, "aria-disabled") is None, f"{item} is enabled with every permission"
    assert page.find("#empty-library").is_displayed()

    # Each photo's bytes come a little slowly, so the sync's progress can be seen.
    fake.admin("POST", "/fake/faults", {"pathPrefix": "/lh3/ppa/", "method": "GET", "count": len(GOOGLE_PHOTOS), "delayMs": 1200})

    # Pick Photos: a new tab with the fake's picker page.
    main = page.driver.current_window_handle
    choose(page, "#menu-pick")
    page.wait(lambda d: len(d.window_handles) == 2, message="Pick Photos opened no tab")
    sync_panel = page.visible("#google-sync")
    assert page.find("#google-sync").get_attribute("data-status") == "waiting"
    assert "Waiting for you to pick in Google Photos" in page.text("#google-sync-label")
    assert page.find("#google-sync-cancel").is_displayed()
    picker = next(handle for handle in page.driver.window_handles if handle != main)
    page.driver.switch_to.window(picker)
    page.wait(lambda d: "/picker/" in d.current_url and d.current_url.endswith("/autoclose"),
              message="the new tab never reached the picker URI + /autoclose")
    assert page.driver.current_url.startswith(fake.base_url)
    boxes = page.find_all("input[type='checkbox'][name='file']")
    assert sorted(box.get_attribute("value") for box in boxes) == sorted(GOOGLE_PHOTOS)
    for box in boxes:
        box.click()
    page.screenshot("google-picker")
    page.find("#done").click()
    page.wait(lambda d: "photos picked" in d.find_element(By.ID, "message").text, message="the picker did not take the pick")
    page.driver.close()
    page.driver.switch_to.window(main)

    # Back on the dashboard: the page noticed the pick by polling and syncs by itself.
    page.wait(lambda d: d.execute_script(
        "const p = document.querySelector('#google-sync');"
        "return p.dataset.status === 'done' || (p.dataset.status === 'running' && "
        "Number(document.querySelector('#google-sync-progress').getAttribute('aria-valuenow')) >= 1)"),
        message="the sync never started after the pick")
    if page.find("#google-sync").get_attribute("data-status") == "running":
        bar = page.find("#google-sync-progress")
        assert bar.get_attribute("role") == "progressbar"
        assert bar.get_attribute("aria-valuemax") == str(len(GOOGLE_PHOTOS))
        assert page.text("#google-sync-text").startswith("Syncing ")
        page.screenshot("google-syncing")
    page.wait(lambda d: d.execute_script("return document.querySelector('#google-sync').dataset.status") == "done",
              message="the sync never finished")
    bar = page.find("#google-sync-progress")
    assert bar.get_attribute("aria-valuenow") == bar.get_attribute("aria-valuemax") == str(len(GOOGLE_PHOTOS))
    assert page.text("#google-sync-text") == f"{len(GOOGLE_PHOTOS)} of {len(GOOGLE_PHOTOS)} added"
    assert sync_panel.is_displayed()
    page.wait(lambda d: sorted(card_names(page)) == sorted(GOOGLE_PHOTOS), message="the synced photos never appeared")
    assert page.text("[data-count='all']") == str(len(GOOGLE_PHOTOS))
    assert len(page.find_all("#grid .card[data-source='google'] .source-badge")) == len(GOOGLE_PHOTOS)
    assert all(b.is_displayed() for b in page.find_all(".source-badge"))
    assert "Google Photos" in page.find(".source-badge").text
    page.wait(lambda d: d.execute_script("return [...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0)"),
              message="thumbnails of synced photos did not load")
    page.screenshot("google-synced")
    photos = page.api_ok("GET", "/api/v1/photos?limit=200")["photos"]
    assert {p["source"] for p in photos} == {"google"}

    # The last pick is synced: Sync Photos says to pick first.
    choose(page, "#menu-sync")
    page.wait(lambda d: any("Pick photos first" in t.text for t in d.find_elements(By.CSS_SELECTOR, ".toast")),
              message="Sync Photos after a synced pick did not say to pick first")

    # Detect blur on all, then the album of the clear ones.
    page.find("#detect-all").click()
    page.wait(lambda d: d.execute_script("return document.querySelector('#job').dataset.status") == "done",
              timeout=60, message="blur detection never finished")
    page.wait(lambda d: page.text("[data-count='unprocessed']") == "0")
    clear = sorted(p["filename"] for p in page.api_ok("GET", "/api/v1/photos?filter=not_blurred&limit=200")["photos"])
    assert clear, "the sharp fixtures should be clear"
    assert set(clear) <= set(GOOGLE_PHOTOS)

    choose(page, "#menu-album")
    page.visible("#album-dialog")
    name = page.find("#album-name")
    assert name.get_attribute("value") == ""
    assert name.get_attribute("placeholder").startswith("Classify – clear photos ")
    assert page.js("return document.activeElement.id") == "album-name"
    # Uploads to Google come a little slowly, so the album's progress can be seen.
    fake.admin("POST", "/fake/faults", {"pathPrefix": "/photoslibrary/v1/uploads", "method": "POST", "count": len(clear), "delayMs": 1500})
    page.find("#album-submit").click()
    page.gone("#album-dialog")
    page.visible("#google-album")
    assert page.text("#google-album-text") == f"Adding 0 of {len(clear)} clear photos"
    assert attribute(page, "#google-album-progress", "aria-valuemax") == str(len(clear))
    assert page.find("#google-album").get_attribute("data-status") in ("queued", "running")
    page.screenshot("google-album-progress")
    page.wait(lambda d: d.execute_script("return document.querySelector('#google-album').dataset.status") == "done",
              timeout=60, message="the album never finished")
    bar = page.find("#google-album-progress")
    assert bar.get_attribute("role") == "progressbar"
    assert bar.get_attribute("aria-valuenow") == bar.get_attribute("aria-valuemax") == str(len(clear))
    assert page.text("#google-album-text") == f"{len(clear)} of {len(clear)} added"
    link = page.visible("#google-album-link")
    assert link.text == "Open in Google Photos"
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert link.get_attribute("href").startswith(fake.base_url)
    assert not page.find("#google-album-failures").is_displayed(), "no photo failed"
    assert "is ready" in page.text("#google-album-label")
    for close in page.find_all(".toast .icon-button"):  # the picture is of the album panel
        close.click()
    page.screenshot("google-album-done")

    # The fake holds one album of exactly the photos Classify calls clear.
    state = fake.admin("GET", "/fake/state")
    albums = [album for album in state["albums"] if album["user"] == "alice@example.com"]
    assert len(albums) == 1, albums
    assert albums[0]["title"].startswith("Classify – clear photos ")
    assert sorted(item["filename"] for item in albums[0]["items"]) == clear
    assert link.get_attribute("href").rstrip("/").endswith(albums[0]["id"]) or albums[0]["id"] in link.get_attribute("href")


def test_album_lists_failed_photos_and_retries_them(page, fake):
    """Google refuses one photo of the album: the page names it, and Retry finishes the same album."""
    sign_in_with_google(page, fake, "alice@example.com")
    page.wait(lambda d: len(card_names(page)) == len(GOOGLE_PHOTOS), message="alice's photos did not show")
    clear = sorted(p["filename"] for p in page.api_ok("GET", "/api/v1/photos?filter=not_blurred&limit=200")["photos"])
    fake.admin("POST", "/fake/faults/batch-create-items", {"count": 1, "code": 3, "message": "Failed: the photo was refused"})
    choose(page, "#menu-album")
    page.visible("#album-name").send_keys("Retry test")
    page.find("#album-name").send_keys(Keys.ENTER)
    page.gone("#album-dialog")
    page.wait(lambda d: d.execute_script("return document.querySelector('#google-album').dataset.status") == "done",
              timeout=60, message="the album never finished")
    failures = page.visible("#google-album-failures")
    lines = [li.text for li in failures.find_elements(By.TAG_NAME, "li")]
    assert len(lines) == 1 and "the photo was refused" in lines[0], lines
    assert lines[0].split(":")[0] in clear, f"the failed photo is named by its filename: {lines}"
    assert page.text("#google-album-label") == "Album “Retry test” is ready"
    assert "1 photo could not be added" in page.text("#google-album-note")
    retry = page.visible("#google-album-retry")
    assert page.find("#google-album-link").is_displayed(), "the album exists: its link is there already"
    for close in page.find_all(".toast .icon-button"):
        close.click()
    page.screenshot("google-album-failed-photo")
    retry.click()
    page.wait(lambda d: d.execute_script(
        "const p = document.querySelector('#google-album');"
        "return p.dataset.status === 'done' && document.querySelector('#google-album-failures').hidden"),
        timeout=60, message="the retry did not finish the album")
    assert page.text("#google-album-text") == f"{len(clear)} of {len(clear)} added"
    albums = [a for a in fake.admin("GET", "/fake/state")["albums"] if a["title"] == "Retry test"]
    assert len(albums) == 1, "Retry continues the same album"
    assert sorted(item["filename"] for item in albums[0]["items"]) == clear


def test_cancelled_consent_says_so(page, fake):
    page.allow_console(r"/auth/google/callback.* - Failed to load resource: .*403")
    consent(page, fake, "alice@example.com")
    page.find("#deny").click()
    error = page.visible("#signin-error")
    assert "cancelled" in error.text
    assert "/auth/google/callback" in page.driver.current_url
    assert page.find("#google-signin").is_displayed(), "the sign-in button is there to try again"
    page.screenshot("google-consent-cancelled")
    page.get("/")
    page.wait(lambda d: d.current_url.endswith("/signin"), message="a cancelled sign-in must not sign anyone in")


def test_unticked_album_scope_turns_create_album_off(page, fake):
    # bob: alice's earlier grant would come back (include_granted_scopes).
    sign_in_with_google(page, fake, "bob@example.com", untick=(APPEND_ONLY,))
    assert page.js("return document.body.dataset.googleStatus") == "missing"
    banner = page.visible("#google-banner")
    assert "Create Album is off" in banner.text
    assert "add photos to Google Photos" in banner.text
    assert page.find("#google-banner-signin").get_attribute("href") == page.url("/auth/google/start")
    page.find("#user-menu-button").click()
    page.visible("#menu-album")
    assert attribute(page, "#menu-album", "aria-disabled") == "true"
    assert attribute(page, "#menu-album", "aria-describedby") == "menu-album-reason"
    reason = page.find("#menu-album-reason")
    assert reason.is_displayed() and "Create Album is off" in reason.text
    for item in ("#menu-pick", "#menu-sync"):
        assert attribute(page, item, "aria-disabled") is None, f"{item} keeps working without the album scope"
    page.screenshot("google-scope-missing")
    page.find("#menu-album").click()
    page.wait(lambda d: any("Create Album is off" in t.text for t in d.find_elements(By.CSS_SELECTOR, ".toast")),
              message="a disabled item did not say why")
    assert not page.find("#album-dialog").is_displayed(), "a disabled Create Album opens no dialog"


def test_phone_width_dark_mode_and_keyboard(server, fake):
    """alice's synced library at 390 px in dark mode; the menu and the album dialog by keyboard."""
    driver = make_driver()
    page = Page(driver, server, "google-phone")
    try:
        driver.set_window_size(390, 844)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        sign_in_with_google(page, fake, "alice@example.com")
        page.wait(lambda d: len(card_names(page)) == len(GOOGLE_PHOTOS), message="alice's photos did not show")
        width = page.js("return document.documentElement.clientWidth")
        assert width <= 400
        assert page.js("return document.documentElement.scrollWidth") <= width, "the page scrolls sideways at phone width"
        badge = page.find(".source-badge")
        assert badge.is_displayed() and badge.get_attribute("title") == "From Google Photos"
        page.wait(lambda d: d.execute_script("return [...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0)"))
        page.screenshot("google-phone-gallery")
        # A new tab has no pick of its own: Sync Photos says to pick first.
        page.find("#user-menu-button").send_keys(Keys.ENTER)
        page.visible("#user-menu")
        for _ in range(6):
            if page.js("return document.activeElement.id") == "menu-sync":
                break
            page.driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        assert page.js("return document.activeElement.id") == "menu-sync"
        page.driver.switch_to.active_element.send_keys(Keys.ENTER)
        page.wait(lambda d: any("Pick photos first" in t.text for t in d.find_elements(By.CSS_SELECTOR, ".toast")))
        # Create Album by keyboard: the dialog takes focus, Escape closes it.
        page.find("#user-menu-button").send_keys(Keys.ENTER)
        page.visible("#user-menu")
        page.driver.switch_to.active_element.send_keys(Keys.END)
        page.driver.switch_to.active_element.send_keys(Keys.ARROW_UP)
        assert page.js("return document.activeElement.id") == "menu-album"
        page.driver.switch_to.active_element.send_keys(Keys.ENTER)
        page.visible("#album-dialog")
        assert page.js("return document.activeElement.id") == "album-name"
        dialog_width = page.js("return document.querySelector('#album-dialog').getBoundingClientRect().width")
        assert dialog_width <= width
        page.screenshot("google-phone-album-dialog")
        page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        page.gone("#album-dialog")
        assert page.js("return document.activeElement.id") == "user-menu-button"
        assert page.console_errors() == []
    finally:
        with open(Path(__file__).resolve().parents[2] / ".artifacts" / "console.log", "a", encoding="utf-8") as log:
            for entry in page.console:
                log.write(f"google-phone\t{entry['level']}\t{entry['message']}\n")
        driver.quit()


def test_blocked_tab_stop_waiting_then_sync_photos(page, fake):
    """A browser that blocks the new tab gets a link to click; Stop waiting keeps the pick, and
    Sync Photos later syncs it (here: photos already in Classify, so nothing new)."""
    sign_in_with_google(page, fake, "alice@example.com")
    page.js("window.open = () => null;")  # what a popup blocker does
    choose(page, "#menu-pick")
    page.wait(lambda d: d.execute_script("return document.querySelector('#google-sync').dataset.status") == "waiting")
    assert len(page.driver.window_handles) == 1
    link = page.visible("#google-sync-open")
    assert link.text == "Open Google Photos"
    assert link.get_attribute("href").startswith(fake.base_url + "/picker/") and link.get_attribute("href").endswith("/autoclose")
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert "did not open a new tab" in page.text("#google-sync-note")
    page.screenshot("google-tab-blocked")
    page.find("#google-sync-cancel").click()
    page.wait(lambda d: d.execute_script("return document.querySelector('#google-sync').dataset.status") == "cancelled")
    assert "Sync Photos" in page.text("#google-sync-note")
    assert page.js("return document.activeElement.id") == "google-sync-dismiss"
    # The person picks after all (all of them: they are in Classify already), then syncs.
    session_id = page.js("return JSON.parse(sessionStorage.getItem('classify.google.picker.' + document.body.dataset.userId)).id")
    fake.admin("POST", f"/fake/sessions/{session_id}/pick", {"all": True})
    choose(page, "#menu-sync")
    page.wait(lambda d: d.execute_script("return document.querySelector('#google-sync').dataset.status") == "done",
              message="Sync Photos did not sync the kept pick")
    assert page.text("#google-sync-label") == "Nothing new to sync"
    assert "already in Classify" in page.text("#google-sync-note")
    assert page.text("[data-count='all']") == str(len(GOOGLE_PHOTOS)), "re-syncing duplicates nothing"
    page.find("#google-sync-dismiss").click()
    page.gone("#google-sync")


def test_expired_google_access_shows_banner_and_signs_in_again(page, fake):
    """Google stops honouring alice's tokens: Pick Photos says so, the banner offers a new
    sign-in, the menu items are off with the reason, and signing in again clears it all."""
    page.allow_console(r"/api/v1/photos/google/picker-sessions - Failed to load resource: .*403")
    sign_in_with_google(page, fake, "alice@example.com")
    assert not page.find("#google-banner").is_displayed()
    fake.admin("POST", "/fake/tokens/expire", {"kind": "all"})
    choose(page, "#menu-pick")
    banner = page.visible("#google-banner")
    assert "Google access expired — Sign in with Google again" in banner.text
    assert page.find("#google-banner-signin").get_attribute("href") == page.url("/auth/google/start")
    page.wait(lambda d: any("Sign in with Google again" in t.text for t in d.find_elements(By.CSS_SELECTOR, ".toast-error")),
              message="the failed Pick Photos said nothing")
    page.wait(lambda d: len(d.window_handles) == 1, message="the tab opened for the picker was not closed")
    assert not page.find("#google-sync").is_displayed(), "no waiting panel when no session started"
    for item in ("#menu-pick", "#menu-sync", "#menu-album"):
        assert attribute(page, item, "aria-disabled") == "true", item
        assert attribute(page, item, "aria-describedby") == "menu-google-access-reason", item
    page.find("#user-menu-button").click()
    assert "Sign in with Google again" in page.visible("#menu-google-access-reason").text
    assert not page.find("#menu-album-reason").is_displayed(), "the reason is said once"
    page.screenshot("google-reauth-banner")
    page.find("#user-menu-button").click()
    page.gone("#user-menu")
    # The banner's link starts a new sign-in; afterwards everything is back on.
    page.find("#google-banner-signin").click()
    page.wait(lambda d: d.current_url.startswith(fake.base_url + "/o/oauth2/v2/auth"), message="the banner link did not start a sign-in")
    page.driver.find_element(By.XPATH, "//label[contains(., 'alice@example.com')]/input[@type='radio']").click()
    page.find("#allow").click()
    page.wait(lambda d: d.current_url == page.url("/"))
    page.wait_for_dashboard()
    page.wait(lambda d: d.execute_script("return document.body.dataset.googleStatus") == "ok")
    assert not page.find("#google-banner").is_displayed()
    assert attribute(page, "#menu-pick", "aria-disabled") is None

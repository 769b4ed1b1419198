"""Sign-in, the empty library, the header menu by keyboard, sign-out and the error page."""

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import Server, make_driver, Page


def test_sign_in_page_in_local_mode(page):
    page.get("/")
    page.wait(lambda d: d.current_url.endswith("/signin"), message="/ did not send a visitor to /signin")
    button = page.visible("#signin-submit")
    assert button.text == "Continue"
    assert not page.find_all("#password"), "local mode on loopback asks for no password"
    google = page.find("#google-signin")
    assert not google.is_enabled(), "Google sign-in must be disabled when Google is not configured"
    assert "GOOGLE_CLIENT_ID" in page.text("#google-reason")
    assert not page.find("#signin-error").is_displayed(), "no error shown before any attempt"
    assert page.js("return document.querySelector('.signin-logo').naturalWidth") > 0, "logo did not load"
    page.screenshot("signin")
    button.click()
    page.wait_for_dashboard()
    assert page.driver.current_url == page.url("/")


def test_empty_library_explains_how_to_add_photos(signed_in):
    page = signed_in
    empty = page.visible("#empty-library")
    assert "Drop photos" in empty.text
    assert "classify import PATH" in empty.text
    assert page.find("#empty-upload").is_displayed()
    assert not page.find("#grid").is_displayed()
    assert page.text("[data-count='all']") == "0"
    assert not page.find("#detect-all").is_enabled(), "nothing to analyse in an empty library"
    page.screenshot("empty-library")
    # The Blurred tab of an empty library still says how to add photos, not "no blurred photos".
    page.find("#tab-blurred").click()
    page.wait(lambda d: d.current_url.endswith("/?tab=blurred"))
    page.visible("#empty-library")


def test_menu_by_keyboard(signed_in):
    page = signed_in
    for _ in range(8):
        ActionChains(page.driver).send_keys(Keys.TAB).perform()
        if page.js("return document.activeElement.id") == "user-menu-button":
            break
    assert page.js("return document.activeElement.id") == "user-menu-button", "Tab never reached the menu button"
    assert page.js("return getComputedStyle(document.activeElement).outlineStyle") != "none", "focus is not visible"
    button = page.find("#user-menu-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.send_keys(Keys.ENTER)
    page.visible("#user-menu")
    assert button.get_attribute("aria-expanded") == "true"
    assert page.js("return document.activeElement.id") == "menu-upload", "the first item takes focus"
    page.driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert page.js("return document.activeElement.id") == "menu-import"
    for item in ("#menu-pick", "#menu-sync", "#menu-album"):
        assert page.find(item).get_attribute("aria-disabled") == "true"
    reason = page.find("#menu-google-reason")
    assert reason.is_displayed() and "Google is not configured" in reason.text
    page.screenshot("menu-open")
    page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    page.gone("#user-menu")
    assert page.js("return document.activeElement.id") == "user-menu-button", "Escape gives focus back to the button"
    assert button.get_attribute("aria-expanded") == "false"


def test_import_dialog_opens_prefilled_from_menu(signed_in):
    page = signed_in
    page.find("#user-menu-button").click()
    page.visible("#menu-import").click()
    dialog = page.visible("#import-dialog")
    path = page.find("#import-path").get_attribute("value")
    assert path.endswith("Tests/Fixtures/photos"), path
    page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    page.gone("#import-dialog")
    assert not dialog.is_displayed()


def test_sign_out_returns_to_sign_in(signed_in):
    page = signed_in
    page.find("#user-menu-button").click()
    page.visible("#menu-signout").click()
    page.wait(lambda d: d.current_url.endswith("/signin"), message="sign-out did not land on /signin")
    page.get("/")
    page.wait(lambda d: d.current_url.endswith("/signin"), message="the session outlived sign-out")


def test_unknown_page_shows_error_page(signed_in):
    page = signed_in
    page.allow_console(r"/no/such/page - Failed to load resource: .*404")
    page.get("/no/such/page")
    assert page.visible("#error-status").text == "404"
    assert "/no/such/page" in page.text("#error-title")
    home = page.find("#error-home")
    assert home.get_attribute("href") == page.url("/")
    page.screenshot("error-404")
    home.click()
    page.wait_for_dashboard()


def test_password_sign_in(server):
    """With LOCAL_PASSWORD the page asks for it; a wrong one is refused with a message."""
    other = Server("password", {"LOCAL_PASSWORD": "correct horse battery"})
    driver = make_driver()
    page = Page(driver, other, "password")
    try:
        page.allow_console(r"/signin - Failed to load resource: .*401")
        page.get("/signin")
        page.visible("#password").send_keys("wrong guess")
        page.find("#signin-submit").click()
        error = page.visible("#signin-error")
        assert error.text == "Wrong password."
        page.screenshot("signin-wrong-password")
        page.find("#password").send_keys("correct horse battery")
        page.find("#signin-submit").click()
        page.wait_for_dashboard()
        assert page.driver.current_url == page.url("/")
        # Guessing is bounded: after 10 attempts a minute the page says to wait.
        page.allow_console(r"/signin - Failed to load resource: .*429")
        page.driver.delete_all_cookies()
        for _ in range(12):
            page.get("/signin")
            page.visible("#password").send_keys("another guess")
            page.find("#signin-submit").click()
            if "Too many" in page.visible("#signin-error").text:
                break
        assert "Too many sign-in attempts" in page.text("#signin-error")
        page.screenshot("signin-too-many")
        assert page.console_errors() == []
    finally:
        driver.quit()
        other.stop()

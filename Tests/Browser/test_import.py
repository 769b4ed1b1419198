"""Local mode: importing a folder on the server's machine from the page."""

from conftest import FIXTURES


def test_import_a_folder(signed_in):
    page = signed_in
    page.visible("#empty-library")
    page.find("#empty-import").click()
    page.visible("#import-dialog")
    field = page.find("#import-path")
    assert field.get_attribute("value") == str(FIXTURES), "the field starts at IMPORT_DIR"
    # A folder outside IMPORT_DIR is refused, and the dialog says why.
    page.allow_console(r"/api/v1/photos/import - Failed to load resource: .*403")
    field.clear()
    field.send_keys("/etc")
    page.find("#import-submit").click()
    error = page.visible("#import-error")
    assert error.text, "the refusal has a message"
    assert page.find("#import-dialog").is_displayed(), "the dialog stays open to fix the path"
    page.screenshot("import-refused")
    field.clear()
    field.send_keys(str(FIXTURES))
    page.find("#import-submit").click()
    page.gone("#import-dialog")
    toast = page.visible(".toast-success")
    assert toast.text.startswith("Imported ")
    # The import's progress (streamed by the server) filled the upload panel to the end.
    panel = page.visible("#upload")
    assert page.find("#upload-label").text == "Import finished", panel.text
    assert page.find("#upload-progress").get_attribute("aria-valuenow") == "100"
    assert page.find("#upload-text").text.endswith("added")
    photos = page.api_ok("GET", "/api/v1/photos?limit=200")["photos"]
    assert len(photos) >= 10
    page.wait(lambda d: len(d.find_elements("css selector", "#grid .card")) == len(photos))
    assert page.text("[data-count='all']") == str(len(photos))
    assert not page.find("#empty-library").is_displayed()
    page.screenshot("imported")


def test_gallery_pages_with_load_more_and_scrolling(signed_in):
    """More photos than one page (50): scrolling down fetches the next page by next_cursor."""
    import base64
    import io
    import json
    import random

    from PIL import Image

    page = signed_in
    rng = random.Random(7)
    files = []
    for index in range(60):
        image = Image.new("RGB", (48, 36), tuple(rng.randrange(256) for _ in range(3)))
        image.putpixel((index % 48, index // 48), (255, 255, 255))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        files.append([f"generated-{index:02}.jpg", base64.b64encode(buffer.getvalue()).decode()])
    result = page.driver.execute_async_script(
        """
        const [files, done] = arguments;
        const form = new FormData();
        for (const [name, data] of files) form.append('file', new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))]), name);
        fetch('/api/v1/photos/upload', {method: 'POST', body: form, credentials: 'same-origin',
          headers: {'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]').content}})
          .then(async (r) => done({status: r.status, text: await r.text()}));
        """,
        files,
    )
    assert result["status"] == 201, result
    assert len(json.loads(result["text"])["photos"]) == 60
    total = page.api_ok("GET", "/api/v1/stats")["total"]
    assert total > 50
    page.get("/")
    page.wait_for_dashboard()
    assert len(page.find_all("#grid .card")) == 50, "the first page holds 50"
    assert page.find("#load-more").is_displayed()
    page.js("document.querySelector('#more').scrollIntoView()")
    page.wait(lambda d: len(d.find_elements("css selector", "#grid .card")) == total, message="scrolling did not load the rest")
    assert not page.find("#more").is_displayed(), "no Load more once every photo is shown"
    ids = page.js("return [...document.querySelectorAll('#grid .card')].map((c) => c.dataset.id)")
    assert len(set(ids)) == total, "pages overlap"

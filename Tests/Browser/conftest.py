"""Real-browser tests of Classify's page: each test module gets its own `classify serve`
(fresh DATA_DIR, free port), each test a fresh headless Chromium. After every test the
browser console must hold no SEVERE entry (unless the test said which one it expects), and a
screenshot of the final state is kept in .artifacts/screenshots/<test>.png."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from selenium.common.exceptions import WebDriverException

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "Tests" / "Fixtures" / "photos"
ARTIFACTS = REPO / ".artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WAIT = 30  # seconds: the longest any single wait may take


def classify_binary() -> str:
    path = os.environ.get("CLASSIFY_BIN") or str(REPO / ".build" / "debug" / "classify")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no classify binary at {path}: run `swift build` or set CLASSIFY_BIN")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`classify serve` in a subprocess, its output kept in .artifacts/."""

    def __init__(self, name: str, extra_env: dict[str, str] | None = None, port: int | None = None):
        """`extra_env` is applied last, so GOOGLE_* given there are kept (only the ambient ones
        are dropped); `port` is for a caller that must know it first (Google's redirect URI)."""
        self.name = name
        self.data_dir = tempfile.mkdtemp(prefix=f"classify-browser-{name}-")
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.session_cookie: dict | None = None
        self.log_path = ARTIFACTS / f"server-{name}.log"
        self.log = open(self.log_path, "wb")
        env = dict(os.environ)
        for key in ("LOCAL_PASSWORD", "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "AUTH_DB_URL", "PHOTOS_DB_URL", "REDIS_URL"):
            env.pop(key, None)
        env.update(DATA_DIR=self.data_dir, HOST="127.0.0.1", PORT=str(self.port), WORKERS="2", IMPORT_DIR=str(FIXTURES))
        env.update(extra_env or {})
        self.process = subprocess.Popen(
            [classify_binary(), "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.data_dir
        )
        self.wait_until_up()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"classify serve exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"classify serve did not answer /health within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def fakes_binary() -> str:
    path = os.environ.get("CLASSIFY_FAKES_BIN") or str(REPO / ".build" / "debug" / "classify-fakes")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no classify-fakes binary at {path}: run `swift build --product classify-fakes` or set CLASSIFY_FAKES_BIN")
    return path


class FakeProcess:
    """A `classify-fakes KIND` subprocess on loopback, its output kept in .artifacts/. `env` is
    what it printed for Classify (its `export` lines); `admin` calls its /fake API."""

    kind = ""
    env_prefix = ""  # the fake must not inherit the app's settings of its kind
    ready_path = "/fake/state"
    required_export = ""

    def __init__(self, name: str, arguments: list[str]):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / f"fake-{self.kind}-{name}.log"
        self.log = open(self.log_path, "wb")
        command = [fakes_binary(), self.kind, "--host", "127.0.0.1", "--port", str(self.port), *arguments]
        env = {key: value for key, value in os.environ.items() if not key.startswith(self.env_prefix)}
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.env = self.wait_until_up()

    def wait_until_up(self) -> dict[str, str]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"classify-fakes {self.kind} exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=2) as response:
                    if response.status == 200 and "export" in self.log_path.read_text(errors="replace"):
                        return self.exports()
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"classify-fakes {self.kind} did not answer within 30 s; see {self.log_path}")

    def exports(self) -> dict[str, str]:
        """The variables of the `export …` lines the fake printed for Classify."""
        import shlex

        env: dict[str, str] = {}
        for line in self.log_path.read_text(errors="replace").splitlines():
            words = shlex.split(line.strip())
            if words[:1] == ["export"]:
                env.update(word.split("=", 1) for word in words[1:] if "=" in word)
        if self.required_export not in env:
            raise RuntimeError(f"classify-fakes {self.kind} printed no export lines; see {self.log_path}")
        return env

    def admin(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class FakeGoogle(FakeProcess):
    """`classify-fakes google` (docs/fake-google.md): OAuth with its consent page, the Photos
    Picker with its picker page, the Library API and the /fake admin API."""

    kind, env_prefix, ready_path, required_export = "google", "GOOGLE_", "/fake/users", "GOOGLE_AUTH_URL"

    def __init__(self, name: str, photos: Path, redirect_uri: str, extra_args: list[str] | None = None):
        super().__init__(name, ["--photos", str(photos), "--redirect-uri", redirect_uri, *(extra_args or [])])


class FakeOpenAI(FakeProcess):
    """`classify-fakes openai` (docs/fake-openai.md): chat completions that tag images from
    their pixels, faults and a request log under /fake/."""

    kind, env_prefix, ready_path, required_export = "openai", "OPENAI_", "/fake/state", "OPENAI_BASE_URL"

    def __init__(self, name: str, extra_args: list[str] | None = None):
        super().__init__(name, list(extra_args or []))


@pytest.fixture(scope="session", autouse=True)
def fresh_artifacts():
    """Each run starts its console log afresh (screenshots are overwritten by name)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "console.log").write_text("")


@pytest.fixture(scope="module")
def server(request):
    """A fresh server (empty library) for each test module."""
    instance = Server(Path(request.module.__file__).stem)
    yield instance
    instance.stop()


def make_driver(width: int = 1280, height: int = 800) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--lang=en-US",
        "--force-prefers-reduced-motion",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


class Page:
    """A browser on one server, with the few moves every test needs."""

    def __init__(self, driver: webdriver.Chrome, server: Server, test_name: str):
        self.driver = driver
        self.server = server
        self.test_name = test_name
        self.allowed_console: list[re.Pattern] = []
        self.console: list[dict] = []

    # --- navigation and waiting ---

    def url(self, path: str) -> str:
        return self.server.base_url + path

    def get(self, path: str) -> None:
        self.driver.get(self.url(path))

    def wait(self, condition, timeout: float = WAIT, message: str = ""):
        # A page that re-renders or navigates (the statistics do when /stats answers, a form
        # when it is sent) can replace an element between finding it and reading it; Chrome then
        # answers "stale element" or "Node ... does not belong to the document". That poll does
        # not count, the next one decides; a condition that never holds still times out.
        return WebDriverWait(
            self.driver, timeout, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)
        ).until(condition, message)

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def visible(self, css: str, timeout: float = WAIT):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout, f"{css} never became visible")

    def gone(self, css: str, timeout: float = WAIT):
        return self.wait(EC.invisibility_of_element_located((By.CSS_SELECTOR, css)), timeout, f"{css} never went away")

    def text(self, css: str) -> str:
        return self.find(css).text

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def sign_in(self) -> None:
        """Signs in through the form once per server, then reuses the session cookie: the
        server allows only 10 sign-in attempts a minute from one address."""
        cookie = self.server.session_cookie
        if cookie:
            self.get("/signin")  # any page of this origin, so the cookie can be set
            self.driver.add_cookie(cookie)
            self.get("/")
            if not self.driver.current_url.endswith("/signin"):
                self.wait_for_dashboard()
                return
            self.server.session_cookie = None  # signed out by an earlier test
        self.get("/signin")
        self.visible("#signin-submit").click()
        self.wait_for_dashboard()
        self.server.session_cookie = self.driver.get_cookie("classify_session")

    def wait_for_dashboard(self) -> None:
        self.wait(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"), message="dashboard never ran its script")
        self.wait(lambda d: d.execute_script("return !document.querySelector('#grid').hasAttribute('aria-busy')"))

    # --- the API, called from inside the page (same cookie, same CSRF token) ---

    def api(self, method: str, path: str, body=None) -> tuple[int, object]:
        result = self.driver.execute_async_script(
            """
            const [method, path, body, done] = arguments;
            const headers = {Accept: 'application/json'};
            if (method !== 'GET') headers['X-CSRF-Token'] = document.querySelector('meta[name="csrf-token"]').content;
            if (body !== null) headers['Content-Type'] = 'application/json';
            fetch(path, {method, headers, credentials: 'same-origin', body: body === null ? undefined : JSON.stringify(body)})
              .then(async (response) => done({status: response.status, text: await response.text()}))
              .catch((error) => done({status: 0, text: String(error)}));
            """,
            method,
            path,
            body,
        )
        text = result["text"]
        return result["status"], (json.loads(text) if text else None)

    def api_ok(self, method: str, path: str, body=None):
        status, data = self.api(method, path, body)
        assert 200 <= status < 300, f"{method} {path} answered {status}: {data}"
        return data

    def upload_via_api(self, names: list[str]) -> list[dict]:
        files = [[name, base64.b64encode((FIXTURES / name).read_bytes()).decode()] for name in names]
        result = self.driver.execute_async_script(
            """
            const [files, done] = arguments;
            const form = new FormData();
            for (const [name, data] of files) {
              const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
              form.append('file', new Blob([bytes]), name);
            }
            fetch('/api/v1/photos/upload', {method: 'POST', body: form, credentials: 'same-origin',
              headers: {'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]').content}})
              .then(async (response) => done({status: response.status, text: await response.text()}));
            """,
            files,
        )
        assert result["status"] == 201, result
        return json.loads(result["text"])["photos"]

    def analyse_all_via_api(self) -> None:
        job = self.api_ok("POST", "/api/v1/blur/analyze-batch", {})
        deadline = time.monotonic() + 120
        while job["total"] and time.monotonic() < deadline:
            status = self.api_ok("GET", f"/api/v1/blur/jobs/{job['job_id']}")
            if status["status"] in ("done", "failed"):
                return
            time.sleep(0.3)
        assert not job["total"], "analysis did not finish within 120 s"

    # --- evidence ---

    def screenshot(self, name: str | None = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name or self.test_name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def allow_console(self, pattern: str) -> None:
        """Declares a console error this test causes on purpose (e.g. a 404 page)."""
        self.allowed_console.append(re.compile(pattern))

    def console_errors(self) -> list[str]:
        self.console.extend(self.driver.get_log("browser"))
        return [
            entry["message"]
            for entry in self.console
            if entry["level"] == "SEVERE" and not any(p.search(entry["message"]) for p in self.allowed_console)
        ]


PHOTO_NAMES = [
    "sharp-cat.jpg",
    "sharp-astronaut.jpg",
    "sharp-rocket.jpg",
    "motion-cat.jpg",
    "motion-coffee.jpg",
    "defocus-astronaut.jpg",
    "defocus-coffee.jpg",
    "realmotion-clock.jpg",
]
DROP_NAMES = ["sharp-coffee.png", "sharp-grace-hopper.jpg"]


@pytest.fixture
def page(server, request):
    driver = make_driver()
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    instance = Page(driver, server, test_name)
    try:
        yield instance
    finally:
        try:
            instance.screenshot()
            errors = instance.console_errors()
        finally:
            with open(ARTIFACTS / "console.log", "a", encoding="utf-8") as log:
                for entry in instance.console:
                    log.write(f"{test_name}\t{entry['level']}\t{entry['message']}\n")
            driver.quit()
        if errors:
            pytest.fail("browser console errors:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def signed_in(page):
    page.sign_in()
    return page


@pytest.fixture
def library(signed_in):
    """The dashboard with the fixture photos uploaded and analysed (done through the API when
    an earlier test has not already done it through the page)."""
    page = signed_in
    names = {photo["filename"] for photo in page.api_ok("GET", "/api/v1/photos?limit=200")["photos"]}
    missing = [name for name in PHOTO_NAMES + DROP_NAMES if name not in names]
    if missing:
        page.upload_via_api(missing)
    page.analyse_all_via_api()
    page.api_ok("PATCH", "/api/v1/users/me/settings", {"blur_threshold": 0.5})
    page.get("/")
    page.wait_for_dashboard()
    return page

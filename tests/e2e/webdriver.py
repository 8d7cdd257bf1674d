"""A small W3C WebDriver client (Python standard library only) for Debian's chromium and
chromium-driver, so browser tests need nothing beyond apt packages.

    with Browser() as b:
        b.get("http://127.0.0.1:8080/checkout/cs_...")
        b.type("input[name=card]", "4242424242424242")
        b.click("button[type=submit]")
        assert b.url().startswith("https://merchant.example/success")
        b.screenshot("docs/checkout.png")
"""
import base64
import http.client
import json
import shutil
import socket
import subprocess
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1000,900"]
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"  # the W3C name of an element reference


class WebDriverError(Exception):
    pass


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One headless Chromium with a fresh profile, driven through chromedriver."""

    def __init__(self, timeout=30):
        self.timeout = timeout
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="jopay-chromium-")
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.session = None
        try:
            self._wait_driver()
            caps = {"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": CHROMIUM,
                                       "args": CHROMIUM_ARGS + [f"--user-data-dir={self.profile}"]},
            }}}
            self.session = self._call("POST", "/session", caps)["sessionId"]
        except BaseException:
            self.quit()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()

    def _wait_driver(self):
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            try:
                self._call("GET", "/status")
                return
            except OSError:
                time.sleep(0.05)
        raise WebDriverError("chromedriver did not start")

    def _call(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout * 2)
        try:
            data = json.dumps(body) if body is not None else None
            conn.request(method, path, data, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            answer = json.loads(resp.read() or b"{}")
        finally:
            conn.close()
        value = answer.get("value")
        if resp.status >= 400:
            raise WebDriverError(f"{method} {path}: {resp.status} {value}")
        return value

    def _s(self, path):
        return f"/session/{self.session}{path}"

    # -- navigation ----------------------------------------------------------------------
    def get(self, url):
        self._call("POST", self._s("/url"), {"url": url})

    def url(self):
        return self._call("GET", self._s("/url"))

    def title(self):
        return self._call("GET", self._s("/title"))

    def source(self):
        return self._call("GET", self._s("/source"))

    # -- elements ------------------------------------------------------------------------
    def find(self, css):
        """The first element matching `css`; raises WebDriverError if there is none."""
        found = self._call("POST", self._s("/element"), {"using": "css selector", "value": css})
        return found[ELEMENT_KEY]

    def find_all(self, css):
        found = self._call("POST", self._s("/elements"), {"using": "css selector", "value": css})
        return [f[ELEMENT_KEY] for f in found]

    def exists(self, css):
        return bool(self.find_all(css))

    def text(self, css="body"):
        return self._call("GET", self._s(f"/element/{self.find(css)}/text"))

    def attribute(self, css, name):
        return self._call("GET", self._s(f"/element/{self.find(css)}/attribute/{name}"))

    def type(self, css, text, clear=True):
        element = self.find(css)
        if clear:
            self._call("POST", self._s(f"/element/{element}/clear"), {})
        self._call("POST", self._s(f"/element/{element}/value"), {"text": text})

    def click(self, css):
        self._call("POST", self._s(f"/element/{self.find(css)}/click"), {})

    # -- output --------------------------------------------------------------------------
    def screenshot(self, path):
        png = self._call("GET", self._s("/screenshot"))
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def quit(self):
        if self.session:
            try:
                self._call("DELETE", self._s(""))
            except (OSError, WebDriverError):
                pass
            self.session = None
        if self.driver.poll() is None:
            self.driver.terminate()
            try:
                self.driver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

"""The Flight App in Chromium: time from pressing Pay to CONFIRMED on screen, over the local AppSync (TLS, AppSync's
real-time protocol, the local user pool), against a DynamoDB Local it starts itself.

Both instants are taken inside the page (performance.now()): the Pay button's click, and the mutation that puts
"Confirmed" in the booking's status region. Prints the median and p90 over the bookings. Needs web/dist built
(`make web`) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from appsync.local import environment  # noqa: E402
from appsync.local.dynamodb.local import DynamoDBLocal  # noqa: E402
from appsync.local.server import LocalAppSync, serve_in_thread  # noqa: E402
from appsync.local.web import WEB_DIST  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, FlightApp, tomorrow  # noqa: E402

# Records when Pay is clicked and when "Confirmed" first appears in the status region, in page time.
WATCH = """() => {
  window.__pay = null; window.__confirmed = null;
  document.addEventListener('click', (e) => {
    if (e.target.closest('button')?.textContent.trim().startsWith('Pay')) window.__pay = performance.now();
  }, { capture: true });
  new MutationObserver(() => {
    const status = document.querySelector('[role=status]');
    if (window.__confirmed === null && status && status.textContent.includes('Confirmed')) {
      window.__confirmed = performance.now();
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=10)
    args = parser.parse_args()
    with DynamoDBLocal() as local:
        state = Path(tempfile.mkdtemp())
        environment.configure(local.endpoint, state)
        from appsync.local.dynamodb.seed import seed
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        seed()
        appsync = LocalAppSync(state / "appsync", web_dist=WEB_DIST)
        appsync.user_pool.ensure_demo_users()
        with serve_in_thread(appsync, tls=True) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=url.removesuffix("/graphql") + "/", ignore_https_errors=True)
            app = FlightApp(context.new_page())
            app.page.goto("/")
            app.sign_in("alice")
            times = []
            for _ in range(args.bookings):
                app.search("LGW", "MAD", tomorrow())
                app.page.evaluate(WATCH)
                app.book("tok_visa")
                expect(app.booking_status()).to_contain_text("Confirmed", timeout=20_000)
                times.append(app.page.evaluate("window.__confirmed - window.__pay"))
            browser.close()
        appsync.close()
    times.sort()
    p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
    print(f"Pay → CONFIRMED on screen over {len(times)} bookings (Chromium, local AppSync over TLS):")
    median = statistics.median(times)
    print(f"  median {median:.0f} ms   p90 {p90:.0f} ms   min {times[0]:.0f} ms   max {times[-1]:.0f} ms")


if __name__ == "__main__":
    main()

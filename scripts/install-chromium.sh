#!/usr/bin/env bash
# Installs a headless-capable Chromium (Debian's package chromium) when `chromium` is missing.
# DemoReportBrowserTest renders the demo report in a real headless Chromium (the rendered text, a
# screenshot, the page's width) and fails when the program is absent; it never fakes a browser.
# Maven runs it before the tests (pom.xml, execution chromium-for-tests). Without recommends
# Chromium brings no font; DejaVu serves the report's sans-serif and monospace text.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" install-chromium.sh chromium chromium fonts-dejavu-core

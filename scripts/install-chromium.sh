#!/usr/bin/env bash
# Installs a headless-capable Chromium (Debian's package chromium) when `chromium` is missing.
# DemoReportBrowserTest renders the demo report in a real headless Chromium (the rendered text, a
# screenshot, the page's width) and fails when the program is absent; it never fakes a browser.
# Needs root (or password-less sudo) and apt-get; does nothing when `chromium` is already on the
# PATH. Maven runs it before the tests (pom.xml, execution chromium-for-tests).
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium.sh: chromium is missing and apt-get is not available; install Chromium (a \`chromium\` program on the PATH) with this system's package manager" >&2
  exit 1
fi
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  sudo="sudo -n"  # never wait for a password: fail and say so
fi
echo "install-chromium.sh: installing chromium with apt-get" >&2
$sudo apt-get update -qq
# Without recommends Chromium brings no font; DejaVu serves the report's sans-serif and monospace text.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null

#!/usr/bin/env bash
# The differential tests run the real OpenStack Placement 8.0 and osc-placement (Debian's
# python3-placement, and python3-osc-placement with the `openstack` command of python3-openstackclient,
# which python3-osc-placement does not pull in). Installs them with apt-get when they are
# missing: as root directly, otherwise through sudo without a password prompt.
set -euo pipefail
PACKAGES=(python3-placement python3-osc-placement python3-openstackclient)
if [ -d /usr/lib/python3/dist-packages/placement ] && [ -d /usr/lib/python3/dist-packages/osc_placement ] &&
  [ -x /usr/bin/openstack ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "The tests need ${PACKAGES[*]} (Debian packages): install them as root, e.g." >&2
  echo "  sudo apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
fi
echo "Installing ${PACKAGES[*]} for the tests that compare against the real Placement…" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get install -y -q "${PACKAGES[@]}" >&2; then
  "${SUDO[@]}" apt-get update -q >&2
  "${SUDO[@]}" apt-get install -y -q "${PACKAGES[@]}" >&2
fi

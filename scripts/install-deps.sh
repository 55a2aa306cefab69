#!/usr/bin/env bash
# Installs the Debian packages that the tests run for real: the gateways
# of the lab, PHP-FPM, PostgreSQL for the monitor's store, and Chromium
# for the HTML pages. Quiet and quick when nothing is missing.
#
# It works as root, or as a user with sudo, and says what it needs when
# neither is at hand. While it installs, a policy-rc.d guard keeps the
# packages from starting their system services (nginx and apache2 would
# take port 80); afterwards the machine's own policy-rc.d, if it had one,
# is put back, and otherwise the guard is removed.
#
# Environment:
#   GWDOCTOR_INSTALL_ROOT  prefix for the files this script writes
#                          (default: none, so /usr/sbin/policy-rc.d)
#   GWDOCTOR_PACKAGES      the packages to install (default: the list below)
set -euo pipefail

packages=(${GWDOCTOR_PACKAGES:-ca-certificates iproute2 nginx haproxy apache2 caddy varnish squid lighttpd php-fpm postgresql chromium})
root="${GWDOCTOR_INSTALL_ROOT:-}"
guard="$root/usr/sbin/policy-rc.d"
saved="$guard.gwdoctor-saved"
marker="# gwdoctor install-deps: no service starts while installing"

# installed says whether dpkg has the package installed. dpkg -s alone
# also succeeds for a package removed with its configuration kept
# ("deinstall ok config-files") or one whose install was cut short, so
# the Status line decides (see dpkg-query(1), "Package states").
installed() {
  local status
  status=$(dpkg -s "$1" 2>/dev/null) || return 1
  grep -Eqx 'Status: [a-z]+ ok installed' <<<"$status"
}

# leftover says whether an interrupted run left its guard, or the policy
# it saved, behind. Such a guard forbids every service start on the
# machine, so it goes even when nothing is missing.
leftover() {
  [ -e "$saved" ] || grep -qsF "$marker" "$guard"
}

missing=()
for pkg in "${packages[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && ! leftover && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    task="installing ${missing[*]}"
    [ ${#missing[@]} -gt 0 ] || task="removing the service guard an interrupted run left at $guard"
    echo "install-deps: $task needs root: run this as root, or install sudo and give this user the right to use it" >&2
    exit 1
  fi
  as_root=(sudo)
fi

# restore puts the machine's policy-rc.d back as it was before this run.
restore() {
  if [ -e "$saved" ]; then
    "${as_root[@]}" mv -f "$saved" "$guard"
  elif grep -qsF "$marker" "$guard"; then
    "${as_root[@]}" rm -f "$guard"
  fi
}

# A guard left behind by an interrupted run is removed (and an older
# policy it had saved put back) before a new one is written.
restore
[ ${#missing[@]} -gt 0 ] || exit 0
if [ -e "$guard" ]; then
  "${as_root[@]}" mv -f "$guard" "$saved"
fi
trap restore EXIT
trap 'exit 130' INT TERM

echo "== installing ${missing[*]}"
"${as_root[@]}" mkdir -p "$(dirname "$guard")"
printf '#!/bin/sh\n%s\nexit 101\n' "$marker" | "${as_root[@]}" tee "$guard" >/dev/null
"${as_root[@]}" chmod 0755 "$guard"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Tests scripts/install-deps.sh without installing anything and without
# touching the machine's /usr/sbin: GWDOCTOR_INSTALL_ROOT points the
# policy-rc.d guard into a temporary directory, and stand-ins for dpkg,
# apt-get and sudo come first on PATH and record how they were called.
#
# The apt-get stand-in checks, at the moment it is called, that the guard
# is in place and answers 101 ("action forbidden", the policy-rc.d
# interface of Debian's invoke-rc.d), so a case passes only where a real
# install would neither start services nor leave the guard behind.
#
# It runs as root, because some cases run the install as the unprivileged
# user nobody (65534). As another user it runs itself again through
# sudo -n when that needs no password, and otherwise stops and says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    exec sudo -n bash "$self" "$@"
  fi
  echo "test-install-deps: must run as root (or as a user with sudo that needs no password): some cases run install-deps.sh as the user nobody" >&2
  exit 1
fi

nobody=65534
bash_bin=$(command -v bash)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gwdoctor-install-deps.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp" # the unprivileged cases must reach their directories
cp -p "$here/install-deps.sh" "$tmp/install-deps.sh"

# drop runs a command as the user nobody, without supplementary groups.
if command -v setpriv >/dev/null 2>&1; then
  drop=(setpriv --reuid=$nobody --regid=$nobody --clear-groups)
else
  drop=(runuser -u "$(id -nu $nobody)" --)
fi
if ! "${drop[@]}" test -r "$tmp/install-deps.sh"; then
  echo "test-install-deps: the user nobody cannot reach $tmp: set TMPDIR to a directory it can" >&2
  exit 1
fi

# The marker line by which install-deps.sh knows its own guard.
marker=$(sed -n 's/^marker="\(.*\)"$/\1/p' "$tmp/install-deps.sh")
if [ -z "$marker" ]; then
  echo "test-install-deps: no marker=\"...\" line in install-deps.sh" >&2
  exit 1
fi

# ---- stand-ins ----

# write_standin NAME DIR: writes DIR/bin/NAME from the body on stdin,
# after lines that set $state (the case's state directory) and $guard
# (where the case expects the guard).
write_standin() {
  local file="$2/bin/$1"
  {
    printf '#!%s\n' "$bash_bin"
    printf 'state=%q\nguard=%q\n' "$2/state" "$2/root/usr/sbin/policy-rc.d"
    cat
  } >"$file"
  chmod 0755 "$file"
}

# dpkg: only "dpkg -s PKG". state/installed lists the installed packages
# ("*" for all); state/config-files lists packages removed with their
# configuration kept, for which the real dpkg -s also succeeds. The
# output mimics dpkg's own.
standin_dpkg() {
  write_standin dpkg "$1" <<'EOF'
printf 'dpkg %s\n' "$*" >>"$state/log"
if [ $# -ne 2 ] || [ "$1" != -s ]; then
  echo "dpkg stand-in: unexpected call: dpkg $*" >&2
  exit 2
fi
if grep -qxF -e '*' -e "$2" "$state/installed" 2>/dev/null; then
  printf 'Package: %s\nStatus: install ok installed\nVersion: 1.0\n' "$2"
  exit 0
fi
if grep -qxF -e "$2" "$state/config-files" 2>/dev/null; then
  printf 'Package: %s\nStatus: deinstall ok config-files\nVersion: 1.0\n' "$2"
  exit 0
fi
echo "dpkg-query: package '$2' is not installed and no information is available" >&2
exit 1
EOF
}

# apt-get: records its arguments, the effective uid, DEBIAN_FRONTEND and
# whether a working guard is in place. With state/apt-fail present,
# "install" fails as apt-get does (exit 100).
standin_apt_get() {
  write_standin apt-get "$1" <<'EOF'
rc=0
if [ ! -e "$guard" ]; then g=guard-missing
elif [ ! -x "$guard" ]; then g=guard-missing/not-executable
else
  "$guard" nginx start >/dev/null 2>&1 || rc=$?
  if [ "$rc" -eq 101 ]; then g=guard-ok; else g=guard-missing/exits-$rc; fi
fi
printf 'apt-get uid=%s frontend=%s %s args: %s\n' \
  "$(id -u)" "${DEBIAN_FRONTEND:-}" "$g" "$*" >>"$state/log"
case " $* " in
*" install "*) if [ -e "$state/apt-fail" ]; then echo "E: failed" >&2; exit 100; fi ;;
esac
exit 0
EOF
}

# sudo: records its arguments and runs the command as the same user.
# Like the real sudo's env_reset it drops DEBIAN_FRONTEND unless given
# -E; it keeps PATH, so that the other stand-ins stay in front.
standin_sudo() {
  write_standin sudo "$1" <<'EOF'
printf 'sudo uid=%s args: %s\n' "$(id -u)" "$*" >>"$state/log"
keep_env=false
while [ $# -gt 0 ]; do
  case "$1" in
  -E) keep_env=true; shift ;;
  -n | -H) shift ;;
  --) shift; break ;;
  -*) echo "sudo stand-in: unexpected option $1" >&2; exit 1 ;;
  *) break ;;
  esac
done
$keep_env || unset DEBIAN_FRONTEND
exec "$@"
EOF
}

# new_case NAME: a fresh case directory with bin/ (the stand-ins for
# dpkg and apt-get), root/ (GWDOCTOR_INSTALL_ROOT) and state/ (the log).
new_case() {
  local dir="$tmp/$1"
  mkdir -p "$dir/bin" "$dir/root" "$dir/state"
  : >"$dir/state/log"
  standin_dpkg "$dir"
  standin_apt_get "$dir"
  echo "$dir"
}

# as_nobody DIR: hands DIR to the user nobody, for the unprivileged cases.
as_nobody() {
  chown -R "$nobody:$nobody" "$1"
}

# run_install DIR PATH PACKAGES [RUNNER...]: runs install-deps.sh with
# only PATH, HOME, LC_ALL and the GWDOCTOR_ variables set (an empty
# PACKAGES leaves GWDOCTOR_PACKAGES unset), under RUNNER if one is given.
# Output goes to DIR/out and DIR/err, the exit status to DIR/rc.
run_install() {
  local dir=$1 path=$2 pkgs=$3 rc=0
  shift 3
  local vars=(PATH="$path" HOME="$dir" LC_ALL=C GWDOCTOR_INSTALL_ROOT="$dir/root")
  [ -z "$pkgs" ] || vars+=(GWDOCTOR_PACKAGES="$pkgs")
  (cd "$dir" && timeout 60 "$@" env -i "${vars[@]}" "$tmp/install-deps.sh" \
    >"$dir/out" 2>"$dir/err") || rc=$?
  echo "$rc" >"$dir/rc"
}

# ---- checks ----

failures=0
problems=()

# expect WHY COMMAND...: notes WHY as a problem unless COMMAND succeeds.
expect() {
  local why=$1
  shift
  "$@" || problems+=("$why")
}

# report NAME DIR: prints "ok - NAME", or "FAIL - NAME: why" followed by
# what the case recorded.
report() {
  local why
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok - $1"
    return
  fi
  why=$(printf '%s; ' "${problems[@]}")
  problems=()
  echo "FAIL - $1: ${why%; }"
  failures=$((failures + 1))
  local f
  for f in rc out err state/log; do
    [ -s "$2/$f" ] && sed "s|^|#   $f: |" "$2/$f"
  done
  return 0
}

rc_is() { [ "$(cat "$1/rc")" = "$2" ]; }
rc_not_zero() { [ "$(cat "$1/rc")" != 0 ]; }
log_has() { grep -Eq -- "$2" "$1/state/log"; }
log_lacks() { ! grep -Eq -- "$2" "$1/state/log"; }
absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }
empty_file() { [ ! -s "$1" ]; }
no_saved() { [ -z "$(find "$1/root" -name '*.gwdoctor-saved')" ]; }
nothing_written() { [ -z "$(find "$1/root" -mindepth 1)" ]; }
has_word() { grep -Eq " $2( |\$)" <<<"$1"; }
lacks_word() { ! has_word "$1" "$2"; }
same_file() { cmp -s "$1" "$2" && [ "$(stat -c %a "$1")" = "$(stat -c %a "$2")" ]; }

# install_line DIR: the apt-get call that installs, if there is one.
install_line() { grep -E '^apt-get .* args: install( |$)' "$1/state/log" || true; }

# expect_install DIR UID WANT [UNWANTED]: exactly one apt-get install,
# run as UID, non-interactive, with the guard in place, asking for each
# package of WANT and none of UNWANTED; an apt-get update before it.
expect_install() {
  local dir=$1 uid=$2 want=$3 unwanted=${4:-} line pkg
  line=$(install_line "$dir")
  expect "apt-get update not called" log_has "$dir" '^apt-get .* args: update( |$)'
  expect "apt-get install called $(grep -c . <<<"$line") times, want 1" \
    [ "$(grep -c . <<<"$line")" -eq 1 ]
  [ -n "$line" ] || return 0
  expect "apt-get install ran as uid ${line#apt-get uid=}, want $uid" \
    grep -q "^apt-get uid=$uid " <<<"$line"
  expect "no working guard during apt-get install" grep -q ' guard-ok ' <<<"$line"
  expect "apt-get install not non-interactive" grep -q ' frontend=noninteractive ' <<<"$line"
  expect "apt-get install without -y" grep -Eq ' args: install .*(-y|--yes|--assume-yes)( |$)' <<<"$line"
  for pkg in $want; do
    expect "$pkg not asked for" has_word "$line" "$pkg"
  done
  for pkg in $unwanted; do
    expect "$pkg asked for though installed" lacks_word "$line" "$pkg"
  done
}

# expect_cleaned DIR: the guard is gone and nothing saved remains.
expect_cleaned() {
  expect "guard left at root/usr/sbin/policy-rc.d" absent "$1/root/usr/sbin/policy-rc.d"
  expect "a *.gwdoctor-saved file remains" no_saved "$1"
}

# write_policy FILE MODE CONTENT: a policy-rc.d as a machine might have.
write_policy() {
  mkdir -p "$(dirname "$1")"
  printf '%s' "$3" >"$1"
  chmod "$2" "$1"
}

site_policy='#!/bin/sh
# site policy of this machine: 4e1d9c
exit 0
'
leftover_guard="#!/bin/sh
$marker
exit 101
"

# ---- cases ----

case_root_installs() {
  local dir
  dir=$(new_case root-installs)
  echo gwd-beta >"$dir/state/installed"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha gwd-beta gwd-gamma"
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  expect_install "$dir" 0 "gwd-alpha gwd-gamma" "gwd-beta"
  expect "sudo used though root" log_lacks "$dir" '^sudo '
  expect_cleaned "$dir"
  report "as root, no guard before: installs the missing packages under a guard, then removes it" "$dir"
}

case_root_keeps_policy() {
  local dir
  dir=$(new_case root-keeps-policy)
  write_policy "$dir/root/usr/sbin/policy-rc.d" 0750 "$site_policy"
  write_policy "$dir/original" 0750 "$site_policy"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha"
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  expect_install "$dir" 0 "gwd-alpha"
  expect "policy-rc.d differs from the original in content or mode" \
    same_file "$dir/root/usr/sbin/policy-rc.d" "$dir/original"
  expect "a *.gwdoctor-saved file remains" no_saved "$dir"
  report "as root, a policy-rc.d before: the same content and mode afterwards" "$dir"
}

case_root_nothing_missing() {
  local dir
  dir=$(new_case root-nothing-missing)
  echo '*' >"$dir/state/installed"
  run_install "$dir" "$dir/bin:$PATH" "" # the default package list
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  expect "output on stdout" empty_file "$dir/out"
  expect "output on stderr" empty_file "$dir/err"
  expect "dpkg not asked about nginx of the default list" log_has "$dir" '^dpkg -s nginx$'
  expect "apt-get called" log_lacks "$dir" '^apt-get '
  expect "files written under the install root" nothing_written "$dir"
  report "as root, nothing missing: silent, no apt-get" "$dir"
}

case_root_install_fails() {
  local dir
  dir=$(new_case root-install-fails)
  touch "$dir/state/apt-fail"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha"
  expect "exit 0 though apt-get install failed" rc_not_zero "$dir"
  expect_install "$dir" 0 "gwd-alpha"
  expect_cleaned "$dir"
  report "as root, apt-get install fails: non-zero exit, guard removed" "$dir"

  dir=$(new_case root-install-fails-policy)
  touch "$dir/state/apt-fail"
  write_policy "$dir/root/usr/sbin/policy-rc.d" 0700 "$site_policy"
  write_policy "$dir/original" 0700 "$site_policy"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha"
  expect "exit 0 though apt-get install failed" rc_not_zero "$dir"
  expect "policy-rc.d differs from the original in content or mode" \
    same_file "$dir/root/usr/sbin/policy-rc.d" "$dir/original"
  expect "a *.gwdoctor-saved file remains" no_saved "$dir"
  report "as root, apt-get install fails: the original policy-rc.d is back" "$dir"
}

case_user_with_sudo() {
  local dir calls via_sudo
  dir=$(new_case user-with-sudo)
  standin_sudo "$dir"
  as_nobody "$dir"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha gwd-beta" \
    "${drop[@]}"
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  # The sudo stand-in keeps the user, so apt-get runs as nobody.
  expect_install "$dir" $nobody "gwd-alpha gwd-beta"
  calls=$(grep -c '^apt-get ' "$dir/state/log" || true)
  via_sudo=$(grep -Ec '^sudo .* args: (.* )?apt-get ' "$dir/state/log" || true)
  expect "$calls apt-get calls but $via_sudo through sudo" [ "$calls" = "$via_sudo" ]
  expect "sudo never used" log_has "$dir" '^sudo '
  expect_cleaned "$dir"
  report "as nobody with sudo: apt-get through sudo, guard in place, then removed" "$dir"
}

# basic_tools DIR: DIR/tools holds links to the tools the script and the
# stand-ins use, and nothing else: no sudo.
basic_tools() {
  local t
  mkdir -p "$1/tools"
  for t in bash sh env id mkdir dirname tee chmod mv rm grep cat; do
    ln -s "$(command -v "$t")" "$1/tools/$t"
  done
}

case_user_without_sudo() {
  local dir path
  dir=$(new_case user-without-sudo)
  basic_tools "$dir"
  path="$dir/bin:$dir/tools"
  as_nobody "$dir"
  if env -i PATH="$path" "$bash_bin" -c 'command -v sudo' >/dev/null; then
    problems+=("sudo reachable on the PATH built without it")
  fi
  run_install "$dir" "$path" "gwd-alpha" \
    "${drop[@]}"
  expect "exit 0 without root or sudo" rc_not_zero "$dir"
  expect "stderr is $(grep -c '' "$dir/err") lines, want 1" [ "$(grep -c '' "$dir/err")" = 1 ]
  expect "stderr does not say it needs root" grep -qi 'root' "$dir/err"
  expect "stderr does not mention sudo" grep -qi 'sudo' "$dir/err"
  expect "apt-get called" log_lacks "$dir" '^apt-get '
  expect "files written under the install root" nothing_written "$dir"
  report "as nobody without sudo: one line saying root or sudo is needed, no apt-get" "$dir"
}

case_leftover_guard() {
  local dir sbin
  dir=$(new_case leftover-guard)
  sbin="$dir/root/usr/sbin"
  write_policy "$sbin/policy-rc.d" 0755 "$leftover_guard"
  write_policy "$sbin/policy-rc.d.gwdoctor-saved" 0750 "$site_policy"
  write_policy "$dir/original" 0750 "$site_policy"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha"
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  expect_install "$dir" 0 "gwd-alpha"
  expect "policy-rc.d is not the original saved by the interrupted run" \
    same_file "$sbin/policy-rc.d" "$dir/original"
  expect "a *.gwdoctor-saved file remains" no_saved "$dir"
  report "a guard left by an interrupted run: the original is back afterwards" "$dir"

  # Packages installed before the interruption: nothing is missing now,
  # and the leftover guard must still go, or no service starts again.
  dir=$(new_case leftover-guard-nothing-missing)
  sbin="$dir/root/usr/sbin"
  echo '*' >"$dir/state/installed"
  write_policy "$sbin/policy-rc.d" 0755 "$leftover_guard"
  write_policy "$sbin/policy-rc.d.gwdoctor-saved" 0750 "$site_policy"
  write_policy "$dir/original" 0750 "$site_policy"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha"
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  expect "output on stdout" empty_file "$dir/out"
  expect "apt-get called" log_lacks "$dir" '^apt-get '
  expect "policy-rc.d is not the original saved by the interrupted run" \
    same_file "$sbin/policy-rc.d" "$dir/original"
  expect "a *.gwdoctor-saved file remains" no_saved "$dir"
  report "a guard left by an interrupted run, nothing missing: the original is back" "$dir"

  dir=$(new_case leftover-guard-alone)
  echo '*' >"$dir/state/installed"
  write_policy "$dir/root/usr/sbin/policy-rc.d" 0755 "$leftover_guard"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha"
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  expect "apt-get called" log_lacks "$dir" '^apt-get '
  expect_cleaned "$dir"
  report "a guard left by an interrupted run with no policy before it: removed" "$dir"
}

case_config_files_only() {
  local dir
  dir=$(new_case config-files-only)
  echo gwd-beta >"$dir/state/installed"
  echo gwd-alpha >"$dir/state/config-files"
  run_install "$dir" "$dir/bin:$PATH" "gwd-alpha gwd-beta"
  expect "exit $(cat "$dir/rc"), want 0" rc_is "$dir" 0
  expect_install "$dir" 0 "gwd-alpha" "gwd-beta"
  expect_cleaned "$dir"
  report "a package removed with its configuration kept counts as missing" "$dir"
}

unset GWDOCTOR_INSTALL_ROOT GWDOCTOR_PACKAGES DEBIAN_FRONTEND
case_root_installs
case_root_keeps_policy
case_root_nothing_missing
case_root_install_fails
case_user_with_sudo
case_user_without_sudo
case_leftover_guard
case_config_files_only

if [ "$failures" -gt 0 ]; then
  echo "install path: $failures case(s) failed" >&2
  exit 1
fi

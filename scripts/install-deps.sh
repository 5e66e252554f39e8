#!/bin/bash
# Installs what rig needs to build, test and benchmark: Debian packages
# (only the missing ones, one apt call; clang-format 14 for the layout
# check, tests/checks/format.sh; the line with openssh-server is
# for the machine workflow's tests, sshd in network namespaces and rsync;
# sudo is for a test host whose login becomes root through it; the line
# with slurmctld for the pool's (a Slurm cluster of namespaces);
# libpam0g-dev is for authenticator = pam, libpam-wrapper for its test
# of rig pam-auth; libldap-dev for authenticator = ldap, slapd and
# ldap-utils for its tests (each starts a slapd of its own in a temp dir:
# debconf is told to make no configuration, and no service starts, so no
# system slapd runs); the last line of PKGS is for bench/run) and
# playwright-core for the browser test (npm, no browser download: the
# test uses Debian's /usr/bin/chromium).
# With --fuzz (what `make fuzz` runs), also clang and libFuzzer's runtime,
# which only the fuzzing (bench/fuzz-all) needs; Debian 12's clang is 14.
# Idempotent; when everything is present it only checks and exits.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config libuv1-dev libssl-dev libsqlite3-dev
libjansson-dev libcrypt-dev libcurl4-openssl-dev libpam0g-dev libldap-dev openssl
clang-format libpam-wrapper slapd ldap-utils
curl ca-certificates
passwd jupyter-notebook python3-notebook python3-jupyter-server
python3-websocket python3-ipykernel python3-jsonschema python3-yaml
chromium nodejs npm
openssh-server openssh-client rsync iproute2 git nftables
slurmctld slurmd slurm-client munge nfs-kernel-server sudo
jupyterhub node-configurable-http-proxy nginx wrk"
if [ "${1:-}" = --fuzz ]; then
	PKGS="$PKGS clang libclang-rt-14-dev"
fi

installed() {
	dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'
}

missing=""
for p in $PKGS; do
	installed "$p" && continue
	# NodeSource's nodejs package ships npm itself and conflicts with
	# Debian's npm: a working npm command is enough.
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
	missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	echo "install-deps: apt-get install$missing"
	# No package may start its service (nginx would listen on port 80 of
	# every address): without a policy saying so, one for this call only.
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\n# install-deps.sh: start no service\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	# slapd would otherwise make a directory (and ask for its password).
	case " $missing " in
	*" slapd "*)
		echo 'slapd slapd/no_configuration boolean true' |
			debconf-set-selections
		;;
	esac
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -qq --no-install-recommends $missing
	[ -z "$policy" ] || rm -f "$policy"
fi

# Browser test: playwright-core only (it never downloads browsers by itself;
# the env variable makes sure no install script tries to either).
if [ ! -d tests/browser/node_modules/playwright-core ]; then
	echo "install-deps: npm install (playwright-core, see package.json) in tests/browser/"
	(cd tests/browser &&
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund \
			--no-package-lock)
fi

# Azure tests (tests/azure/package.json): Microsoft's LRO conformance server,
# and oav (Microsoft's OpenAPI validator) and yaml for the ARM double.
if [ ! -d tests/azure/node_modules/@microsoft.azure/autorest.testserver ] ||
	[ ! -d tests/azure/node_modules/oav ] || [ ! -d tests/azure/node_modules/yaml ]; then
	echo "install-deps: npm install (autorest.testserver, oav, yaml, see package.json) in tests/azure/"
	(cd tests/azure && npm install --no-audit --no-fund --no-package-lock)
fi

#!/bin/bash
# The three parts stay apart (docs/ARCHITECTURE.md, "Folders"):
#   src/lib/      includes only itself
#   src/hub/      includes itself and lib/
#   src/machine/  includes itself, lib/ and hub/ (to install and ask the hub)
#   src/azure/    a provider: includes itself, machine/ and lib/
#   src/pool/     a team's pool on Slurm: itself, machine/ and lib/ (its
#                 nodes are machines reached through their providers)
# (each may also include src/'s cmd.h, the command table, and version.h)
# and no file outside src/azure/ names Azure in code (comments aside), nor
# tests which provider a machine has by its name: the machine workflow
# and the pool reach providers through provider.h only. src/*.c (main
# and the command table) wires the parts together and may name them all.
#
# KNOWN lists what still breaks a rule, each with the work that removes it;
# the check fails on a new break and on a listed one that is gone (so the
# list only shrinks).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

# Empty: each provider declares and parses its own section and the
# machine holds it opaquely; the hub's auto-stop hands the provider's keys
# to `rig self-stop` instead of knowing them.
KNOWN='
'

allowed() { # part -> the parts it may include
	case $1 in
	lib) echo "lib" ;;
	hub) echo "hub lib" ;;
	machine) echo "machine lib hub" ;;
	azure) echo "azure machine lib" ;;
	pool) echo "pool machine lib" ;;
	esac
}

found=$(mktemp)
trap 'rm -f "$found"' EXIT

for part in lib hub machine azure pool; do
	ok=" $(allowed "$part") "
	for f in src/$part/*.[ch]; do
		[ -e "$f" ] || continue
		# #include "x.h" is the file's own folder; "part/x.h" another part's.
		grep -o '^#[[:space:]]*include[[:space:]]*"[^"]*"' "$f" |
			sed 's/.*"\(.*\)"/\1/' | while read -r inc; do
			case $inc in
			*/*) other=${inc%%/*} ;;
			*) # its own folder, or src/'s cmd.h and version.h
			   [ -e "src/$part/$inc" ] || [ -e "src/$inc" ] && continue
			   echo "include $f $inc (not found)"; continue ;;
			esac
			case $ok in *" $other "*) ;; *) echo "include $f $inc" ;; esac
		done
	done
done >>"$found"

# Azure named in code outside its folder: comments stripped by the
# preprocessor (which keeps strings: "azure" as a value names it too).
# A provider's name compared in code outside the provider's own file.
for f in src/lib/*.[ch] src/hub/*.[ch] src/machine/*.[ch] src/pool/*.[ch]; do
	[ -e "$f" ] || continue
	code=$(gcc -fpreprocessed -dD -E -P -x c "$f" 2>/dev/null)
	if grep -qi 'azure' <<<"$code"; then
		echo "names-azure $f"
	fi
	case $f in src/machine/provider-*.c) continue ;; esac
	if grep -Eq 'strcmp\([^;]*(provider_name|->name)[^;]*"(ssh|local|azure)"' <<<"$code"; then
		echo "names-provider $f"
	fi
done >>"$found"

rc=0
while read -r line; do
	[ -n "$line" ] || continue
	printf '%s\n' "$KNOWN" | grep -qxF "$line" && continue
	echo "not allowed: $line"
	rc=1
done <"$found"
while read -r line; do
	[ -n "$line" ] || continue
	grep -qxF "$line" "$found" && continue
	echo "listed in KNOWN but no longer true (remove it): $line"
	rc=1
done <<<"$KNOWN"
[ "$rc" = 0 ] && echo "layers: $(find src/lib src/hub src/machine src/azure src/pool -name '*.[ch]' | wc -l) files in their parts, $(printf '%s\n' "$KNOWN" | grep -c .) known exceptions"
exit $rc

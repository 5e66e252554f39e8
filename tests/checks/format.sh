#!/bin/bash
# The code is laid out as .clang-format says (clang-format 14, OpenBSD
# KNF): `clang-format --dry-run --Werror` on every file under src/. To fix
# what it reports, run `make format` and commit the result.
#
# Off (tests/run-all.sh runs tests/checks/*.sh only) until the tree has been
# through `make format` once: rename it to format.sh then.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
command -v clang-format >/dev/null || {
	echo "clang-format missing: apt-get install clang-format"
	exit 1
}
out=$(find src -name '*.[ch]' -print0 | sort -z |
	xargs -0 clang-format --dry-run --Werror 2>&1)
rc=$?
if [ "$rc" != 0 ]; then
	printf '%s\n' "$out" | grep -E 'error:|warning:' | head -n 40
	echo "format: $(printf '%s\n' "$out" | grep -cE 'error:|warning:') places differ from .clang-format; run make format"
	exit 1
fi
echo "format: $(find src -name '*.[ch]' | wc -l) files as .clang-format says"

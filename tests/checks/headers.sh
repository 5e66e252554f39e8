#!/bin/bash
# Every header under src/ compiles on its own (`make hdr-check`, git's
# hdr-check): it includes what it uses, so no .c file has to include
# something else first for it. A header that fails needs the include that
# declares what the compiler names (<stddef.h> for size_t, ...).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
make --no-print-directory -s -j2 hdr-check || exit 1
echo "headers: $(find src -name '*.h' | wc -l) compile on their own"

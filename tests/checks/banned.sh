#!/bin/bash
# Every source file under src/ has src/lib/banned.h (strcpy, strcat,
# sprintf, strtok, atoi, ... as compile errors, git's banned.h) in force:
# it includes "lib/banned.h" itself, or "lib/util.h", whose last include is
# banned.h ("banned.h" and "util.h" inside src/lib/). Either comes after
# the file's system headers (<...>), so their declarations are not turned
# into errors and the ban covers all of the file's own code.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

bad=0

# util.h must go on carrying the ban for the files that rely on it.
last=$(grep -E '^#[[:space:]]*include' src/lib/util.h | tail -n 1)
case $last in
*'"banned.h"'*) ;;
*)
	echo "src/lib/util.h: its last include is not \"banned.h\" ($last)"
	bad=1
	;;
esac

while IFS= read -r f; do
	case $f in
	src/lib/*) re='"(lib/)?(banned|util)\.h"' ;;
	*) re='"lib/(banned|util)\.h"' ;;
	esac
	ban=$(grep -nE "^#[[:space:]]*include[[:space:]]*$re" "$f" | tail -n 1 | cut -d: -f1)
	if [ -z "$ban" ]; then
		echo "$f: does not include \"lib/banned.h\" (add it after its other includes)"
		bad=1
		continue
	fi
	sys=$(grep -nE '^#[[:space:]]*include[[:space:]]*<' "$f" | tail -n 1 | cut -d: -f1)
	if [ -n "$sys" ] && [ "$sys" -gt "$ban" ]; then
		echo "$f:$sys: a system header after banned.h (line $ban): include banned.h last"
		bad=1
	fi
done < <(find src -name '*.c' | sort)

exit "$bad"

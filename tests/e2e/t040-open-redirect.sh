#!/bin/bash
# After login, ?next= never sends the browser off-site: the Location is
# always a path on the hub ("/" then neither "/" nor "\"), a hostile value
# leaves no trace of the other site, and a path on the hub is kept.
. "$(dirname "$0")/lib.sh"

# check_location NEXT: logs in with ?next=NEXT; prints the Location after
# checking that it is a path on the hub.
check_location() {
	local loc
	login alice "$1"
	loc=$(header Location <"$T/login.hdr")
	case $loc in
	/ | /[!/\\]*) ;;
	*) fail "next=$1: Location '$loc' is not a single-slash path on the hub" ;;
	esac
	# No control characters (a browser drops tabs and newlines).
	[ "$(printf '%s' "$loc" | tr -d '[:cntrl:]')" = "$loc" ] ||
		fail "next=$1: control character in Location"
	echo "$loc"
}

rig_user_add alice
hub_config
hub_start

# The values go into the query string as they are (as typed in an address
# bar); %2F%2F and %09 are already percent-encoded.
for next in '//evil.com' '///evil.com' '/\evil.com' 'https://evil.com' 'https:evil.com' \
	'%2F%2Fevil.com' 'javascript:alert(1)' '/%09/evil.com'; do
	loc=$(check_location "$next")
	note "next=$next -> Location: $loc"
	case ${loc#?} in *evil.com*) fail "next=$next: Location '$loc' names evil.com" ;; esac
done

# Paths that only look odd: whatever the hub makes of them stays on the hub.
for next in '/%5Cevil.com' "https://127.0.0.1:$PORT//evil.com/x" '/hub/../../evil.com'; do
	loc=$(check_location "$next")
	note "next=$next -> Location: $loc"
done

# A path on the hub is kept.
loc=$(check_location /hub/home)
[ "$loc" = /hub/home ] || fail "next=/hub/home not kept: Location '$loc'"

hub_stop

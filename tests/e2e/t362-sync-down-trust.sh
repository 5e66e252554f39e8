#!/bin/bash
# rig sync down trusts the machine no further than its files (issue 16,
# items 2 and 4): a machine that rewrites rig.conf, drops a setuid file
# and links out of the project, and turns locally edited files into a
# symlink and a folder, changes nothing of the laptop's configuration,
# state or edits: rig.conf, .rig/ and .git/ are never written (a change
# to rig.conf is a conflict, fetched beside it), modes come without
# setuid/setgid or group/world write, no link leaves the project, and
# each type change of an edited file is a conflict with both kept.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
R=$(host_home 1)/work/m1
cd "$P"
git init -q .
printf 'a\n' >a.txt
printf 'b\n' >b.txt
printf 'c\n' >c.txt
printf 'd\n' >d.txt
"$RIG" sync up >"$T/up.out" 2>&1 || fail "sync up: $(cat "$T/up.out")"
conf_before=$(sha256sum rig.conf)
conf_mode=$(stat -c %a rig.conf)
git_before=$(sha256sum .git/config)

# The machine turns hostile.
printf '\n[machine]\nconnect_timeout = 1\n' >>"$R/rig.conf"
chmod 666 "$R/rig.conf"
printf '#!/bin/sh\necho owned\n' >"$R/evil"
chmod 4777 "$R/evil"
mkdir -p "$R/shared" "$R/.rig" "$R/.git"
chmod 2777 "$R/shared"
printf 'Host *\n  ProxyCommand sh -c "touch %s/pwned"\n' "$T" >"$R/.rig/ssh_config"
printf '[core]\n\tfsmonitor = touch %s/pwned\n' "$T" >"$R/.git/config"
ln -s /etc/hostname "$R/out"
rm "$R/a.txt" "$R/b.txt" "$R/c.txt"
ln -s d.txt "$R/a.txt"      # a file became a symlink (inside)
mkdir "$R/b.txt"            # a file became a folder
printf 'in a folder\n' >"$R/b.txt/x"
ln -s /etc/hostname "$R/c.txt" # a file became a link out of the project
chown -R "$HOST_USER:$HOST_USER" "$R"
# ... while the same files were edited here.
printf 'my a\n' >a.txt
printf 'my b\n' >b.txt
printf 'my c\n' >c.txt

"$RIG" sync down --dry-run >"$T/dry.out" 2>&1 || fail "sync down --dry-run: $(cat "$T/dry.out")"
for f in a.txt b.txt rig.conf; do
	grep -q "conflict: $f " "$T/dry.out" || fail "dry run did not flag $f: $(cat "$T/dry.out")"
done

"$RIG" sync down >"$T/down.out" 2>&1 || fail "sync down: $(cat "$T/down.out")"
note "$(cat "$T/down.out")"
[ "$(sha256sum rig.conf)" = "$conf_before" ] || fail "sync down rewrote rig.conf"
[ "$(stat -c %a rig.conf)" = "$conf_mode" ] || fail "sync down changed rig.conf's mode"
[ -f rig.remote-conflict.conf ] || fail "the machine's rig.conf is not kept beside: $(ls -a)"
[ "$(stat -c %a rig.remote-conflict.conf)" = 644 ] ||
	fail "the machine's rig.conf came with mode $(stat -c %a rig.remote-conflict.conf)"
[ "$(sha256sum .git/config)" = "$git_before" ] || fail "sync down wrote .git/config"
grep -q ProxyCommand .rig/ssh_config && fail "sync down wrote .rig/ssh_config"
[ -f evil ] || fail "evil did not come down: $(cat "$T/down.out")"
[ "$(stat -c %a evil)" = 755 ] || fail "evil came with mode $(stat -c %a evil)"
[ "$(stat -c %a shared)" = 755 ] || fail "shared/ came with mode $(stat -c %a shared)"
if [ -e out ] || [ -L out ]; then fail "a link out of the project came down"; fi
for f in a b c; do
	if [ ! -f $f.txt ] || [ -L $f.txt ]; then fail "$f.txt is no longer a file"; fi
	[ "$(cat $f.txt)" = "my $f" ] || fail "the edit of $f.txt is lost"
done
[ -L a.remote-conflict.txt ] || fail "the machine's a.txt (a symlink) is not beside: $(cat "$T/down.out")"
[ -d b.remote-conflict.txt ] || fail "the machine's b.txt (a folder) is not beside: $(cat "$T/down.out")"
[ "$(cat b.remote-conflict.txt/x)" = "in a folder" ] || fail "b's folder is not the machine's"
if [ -e c.remote-conflict.txt ] || [ -L c.remote-conflict.txt ]; then
	fail "a link out of the project came down as a conflict copy"
fi
grep -q 'conflict: b.txt ' "$T/down.out" || fail "b.txt not reported: $(cat "$T/down.out")"
[ ! -e "$T/pwned" ] || fail "something ran"
# A later down does not overwrite the conflict copies.
printf 'again\n' >"$R/d.txt"
chown "$HOST_USER:$HOST_USER" "$R/d.txt"
printf 'my d\n' >d.txt
: >d.remote-conflict.txt
"$RIG" sync down >"$T/down2.out" 2>&1 || fail "sync down 2: $(cat "$T/down2.out")"
[ ! -s d.remote-conflict.txt ] || fail "an existing file was overwritten by a conflict copy"
[ "$(cat d.remote-conflict-2.txt)" = again ] || fail "no second conflict name: $(ls) $(cat "$T/down2.out")"
exit 0

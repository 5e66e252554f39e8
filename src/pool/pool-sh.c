/* SPDX-License-Identifier: MIT */
/*
 * sh run as root on the pool's head and nodes (pool-sh.h).
 */
#include "pool-sh.h"
#include "lib/banned.h"

const char pool_sh_funcs[] =
    "changed=\n"
    /* put FILE MODE <TEXT: FILE changed only if TEXT differs; the
     * temporary name has the shell's pid, so two runs at once (two rig
     * ups, or hosts sharing a folder) never take each other's. */
    "put() {\n"
    "  t=\"$1.rig-new.$$\"\n"
    "  cat >\"$t\" && chmod \"$2\" \"$t\" || { rm -f \"$t\"; return 1; }\n"
    "  if cmp -s \"$t\" \"$1\"; then rm -f \"$t\"; else\n"
    "    mv \"$t\" \"$1\" && changed=\"$changed $1\"; fi\n"
    "}\n"
    "alive() {\n"
    "  [ -s \"$1\" ] && p=$(cat \"$1\") &&\n"
    "  [ \"$(cat /proc/\"$p\"/comm 2>/dev/null)\" = \"$2\" ]\n"
    "}\n"
    "svc() {\n"
    "  u=$1 c=$2 pf=$3 act=$4; shift 4\n"
    "  if [ -d /run/systemd/system ]; then\n"
    "    systemctl enable -q \"$u\" 2>/dev/null\n"
    "    case $act in\n"
    "    restart) systemctl restart \"$u\" ;;\n"
    "    stop) systemctl disable -q --now \"$u\" ;;\n"
    "    *) systemctl is-active -q \"$u\" || systemctl start \"$u\" ;;\n"
    "    esac\n"
    "    return\n"
    "  fi\n"
    "  if alive \"$pf\" \"$c\"; then\n"
    "    [ \"$act\" = ensure ] && return 0\n"
    "    kill \"$p\"; i=0\n"
    "    while [ -d /proc/\"$p\" ] && [ $i -lt 300 ]; do\n"
    "      sleep 0.1; i=$((i+1)); done\n"
    "    [ -d /proc/\"$p\" ] && return 1\n"
    "  fi\n"
    "  [ \"$act\" = stop ] && return 0\n"
    /* Detached from the ssh session's output, or ssh waits for it. */
    "  \"$@\" </dev/null >/dev/null 2>&1 || return 1\n"
    "  i=0\n"
    "  while [ $i -lt 300 ]; do alive \"$pf\" \"$c\" && return 0\n"
    "    sleep 0.1; i=$((i+1)); done\n"
    "  return 1\n"
    "}\n"
    "munge_up() {\n"
    "  mkdir -p /run/munge && chown munge:munge /run/munge &&\n"
    "  chmod 755 /run/munge &&\n"
    "  svc munge munged /run/munge/munged.pid \"$1\" \\\n"
    "    runuser -u munge -- /usr/sbin/munged\n"
    "}\n";

const char pool_sh_packages[] =
    "missing=\n"
    "for p in $PKGS; do\n"
    "  dpkg-query -W -f='${db:Status-Abbrev}' \"$p\" 2>/dev/null |\n"
    "    grep -q '^ii' || missing=\"$missing $p\"\n"
    "done\n"
    "if [ -n \"$missing\" ]; then\n"
    "  export DEBIAN_FRONTEND=noninteractive\n"
    "  { apt-get -q update && apt-get install -y -q "
    "--no-install-recommends $missing; } >&2 || exit 3\n"
    "  echo \"installed=$missing\"\n"
    "fi\n";

const char pool_sh_head_key[] =
    "k=/etc/munge/munge.key\n"
    "if [ ! -s \"$k\" ]; then\n"
    "  (umask 077; dd if=/dev/urandom of=\"$k.rig-new\" bs=1024 count=1 "
    "status=none) &&\n"
    "  chown munge:munge \"$k.rig-new\" && mv \"$k.rig-new\" \"$k\" || "
    "exit 4\n"
    "  echo made=yes\n"
    "fi\n"
    "chown munge:munge \"$k\" && chmod 0400 \"$k\" || exit 4\n"
    "echo \"key=$(base64 -w0 \"$k\")\"\n";

const char pool_sh_head_accounts[] =
    "lo=$(awk '$1 == \"UID_MIN\" { print $2 }' /etc/login.defs 2>/dev/null)\n"
    "hi=$(awk '$1 == \"UID_MAX\" { print $2 }' /etc/login.defs 2>/dev/null)\n"
    "{ getent group | sed 's/^/G:/'; getent passwd | sed 's/^/P:/'; } |\n"
    "awk -F: -v lo=\"${lo:-1000}\" -v hi=\"${hi:-60000}\" "
    "'$1 == \"G\" { g[$4] = $2; next }\n"
    "$1 == \"P\" && $4 + 0 >= lo + 0 && $4 + 0 <= hi + 0 {\n"
    "  print \"acct=\" $2 \":\" $4 \":\" $5 \":\" $7 \":\" $8 \":\" g[$5] }'\n";

const char pool_sh_node_key[] =
    "k=/etc/munge/munge.key\n"
    "keyact=ensure\n"
    "(umask 077; base64 -d >\"$k.rig-new\") && [ -s \"$k.rig-new\" ] || "
    "{ rm -f \"$k.rig-new\"; exit 4; }\n"
    "if cmp -s \"$k.rig-new\" \"$k\"; then rm -f \"$k.rig-new\"; else\n"
    "  chown munge:munge \"$k.rig-new\" && chmod 0400 \"$k.rig-new\" &&\n"
    "  mv \"$k.rig-new\" \"$k\" || exit 4\n"
    "  keyact=restart; echo key=copied\n"
    "fi\n"
    "chown munge:munge \"$k\" && chmod 0400 \"$k\" || exit 4\n";

/*
 * The head's accounts ("H:NAME:UID:GID:HOME:SHELL:GROUP" lines after the
 * node's passwd and group, tagged P: and G:) compared in one awk: each
 * name is there with its uid, or made, unless its name, uid or group is
 * another's on the node.
 */
const char pool_sh_accounts_awk[] =
    "$1 == \"P\" { pu[$2] = $4; pn[$4] = $2; next }\n"
    "$1 == \"G\" { gg[$4] = $2; gn[$2] = $4; next }\n"
    "$1 == \"H\" {\n"
    "  if ($2 in pu) { if (pu[$2] != $3) print \"clash\", $2; next }\n"
    "  if ($3 in pn) { print \"clash\", $2; next }\n"
    "  if ($4 in gg) { if (gg[$4] != $7) print \"clash\", $2; "
    "else print \"add\", $2, $3, $4, $5, $6, $7; next }\n"
    "  if ($7 in gn) { print \"clash\", $2; next }\n"
    "  gg[$4] = $7; gn[$7] = $4\n"
    "  print \"group\", $2, $3, $4, $5, $6, $7\n"
    "}\n";

const char pool_sh_accounts_apply[] =
    "while read -r what n u g h s gr; do\n"
    "  case $what in\n"
    "  clash) echo \"clash=$n\" ;;\n"
    "  group) groupadd -g \"$g\" \"$gr\" || exit 5\n"
    "    useradd -M -u \"$u\" -g \"$g\" -d \"$h\" -s \"$s\" \"$n\" || exit 5\n"
    "    echo \"added=$n\" ;;\n"
    "  add) useradd -M -u \"$u\" -g \"$g\" -d \"$h\" -s \"$s\" \"$n\" || exit 5\n"
    "    echo \"added=$n\" ;;\n"
    "  esac\n"
    "done\n";

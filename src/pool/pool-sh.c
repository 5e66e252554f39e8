/* SPDX-License-Identifier: MIT */
/*
 * sh run as root on the pool's head and nodes (pool-sh.h).
 */
#include "pool-sh.h"
#include "lib/banned.h"

const char pool_sh_funcs[] =
    "changed=\n"
    "put() {\n"
    "  t=\"$1.rig-new\"\n"
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
    "    if [ \"$act\" = restart ]; then systemctl restart \"$u\"\n"
    "    else systemctl is-active -q \"$u\" || systemctl start \"$u\"; fi\n"
    "    return\n"
    "  fi\n"
    "  if alive \"$pf\" \"$c\"; then\n"
    "    [ \"$act\" = restart ] || return 0\n"
    "    kill \"$p\"; i=0\n"
    "    while [ -d /proc/\"$p\" ] && [ $i -lt 300 ]; do\n"
    "      sleep 0.1; i=$((i+1)); done\n"
    "    [ -d /proc/\"$p\" ] && return 1\n"
    "  fi\n"
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
    "getent passwd | while IFS=: read -r n x u g c h s; do\n"
    "  [ \"$u\" -ge 1000 ] 2>/dev/null && [ \"$u\" -lt 60000 ] || continue\n"
    "  gn=$(getent group \"$g\" | cut -d: -f1)\n"
    "  echo \"acct=$n:$u:$g:$h:$s:$gn\"\n"
    "done\n";

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

const char pool_sh_acct_func[] =
    "acct() {\n"
    "  if e=$(getent passwd \"$1\"); then\n"
    "    [ \"$(echo \"$e\" | cut -d: -f3)\" = \"$2\" ] || "
    "echo \"clash=$1\"\n"
    "    return 0\n"
    "  fi\n"
    "  if getent passwd \"$2\" >/dev/null; then echo \"clash=$1\"; "
    "return 0; fi\n"
    "  if ! getent group \"$3\" >/dev/null; then\n"
    "    getent group \"$6\" >/dev/null && { echo \"clash=$1\"; "
    "return 0; }\n"
    "    groupadd -g \"$3\" \"$6\" || return 1\n"
    "  fi\n"
    "  useradd -M -u \"$2\" -g \"$3\" -d \"$4\" -s \"$5\" \"$1\" || return 1\n"
    "  echo \"added=$1\"\n"
    "}\n";

#!/bin/bash
# The whole way on "Azure" (the ARM double), nothing written by hand:
# rig up of a pool on an azure head with a partition of azure nodes, then
# alice's job on it. Two namespace pool hosts play the two VMs the double
# makes (--vm-host: each VM's keys and the host key of its customData go
# to its own host, as Azure's agent and cloud-init would): h1 the head
# (its public address the double's public IP, its private one 10.0.0.4,
# the first of rig's subnet), h2 the node (10.0.0.5, the next NIC's; its
# host name the node's, as computerName makes it). rig pool power runs on
# the head as its managed identity (IMDS forwarded into h1) with the role
# rig up gave it; the node is made, set up over SSH, runs the job and is
# deallocated when idle.
. "${0%/*}/lib.sh"

POOL_UID_MIN=$(pool_uid_min)
pool_hosts_up 2
A=$(host_addr 1)
U=$HOST_USER
NS=${PREFIX}h1
PART=${PREFIX}gpu
NODE=$PART-1
H1=$HOSTS_DIR/h1
H2=$HOSTS_DIR/h2
for h in "$H1" "$H2"; do
	printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$U" >"$h/etc/sudoers.d/azure-admin"
	chmod 440 "$h/etc/sudoers.d/azure-admin"
	: >"$h/home/$U/.ssh/authorized_keys"
done
ip -n "$NS" addr add 10.0.0.4/24 dev eth0 || fail "the head's private address"
ip -n "${PREFIX}h2" addr add 10.0.0.5/24 dev eth0 || fail "the node's private address"
# h2's sshd listens there too (SIGHUP: it reads its configuration again).
echo "ListenAddress 10.0.0.5" >>"$H2/sshd_config"
kill -HUP "$(cat "$H2/sshd.pid")"
for _ in $(seq 1 100); do
	ip netns exec "$NS" bash -c '(exec 3<>/dev/tcp/10.0.0.5/22)' 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$NS" bash -c '(exec 3<>/dev/tcp/10.0.0.5/22)' 2>/dev/null || fail "h2's sshd not on 10.0.0.5: $(tail -3 "$H2/sshd.log")"
# The node's slurmd says it booted now (these hosts share the kernel's
# uptime; slurmctld waits for a node it powers up to have booted since).
mkdir -p "$H2/real"
cp /usr/sbin/slurmd "$H2/real/slurmd"
printf '#!/bin/sh\nexec %s/real/slurmd -b "$@"\n' "$H2" >"$H2/slurmd"
chmod 755 "$H2/slurmd"
nsenter -t "$(cat "$H2/sshd.pid")" -m -u sh -c "mount --bind $H2/slurmd /usr/sbin/slurmd && hostname $NODE" ||
	fail "h2 as the node's VM"
azure_double_up --public-ip "$A" --imds-vm pool1 \
	--vm-host "pool1=$H1/home/$U/.ssh/authorized_keys,$H1/hostkey" \
	--vm-host "pool1-$NODE=$H2/home/$U/.ssh/authorized_keys,$H2/hostkey"
azure_imds_in_host
azure_project pool1 -e "s|^port = 8000|port = 8000\nuser_prefix = $PREFIX|"
cat >>rig.conf <<EOC

[pool]
engine = slurm
node_idle_stop = 5s
node_suspend_timeout = 5s
node_resume_timeout = 120s

[partition $PART]
provider = azure
size = Standard_D2s_v5
max_nodes = 1
EOC
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
note "$(grep '^\[pool\] slurm' "$T/up.out")"
RLOG=$H1/var/log/slurm/rig-power.log
# (After rig up: the head's sshd has the key rig made for it since.) A
# node made later gets the head's accounts as they are then.
pool_root_ssh 1 'useradd -m -s /bin/bash alice' || fail "useradd alice on the head"

JOB=$(pool_root_ssh 1 "su - alice -c 'sbatch --parsable -p $PART -o /home/alice/out-%j.txt --wrap hostname'") ||
	fail "sbatch"
OUT=$POOL_HOME/alice/out-$JOB.txt
for _ in $(seq 1 300); do
	[ -s "$OUT" ] && break
	sleep 0.5
done
[ "$(cat "$OUT" 2>/dev/null)" = "$NODE" ] ||
	fail "job $JOB did not run on $NODE: $(pool_root_ssh 1 "squeue; sinfo -N -o '%N %t %E'"); $(cat "$RLOG")"
grep -q "node $NODE: set up at 10.0.0.5" "$RLOG" || fail "no set-up at 10.0.0.5: $(cat "$RLOG")"
# The node mounts the head's shared folder at its private address.
grep -q "^10.0.0.4:/home /home nfs4 " "$H2/etc/fstab" || fail "the node's fstab: $(cat "$H2/etc/fstab")"
note "job $JOB ran on $NODE, made by the head as its managed identity"
azure_wait_power "pool1-$NODE" deallocated || fail "$NODE not deallocated when idle: $(cat "$RLOG")"
azure_violations

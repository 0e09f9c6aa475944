#!/usr/bin/env bash
# CI: a one-node Slurm cluster on this machine (munge, slurmctld and slurmd from apt, talking over
# 127.0.0.1 only, all state in a temporary folder), then the docs' Slurm example run on it
# (tests/test_slurm.py). Needs root and apt-get; elsewhere it says why it skips and exits 0.
# When it does run, a cluster that does not come up is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "slurm: skipped: starting a Slurm cluster needs root and apt-get (slurm-wlm, munge)"
    exit 0
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q slurm-wlm munge || { apt-get update -q && apt-get install -y -q slurm-wlm munge; }
fi
python=${PYTHON:-.venv/bin/python}

top=$(mktemp -d /var/tmp/slurm-ci.XXXXXX)
chmod 711 "$top"  # munged wants its socket's folder searchable by all
pids=()
stop() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$top"
}
trap stop EXIT
fail() {
    echo "slurm: $1" >&2
    for log in "$top"/*.log; do echo "--- $log" >&2; tail -n 30 "$log" >&2; done
    exit 1
}

# two free ports on the loopback interface for slurmctld and slurmd
read -r ctld_port slurmd_port < <("$python" - <<'PY'
import socket
probes = [socket.socket() for _ in range(2)]
for probe in probes:
    probe.bind(("127.0.0.1", 0))
print(*(probe.getsockname()[1] for probe in probes))
PY
)
host=$(hostname -s)
cpus=$(( $(nproc) < 2 ? $(nproc) : 2 ))
memory=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
mkdir -p "$top/state" "$top/spool"

# munge: a fresh key, its own socket
dd if=/dev/urandom of="$top/munge.key" bs=1 count=1024 status=none
chmod 400 "$top/munge.key"
munged --force --key-file="$top/munge.key" --socket="$top/munge.socket" \
    --pid-file="$top/munged.pid" --log-file="$top/munged.log" --seed-file="$top/munged.seed" \
    || fail "munged did not start"
pids+=("$(cat "$top/munged.pid")")

cat >"$top/slurm.conf" <<CONF
ClusterName=ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$top/munge.socket
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
StateSaveLocation=$top/state
SlurmdSpoolDir=$top/spool
SlurmctldPidFile=$top/slurmctld.pid
SlurmdPidFile=$top/slurmd.pid
SlurmctldLogFile=$top/slurmctld.log
SlurmdLogFile=$top/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$top/slurm.conf"

slurmctld -D -f "$SLURM_CONF" >"$top/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -N "$host" -f "$SLURM_CONF" >"$top/slurmd.out.log" 2>&1 &
pids+=($!)

# the node is idle within 60 seconds, or the cluster did not come up
for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || fail "the node $host is not idle after 60 s (sinfo says '${state:-nothing}')"
echo "slurm: one node ($host, $cpus CPUs) idle, slurmctld on 127.0.0.1:$ctld_port"

MAKE_BRIEF_SLURM=1 "$python" -m pytest -q -p no:cacheprovider -rs tests/test_slurm.py

#!/usr/bin/env bash
# Records the /proc, /sys, /run and /etc files Opsmon's collectors read into a fixture tree, so unit tests
# run the collectors against a real machine's data deterministically anywhere.
#   scripts/record-fixture.sh DEST [MAX_PIDS]
# Only the files the collectors read are copied (procfs files are read with cat: they report size 0).
# /proc/PID/fd entries become empty files (only their count matters); /proc/PID/exe becomes a text file
# "exe.link" holding the link target. statfs() results, which no file holds, go to DEST/.statfs.tsv.
set -euo pipefail
dest=${1:?usage: record-fixture.sh DEST [MAX_PIDS]}
max_pids=${2:-40}
mkdir -p "$dest"

copy() { # copy a readable file, creating its parent directories
  local src=$1 out="$dest$1"
  [ -f "$src" ] && [ -r "$src" ] || return 0
  mkdir -p "$(dirname "$out")"
  cat "$src" >"$out" 2>/dev/null || rm -f "$out"
}

for f in /proc/stat /proc/meminfo /proc/loadavg /proc/vmstat /proc/diskstats /proc/uptime /proc/cpuinfo \
         /proc/pressure/cpu /proc/pressure/io /proc/pressure/memory /proc/pressure/irq \
         /proc/net/dev /proc/net/sockstat /proc/net/sockstat6 /proc/net/netstat /proc/net/snmp /proc/net/snmp6 \
         /proc/sys/fs/file-nr /proc/sys/kernel/ostype /proc/sys/kernel/osrelease /proc/sys/kernel/version \
         /proc/sys/kernel/hostname /proc/sys/kernel/domainname /proc/sys/kernel/arch /proc/sys/kernel/pid_max \
         /proc/1/mountinfo /proc/self/mountinfo /proc/mounts \
         /etc/os-release /usr/lib/os-release; do
  copy "$f"
done

# udev properties used for node_disk_info
for f in /run/udev/data/b*; do copy "$f"; done

# sysfs: block queue, net classes, cpu topology, thermal, hwmon
for f in /sys/block/*/queue/rotational /sys/class/net/*/{operstate,mtu,speed,carrier,type,address,tx_queue_len} \
         /sys/devices/system/cpu/online /sys/devices/system/cpu/cpu*/cpufreq/scaling_cur_freq \
         /sys/class/thermal/thermal_zone*/{type,temp} /sys/class/thermal/cooling_device*/{type,cur_state,max_state}; do
  copy "$f"
done
for d in /sys/class/hwmon/hwmon*; do
  [ -e "$d" ] || continue
  for f in "$d"/name "$d"/*_input "$d"/*_label "$d"/*_crit "$d"/*_max; do copy "$f"; done
done

# cgroup v2 (wherever cgroup2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts):
# the control files the cgroup collector reads, three levels deep
cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$cg" ] && [ -f "$cg/cgroup.procs" ]; then
  while IFS= read -r dir; do
    for f in cgroup.controllers cgroup.procs cpu.stat cpu.max cpu.weight memory.current memory.max memory.high \
             memory.events memory.stat memory.swap.current cpu.pressure memory.pressure io.pressure io.stat pids.current; do
      copy "$dir/$f"
    done
  done < <(find "$cg" -maxdepth 3 -type d 2>/dev/null)
fi

# processes: the first MAX_PIDS, and this script's own shell so a user process is always present
count=0
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  [ "$count" -lt "$max_pids" ] || break
  [ -r "$p/stat" ] || continue
  for f in stat status io cmdline comm limits smaps_rollup cgroup wchan; do copy "$p/$f"; done
  if [ -d "$p/fd" ] && ls "$p/fd" >/dev/null 2>&1; then
    mkdir -p "$dest$p/fd"
    for fd in $(ls "$p/fd" 2>/dev/null); do : >"$dest$p/fd/$fd"; done
  fi
  if target=$(readlink "$p/exe" 2>/dev/null); then printf '%s' "$target" >"$dest$p/exe.link"; fi
  for t in "$p"/task/[0-9]*; do copy "$t/stat"; done
  count=$((count + 1))
done

# statfs for each mount point: mountpoint, type, block size, blocks, free, avail, files, files free
: >"$dest/.statfs.tsv"
while read -r _ mnt fstype _; do
  mnt=${mnt//\\040/ }; mnt=${mnt//\\011/$'\t'}; mnt=${mnt//\\134/\\}
  if out=$(timeout 2 stat -f -c '%S %b %f %a %c %d' "$mnt" 2>/dev/null); then
    printf '%s\t%s\t%s\n' "$mnt" "$fstype" "$out" >>"$dest/.statfs.tsv"
  fi
done </proc/1/mounts
echo "recorded into $dest ($(find "$dest" -type f | wc -l) files)"

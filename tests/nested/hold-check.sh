#!/usr/bin/env bash
# Inside L1 (tests/nested/suite.sh runs it first): kvm-hold, started by
# l1-init.sh, is running and holds its two VMs, so the tests' VMs do not
# make L1's kernel patch its text (kvm-hold.c, docs/nested.md).
name=/l1/kvm-hold
pid=$(pidof kvm-hold)
if [ -z "$pid" ]; then
	echo "FAIL $name: kvm-hold is not running in L1 ($(cat /tmp/kvm-hold.out 2>/dev/null))"
	exit 1
fi
fds=$(ls -l /proc/"$pid"/fd 2>/dev/null)
vms=$(echo "$fds" | grep -c "anon_inode:kvm-vm")
vcpus=$(echo "$fds" | grep -c "anon_inode:kvm-vcpu")
if [ "$vms" -ne 2 ] || [ "$vcpus" -ne 2 ]; then
	echo "FAIL $name: kvm-hold (pid $pid) holds $vms VMs and $vcpus vCPUs, not 2 and 2"
	exit 1
fi
echo "PASS $name: pid $pid holds 2 VMs, 2 vCPUs"

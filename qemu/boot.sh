#!/bin/bash
# Boot a kernel + initramfs in QEMU and check the serial log.
#
# usage: qemu/boot.sh --kernel F --initrd F [--disk IMG]... [--scsi IMG]...
#          [--nvme IMG]... [--ahci IMG]... [--ide IMG]... [--usb IMG]...
#          [--uas IMG]... [--sd IMG]... --append "CMDLINE" [--timeout SEC] [--log FILE] [--expect REGEX]...
#          [--reject REGEX]... [--monitor SOCK] [--icount | --icount-sleep] [--live]
#          [--qemu ARG]...
#
#   --disk IMG     virtio-blk disk (vda, vdb, ... in order). Opened with
#                  snapshot=on: the guest's writes never reach IMG.
#   --scsi IMG     scsi-hd disk on one virtio-scsi controller (id "hscsi",
#                  added with the first --scsi), snapshot=on as for --disk.
#                  The Nth --scsi (from 0) is target N % 256, LUN N / 256,
#                  in the order given: for "the root on the last of 200
#                  disks". Repeatable, hundreds of times if need be. The
#                  kernel names them sda, sdb, ... in the order its
#                  asynchronous probes happen, not necessarily this one.
#   Other controllers, one per kind of disk the guest may boot from; every
#   disk is opened with snapshot=on as for --disk:
#   --nvme IMG     an NVMe controller (QEMU "nvme") per IMG, one namespace
#                  each: nvme0n1, nvme1n1, ... (driver nvme).
#   --ahci IMG     a SATA disk on q35's own ICH9 AHCI controller, ports 0-5
#                  in order (at most 6): sda, ... (driver ahci).
#   --ide IMG      a disk on one PIIX3 IDE controller (QEMU "piix3-ide",
#                  added to the q35 machine with the first --ide), primary
#                  master, slave, then secondary (at most 4): sda, ...
#                  (driver ata_piix).
#   --usb IMG      a USB mass-storage stick (bulk-only, "usb-storage") per
#                  IMG on one xHCI controller ("qemu-xhci", shared with
#                  --uas): sda, ... (drivers xhci_pci, usb_storage).
#   --uas IMG      a USB Attached SCSI device ("usb-uas") per IMG with IMG
#                  as its LUN 0, on the same xHCI controller (driver uas).
#   --sd IMG       an SD card ("sd-card") in an SD host controller
#                  ("sdhci-pci"): mmcblk0 (drivers sdhci_pci, mmc_block).
#                  Once only: every sdhci-pci names its bus "sd-bus", so a
#                  second card could not say which one it goes in. QEMU
#                  wants the size of IMG to be a power of 2 (e.g. 64 MiB);
#                  boot.sh refuses other sizes.
#   --append       kernel command line; "console=ttyS0 " is put first (so
#                  it stays before any "--" in it). Nothing
#                  else is (add panic=-1 yourself to make a panic end QEMU).
#   --timeout SEC  hard limit (default 120), then QEMU is killed.
#   --log FILE     serial log (default: a temp file, kept only on failure);
#                  CRs are removed once QEMU has stopped.
#   --expect RE    grep -E pattern that must appear; repeatable.
#   --reject RE    grep -E pattern that must NOT appear; repeatable. QEMU is
#                  stopped as soon as one appears (e.g. 'Kernel panic').
#   --monitor SOCK HMP monitor on unix socket SOCK (see qemu/monitor.sh), plus
#                  an empty PCIe root port "rp1" to hot-plug a disk into.
#   --icount       deterministic guest clock (-icount shift=0,sleep=off);
#                  forces TCG.
#   --icount-sleep -icount shift=0,sleep=on; forces TCG. The guest clock
#                  counts instructions while the guest runs and follows the
#                  host's clock while it idles. Under sleep=off an idle guest
#                  jumps from timer to timer as fast as QEMU can go, so a
#                  wait for disk I/O costs as many ticks as pass before the
#                  host completes it: with hundreds of disk reads in a row
#                  the guest time measures the host's load (finding the root
#                  among 201 disks on a busy host: 17, 37, 63 and 78 s in
#                  four boots); sleep=on counts a wait as long as it was
#                  (2.5 to 4 s there).
#   --live         also copy the serial output to stdout as it arrives.
#   --smp N        virtual CPUs (default 1).
#   --qemu ARG     extra QEMU argument, passed through; repeatable.
#   --when RE      once RE appears in the log, do what --hmp and --type say:
#   --hmp CMD      send CMD to the monitor (needs --monitor); e.g. hot-plug a
#                  disk while the initramfs waits for it. Repeatable.
#   --type TEXT    type TEXT and a newline on the serial console (e.g. at a
#                  rescue shell's prompt). Repeatable. Typing only after RE is
#                  seen matters: the UART drops what arrives before the
#                  guest opens the console.
#
# QEMU stops as soon as every --expect has matched or any --reject has, when
# the guest powers off or reboots (-no-reboot), or at the timeout.
# Exit: 0 all --expect seen and no --reject seen; 1 otherwise; 124 timeout
# before all --expect were seen; 2 usage error or QEMU failed to start.
# Without --expect, success means the guest powered off by itself.
#
# Accelerator: KVM only if qemu/kvm-probe.sh's cached answer (build/kvm-ok,
# override with HATCH_KVM_OK=yes|no) is yes and neither --icount nor
# --icount-sleep is given; else TCG.
# On the project's build machines /dev/kvm exists but guests never run.
set -eu

die() {
    echo "hatch: boot: $*" >&2
    exit 2
}

kernel="" initrd="" append="" timeout=120 log="" monitor="" icount=0 live=0
when="" smp=1
disks=() scsis=() nvmes=() ahcis=() ides=() usbs=() uases=() sds=() expects=() rejects=() extra=() hmp=() types=()
while [ $# -gt 0 ]; do
    case $1 in
        --icount | --icount-sleep | --live) ;;
        *) [ $# -ge 2 ] || die "option $1 needs a value" ;;
    esac
    case $1 in
        --kernel) kernel=$2; shift 2 ;;
        --initrd) initrd=$2; shift 2 ;;
        --disk) disks+=("$2"); shift 2 ;;
        --scsi) scsis+=("$2"); shift 2 ;;
        --nvme) nvmes+=("$2"); shift 2 ;;
        --ahci) ahcis+=("$2"); shift 2 ;;
        --ide) ides+=("$2"); shift 2 ;;
        --usb) usbs+=("$2"); shift 2 ;;
        --uas) uases+=("$2"); shift 2 ;;
        --sd) sds+=("$2"); shift 2 ;;
        --append) append=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --expect) expects+=("$2"); shift 2 ;;
        --reject) rejects+=("$2"); shift 2 ;;
        --monitor) monitor=$2; shift 2 ;;
        --qemu) extra+=("$2"); shift 2 ;;
        --type) types+=("$2"); shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --when) when=$2; shift 2 ;;
        --hmp) hmp+=("$2"); shift 2 ;;
        --icount) icount=1; shift ;;
        --icount-sleep) icount=2; shift ;;
        --live) live=1; shift ;;
        *) die "unknown option $1 (see the header of qemu/boot.sh)" ;;
    esac
done
[ -n "$kernel" ] || die "--kernel is required"
[ -f "$kernel" ] || die "kernel $kernel not found"
[ -z "$initrd" ] || [ -f "$initrd" ] || die "initrd $initrd not found"
for d in ${disks[@]+"${disks[@]}"} ${scsis[@]+"${scsis[@]}"} ${nvmes[@]+"${nvmes[@]}"} \
    ${ahcis[@]+"${ahcis[@]}"} ${ides[@]+"${ides[@]}"} ${usbs[@]+"${usbs[@]}"} \
    ${uases[@]+"${uases[@]}"} ${sds[@]+"${sds[@]}"}; do
    [ -f "$d" ] || die "disk $d not found"
done
[ ${#ahcis[@]} -le 6 ] || die "at most 6 --ahci disks (the ICH9 AHCI has 6 ports)"
[ ${#ides[@]} -le 4 ] || die "at most 4 --ide disks (two channels, master and slave)"
[ ${#sds[@]} -le 1 ] || die "at most one --sd card"
for d in ${sds[@]+"${sds[@]}"}; do
    sz=$(stat -L -c %s "$d")
    if [ "$sz" = 0 ] || [ $((sz & (sz - 1))) != 0 ]; then
        die "--sd $d is $sz bytes; QEMU's sd-card wants a power of 2 (truncate it to e.g. 64M)"
    fi
done
case $timeout in '' | *[!0-9]*) die "--timeout wants whole seconds" ;; esac
[ ${#hmp[@]} = 0 ] || [ -n "$monitor" ] || die "--hmp needs --monitor"
[ ${#hmp[@]} = 0 ] && [ ${#types[@]} = 0 ] || [ -n "$when" ] || die "--hmp/--type need --when"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (qemu-system-x86)"

keep_log=1
if [ -z "$log" ]; then
    log=$(mktemp "${TMPDIR:-/tmp}/hatch-boot.XXXXXX")
    keep_log=0
fi
mkdir -p "$(dirname "$log")"
: >"$log"
errf=$(mktemp "${TMPDIR:-/tmp}/hatch-boot-err.XXXXXX")

kvm=${HATCH_KVM_OK:-}
if [ -z "$kvm" ]; then
    kvm=$(cat build/kvm-ok 2>/dev/null || echo no)
fi
if [ "$kvm" = yes ] && [ "$icount" = 0 ]; then
    accel=(-accel kvm -cpu host)
else
    # "max" gives the guest SSE4.2 etc., so drivers such as crc32c-intel
    # load as they would on real hardware.
    accel=(-accel tcg -cpu max)
fi

# q35 (PCIe) rather than pc: it is what current machines look like. Hot-plug
# on q35 needs a free PCIe root port; the monitor user plugs into bus=rp1.
fifo=""
if [ ${#types[@]} -gt 0 ]; then
    # A pipe chardev: QEMU reads FIFO.in and writes FIFO.out, which we copy
    # to the log, so that we can type into the console.
    fifo=$(mktemp -d "${TMPDIR:-/tmp}/hatch-serial.XXXXXX")
    mkfifo "$fifo/s.in" "$fifo/s.out"
    serial=(-chardev "pipe,id=ser0,path=$fifo/s" -serial chardev:ser0)
else
    serial=(-serial "file:$log")
fi
args=(-M q35 "${accel[@]}" -m 512 -smp "$smp" -nodefaults -display none -no-reboot
    "${serial[@]}" -kernel "$kernel" -append "console=ttyS0 $append")
[ -z "$initrd" ] || args+=(-initrd "$initrd")
for d in ${disks[@]+"${disks[@]}"}; do
    # QEMU splits -drive options at commas; doubling escapes them in names.
    args+=(-drive "file=${d//,/,,},if=virtio,format=raw,snapshot=on")
done
if [ ${#scsis[@]} -gt 0 ]; then
    args+=(-device "virtio-scsi-pci,id=hscsi")
    n=0
    for d in "${scsis[@]}"; do
        args+=(-drive "file=${d//,/,,},if=none,id=hscsi-d$n,format=raw,snapshot=on"
            -device "scsi-hd,drive=hscsi-d$n,bus=hscsi.0,scsi-id=$((n % 256)),lun=$((n / 256))")
        n=$((n + 1))
    done
fi
# drive NAME IMG: a -drive without a front end, for a -device to take.
drive() {
    args+=(-drive "file=${2//,/,,},if=none,id=$1,format=raw,snapshot=on")
}
n=0
for d in ${nvmes[@]+"${nvmes[@]}"}; do
    drive "hnvme-d$n" "$d"
    args+=(-device "nvme,drive=hnvme-d$n,serial=hatch-nvme-$n")
    n=$((n + 1))
done
n=0
for d in ${ahcis[@]+"${ahcis[@]}"}; do
    # ide.0 ... ide.5: the ports of q35's ICH9 AHCI (00:1f.2).
    drive "hahci-d$n" "$d"
    args+=(-device "ide-hd,drive=hahci-d$n,bus=ide.$n")
    n=$((n + 1))
done
[ ${#ides[@]} = 0 ] || args+=(-device "piix3-ide,id=hide")
n=0
for d in ${ides[@]+"${ides[@]}"}; do
    drive "hide-d$n" "$d"
    args+=(-device "ide-hd,drive=hide-d$n,bus=hide.$((n / 2)),unit=$((n % 2))")
    n=$((n + 1))
done
[ $((${#usbs[@]} + ${#uases[@]})) = 0 ] || args+=(-device "qemu-xhci,id=hxhci")
n=0
for d in ${usbs[@]+"${usbs[@]}"}; do
    drive "husb-d$n" "$d"
    args+=(-device "usb-storage,bus=hxhci.0,drive=husb-d$n")
    n=$((n + 1))
done
n=0
for d in ${uases[@]+"${uases[@]}"}; do
    drive "huas-d$n" "$d"
    args+=(-device "usb-uas,bus=hxhci.0,id=huas$n"
        -device "scsi-hd,bus=huas$n.0,scsi-id=0,lun=0,drive=huas-d$n")
    n=$((n + 1))
done
if [ ${#sds[@]} = 1 ]; then
    drive hsd-d0 "${sds[0]}"
    args+=(-device "sdhci-pci,id=hsd" -device "sd-card,drive=hsd-d0,bus=sd-bus")
fi
if [ -n "$monitor" ]; then
    rm -f "$monitor"
    args+=(-monitor "unix:${monitor//,/,,},server=on,wait=off"
        -device "pcie-root-port,id=rp1,chassis=1,slot=1")
else
    args+=(-monitor none)
fi
case $icount in
    1) args+=(-icount "shift=0,sleep=off") ;;
    2) args+=(-icount "shift=0,sleep=on") ;;
esac
args+=(${extra[@]+"${extra[@]}"})

qemu_pid="" tail_pid="" cat_pid=""
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill -TERM "$qemu_pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$qemu_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$qemu_pid" 2>/dev/null || true
    fi
    [ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
    [ -z "$cat_pid" ] || kill "$cat_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$errf"
    [ -z "$fifo" ] || { exec 3>&-; rm -rf "$fifo"; }
}
trap cleanup EXIT
trap 'exit 130' INT TERM

qemu-system-x86_64 "${args[@]}" </dev/null >/dev/null 2>"$errf" &
qemu_pid=$!
if [ -n "$fifo" ]; then
    # QEMU opens both FIFOs read-write, so neither open below blocks.
    cat "$fifo/s.out" >>"$log" &
    cat_pid=$!
    exec 3<>"$fifo/s.in"
fi
if [ "$live" = 1 ]; then
    # --pid makes tail end by itself shortly after QEMU does.
    tail -n +1 -f --pid="$qemu_pid" "$log" &
    tail_pid=$!
fi

# The serial port sends CR LF; drop the CRs so patterns may end in '$'.
logtext() {
    tr -d '\r' <"$log"
}

missing() {
    local re
    for re in ${expects[@]+"${expects[@]}"}; do
        logtext | grep -E -q -e "$re" || printf '%s\n' "$re"
    done
}

unwanted() {
    local re
    for re in ${rejects[@]+"${rejects[@]}"}; do
        ! logtext | grep -E -q -e "$re" || printf '%s\n' "$re"
    done
}

start=$(date +%s)
status=""
while :; do
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
        qrc=0
        wait "$qemu_pid" || qrc=$?
        qemu_pid=""
        # QEMU exits 0 on guest poweroff/reboot; anything else is its own failure.
        if [ "$qrc" != 0 ] && [ ! -s "$log" ]; then
            cat "$errf" >&2
            echo "hatch: boot: qemu-system-x86_64 failed (exit $qrc)" >&2
            exit 2
        fi
        status=exited
        break
    fi
    # A rejected line fails the run whatever follows: no need to wait.
    if [ ${#rejects[@]} -gt 0 ] && [ -n "$(unwanted)" ]; then
        status=rejected
        break
    fi
    if [ -n "$when" ] && grep -E -q -e "$when" "$log"; then
        when=""
        for t in ${types[@]+"${types[@]}"}; do
            printf '%s\n' "$t" >&3
        done
        [ ${#hmp[@]} = 0 ] || sh "$(dirname "$0")/monitor.sh" "$monitor" "${hmp[@]}" >&2 ||
            echo "hatch: boot: monitor commands failed" >&2
    fi
    if [ ${#expects[@]} -gt 0 ] && [ -z "$(missing)" ]; then
        status=seen
        break
    fi
    if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
        status=timeout
        break
    fi
    sleep 0.1
done
elapsed=$(($(date +%s) - start))
# QEMU's own complaints (warnings, a crash), less the note our kill causes.
qerr=$(grep -v 'terminating on signal' "$errf" || true)
# Stop QEMU now (not in the EXIT trap) so --live's tail ends before we report.
cleanup
trap - EXIT
# Keep a plain-text log for whoever greps it afterwards.
logtext >"$log.tmp" && mv "$log.tmp" "$log"

miss=$(missing)
bad=$(unwanted)

rc=0
if [ "$status" = timeout ] && [ -n "$miss" ]; then
    rc=124
    echo "hatch: boot: timeout after ${timeout}s" >&2
elif [ -n "$miss" ] || [ -n "$bad" ]; then
    rc=1
elif [ "$status" = timeout ]; then
    # No --expect given and the guest never powered off.
    rc=124
    echo "hatch: boot: timeout after ${timeout}s (guest did not power off)" >&2
fi
if [ "$rc" != 0 ]; then
    if [ "$live" = 0 ]; then
        echo "---- last 30 lines of $log ----" >&2
        tail -n 30 "$log" >&2
        echo "----" >&2
    fi
    while IFS= read -r re; do
        [ -z "$re" ] || echo "hatch: boot: missing: $re" >&2
    done <<<"$miss"
    while IFS= read -r re; do
        [ -z "$re" ] || echo "hatch: boot: unwanted: $re" >&2
    done <<<"$bad"
    [ -z "$qerr" ] || printf 'hatch: boot: qemu said: %s\n' "$qerr" >&2
    echo "hatch: boot: log kept in $log (${elapsed}s)" >&2
elif [ "$keep_log" = 0 ]; then
    rm -f "$log"
fi
exit "$rc"

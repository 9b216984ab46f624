#!/bin/bash
# Builds the stand-in cloud's guest image from Debian's own packages: a Debian 12 root filesystem made with
# debootstrap, the packages of packages.txt installed with apt inside it, written out as an ext4 disk image
# plus the kernel and initramfs qemu boots directly (the stand-in has no bootloader: see README.md).
# Usage: build-image.sh PACKAGE_LIST OUT_DIR [MIRROR]
# Runs in its own mount namespace, so the chroot's /proc and /dev mounts never touch the machine's.
set -euo pipefail

package_list=$1
out=$2
mirror=${3:-http://deb.debian.org/debian}

if [[ -z ${PRA_IMAGE_IN_NAMESPACE:-} ]]; then
  export PRA_IMAGE_IN_NAMESPACE=1
  exec unshare --mount --propagation private -- "$0" "$@"
fi

mapfile -t packages < <(grep -Ev '^[[:space:]]*(#|$)' "$package_list")
work=$(mktemp -d "${out}.build.XXXXXX")
root=$work/root
trap 'umount -R "$root/proc" "$root/sys" "$root/dev" 2>/dev/null || true; rm -rf "$work"' EXIT

debootstrap --variant=minbase bookworm "$root" "$mirror"

# Services must not start inside the chroot (mariadb, apache2, ssh postinsts would try).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
chroot "$root" apt-get update -q
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q --no-install-recommends "${packages[@]}"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
rm -f "$root/usr/sbin/policy-rc.d"

# What a cloud image carries: the root by label, OpenStack's datasources only, a console on the serial port.
echo 'LABEL=pra-root / ext4 defaults,errors=remount-ro 0 1' >"$root/etc/fstab"
echo 'pra-guest' >"$root/etc/hostname"
cat >"$root/etc/cloud/cloud.cfg.d/90-pra-cloud.cfg" <<'CFG'
datasource_list: [ConfigDrive, OpenStack, None]
CFG
# cloud-init writes the interface's own file under interfaces.d.
printf 'auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n' >"$root/etc/network/interfaces"
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"

cp -L "$root/vmlinuz" "$work/vmlinuz"
cp -L "$root/initrd.img" "$work/initrd.img"
umount -R "$root/proc" "$root/sys" "$root/dev"
mkfs.ext4 -q -L pra-root -d "$root" "$work/root.img" 4G

mkdir -p "$out"
mv "$work/vmlinuz" "$work/initrd.img" "$work/root.img" "$out/"
touch "$out/complete"

# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the vgen test-VM tooling (sourced by vgen-vm, check,
# build-module). Kernels:
#
#   stock  Debian's current stock kernel (from the linux-image-amd64 /
#          linux-headers-amd64 metapackages; the ABI suffix is resolved
#          each time, never hard-coded)
#   6.12   the newest linux-image-6.12.*+deb12-amd64 of bookworm-backports
#   debug  tinyconfig + selftests/vm/debug.config built from Debian's
#          linux-source-6.1 (KASAN, UBSAN, lockdep, kmemleak, ...)
#
# Downloaded images and the debug build live in $VGEN_CACHE (outside git);
# per-kernel module builds live in $VGEN_BUILD/kmod-<kver>.

VGEN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VGEN_VM_DIR=$VGEN_ROOT/selftests/vm
: "${VGEN_CACHE:=$HOME/.cache/vgen}"
: "${VGEN_BUILD:=$VGEN_ROOT/build}"
: "${VGEN_LINUX_SOURCE:=/usr/src/linux-source-6.1.tar.xz}"
export VGEN_CACHE VGEN_BUILD

# vgen_lock FILE: take an exclusive lock on FILE (created if needed) for
# the rest of the calling process; sets VGEN_LOCK_FD (release it with
# vgen_unlock). Several vgen-vm runs may share the cache and build dirs.
vgen_lock() {
	mkdir -p "$(dirname "$1")"
	exec {VGEN_LOCK_FD}>"$1"
	if ! flock -n "$VGEN_LOCK_FD"; then
		vgen_log "waiting for $1 (another vgen-vm is using it)"
		flock "$VGEN_LOCK_FD"
	fi
}
vgen_unlock() { exec {VGEN_LOCK_FD}>&-; }

vgen_log() { printf 'vgen-vm: %s\n' "$*" >&2; }
vgen_die() { printf 'vgen-vm: error: %s\n' "$*" >&2; exit 1; }

# Make sure apt's package lists exist (a fresh machine may have none).
_vgen_apt_updated=
vgen_apt_update() {
	[[ -n $_vgen_apt_updated ]] && return 0
	vgen_log "apt-get update"
	apt-get update -qq >&2 || vgen_die "apt-get update failed"
	_vgen_apt_updated=1
}

vgen_pkg_installed() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == \
		"install ok installed" ]]
}

vgen_apt_install() {
	local missing=() p
	for p in "$@"; do
		vgen_pkg_installed "$p" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	vgen_apt_update
	vgen_log "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
		"${missing[@]}" >&2 || vgen_die "apt-get install failed"
}

# Print the kernel release of Debian's current stock kernel.
vgen_stock_kver() {
	local kver try
	for try in 1 2; do
		kver=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' |
			head -n1)
		[[ -n $kver ]] && break
		vgen_apt_update
	done
	[[ -n $kver ]] || vgen_die "cannot resolve linux-image-amd64"
	printf '%s\n' "$kver"
}

# Print the kernel release of the newest 6.12 kernel whose image and
# headers are both available.
vgen_612_kver() {
	local kver try list
	for try in 1 2; do
		list=$(apt-cache search --names-only \
			'^linux-image-6\.12\.[0-9]+\+deb12-amd64(-unsigned)?$' \
			2>/dev/null | awk '{print $1}' |
			sed -e 's/^linux-image-//' -e 's/-unsigned$//' |
			sort -uV -r)
		for kver in $list; do
			if apt-cache show "linux-headers-$kver" >/dev/null 2>&1
			then
				printf '%s\n' "$kver"
				return 0
			fi
		done
		vgen_apt_update
	done
	vgen_die "no linux-image-6.12.*+deb12-amd64 with headers found"
}

# The KVM modules the test VM loads (the package's paths under
# lib/modules/KVER/kernel/, possibly .ko.xz), in load order.
VGEN_KVM_MODULES=(virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm
	arch/x86/kvm/kvm-amd arch/x86/kvm/kvm-intel)

# _vgen_download_image KVER TMP: download the image package of KVER into
# TMP and print the path of the .deb.
_vgen_download_image() {
	local kver=$1 tmp=$2 pkg
	# Prefer the -unsigned package when there is one (no shim wrapper).
	pkg=linux-image-$kver
	if apt-cache show "$pkg-unsigned" >/dev/null 2>&1; then
		pkg=$pkg-unsigned
	elif ! apt-cache show "$pkg" >/dev/null 2>&1; then
		vgen_apt_update
	fi
	vgen_log "downloading $pkg"
	(cd "$tmp" &&
	 apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2) ||
		return 1
	echo "$tmp"/*.deb
}

# _vgen_extract_kvm KVER DEB DIR: extract the KVM modules of DEB into
# DIR/kvm (uncompressed, flat: irqbypass.ko, kvm.ko, ...). Never fails: a
# package without them leaves DIR/kvm with a file "missing" instead.
_vgen_extract_kvm() {
	local kver=$1 deb=$2 dir=$3 x=$3/kvm.tmp m f pats=()
	rm -rf "$x"
	mkdir -p "$x/tree"
	for m in "${VGEN_KVM_MODULES[@]}"; do
		pats+=("./lib/modules/$kver/kernel/$m.ko*")
	done
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$x/tree" --wildcards "${pats[@]}" 2>/dev/null || true
	for m in "${VGEN_KVM_MODULES[@]}"; do
		f=$x/tree/lib/modules/$kver/kernel/$m
		if [[ -f $f.ko.xz ]]; then
			xz -dc "$f.ko.xz" > "$x/$(basename "$m").ko"
		elif [[ -f $f.ko ]]; then
			cp "$f.ko" "$x/$(basename "$m").ko"
		else
			echo "$m" >> "$x/missing"
		fi
	done
	rm -rf "$x/tree" "$dir/kvm"
	mv "$x" "$dir/kvm"
}

# vgen_fetch_image KVER: download the image package of KVER into the cache
# (once) and print the path of its vmlinuz. The KVM modules of the package
# are kept beside it in kvm/ (see vgen_kvm_modules_dir).
vgen_fetch_image() {
	local kver=$1 dir=$VGEN_CACHE/kernels/$1 tmp deb
	vgen_lock "$VGEN_CACHE/kernels/.lock"
	if [[ -s $dir/vmlinuz && -d $dir/kvm ]]; then
		vgen_unlock
		printf '%s\n' "$dir/vmlinuz"
		return 0
	fi
	mkdir -p "$dir"
	tmp=$(mktemp -d "$VGEN_CACHE/kernels/.dl.XXXXXX")
	deb=$(_vgen_download_image "$kver" "$tmp") ||
		{ rm -rf "$tmp"; vgen_die "apt-get download of the $kver image failed"; }
	if [[ ! -s $dir/vmlinuz ]]; then
		# Equivalent to dpkg-deb -x, restricted to the one file we need.
		mkdir "$tmp/x"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$tmp/x" --wildcards './boot/vmlinuz-*' ||
			{ rm -rf "$tmp"; vgen_die "cannot extract $deb"; }
		mv "$tmp/x/boot/vmlinuz-$kver" "$dir/vmlinuz.tmp"
		dpkg-deb -f "$deb" Version > "$dir/version"
		mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	fi
	_vgen_extract_kvm "$kver" "$deb" "$dir"
	rm -rf "$tmp"
	vgen_unlock
	printf '%s\n' "$dir/vmlinuz"
}

# vgen_kvm_modules_dir KVER: print the cache directory holding the KVM
# modules of the stock kernel KVER (after vgen_fetch_image).
vgen_kvm_modules_dir() {
	printf '%s\n' "$VGEN_CACHE/kernels/$1/kvm"
}

# vgen_debug_dir: the cache directory of the debug kernel, keyed by a hash
# of the config fragment and of the linux-source-6.1 package version.
vgen_debug_dir() {
	local ver hash
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
		true)
	hash=$( { cat "$VGEN_VM_DIR/debug.config"; echo "$ver";
		  stat -c %s "$VGEN_LINUX_SOURCE" 2>/dev/null || true; } |
		sha256sum | cut -c1-16)
	printf '%s\n' "$VGEN_CACHE/debug-$hash"
}

# vgen_build_debug: build the debug kernel if it is not cached yet.
vgen_build_debug() {
	local dir src cfg opt missing=() t0
	dir=$(vgen_debug_dir)
	src=$dir/linux
	[[ -f $dir/done ]] && return 0
	vgen_lock "$dir.lock"
	if [[ -f $dir/done ]]; then	# built while we waited
		vgen_unlock
		return 0
	fi
	[[ -f $VGEN_LINUX_SOURCE ]] || vgen_apt_install linux-source-6.1
	t0=$SECONDS
	if [[ -f $dir/configured ]]; then
		# An interrupted build: make picks up where it stopped.
		vgen_log "debug kernel: resuming the build in $dir"
	else
		rm -rf "$dir"
		mkdir -p "$dir"
		vgen_log "debug kernel: extracting $VGEN_LINUX_SOURCE into $dir"
		mkdir "$src"
		tar -xJf "$VGEN_LINUX_SOURCE" -C "$src" --strip-components=1
		cp "$VGEN_VM_DIR/debug.config" \
			"$src/kernel/configs/vgen-debug.config"
		vgen_log "debug kernel: tinyconfig + debug.config"
		make -C "$src" -s tinyconfig vgen-debug.config \
			>"$dir/config.log" 2>&1 ||
			{ cat "$dir/config.log" >&2;
			  vgen_die "kernel config failed"; }
		# tinyconfig silently drops options whose dependencies are
		# missing: every "=y" of the fragment must really be set.
		cfg=$src/.config
		while read -r opt; do
			grep -qx "$opt=y" "$cfg" || missing+=("$opt")
		done < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=y$/\1/p' \
				"$VGEN_VM_DIR/debug.config")
		((${#missing[@]} == 0)) ||
			vgen_die "debug.config: not enabled after olddefconfig: ${missing[*]}"
		touch "$dir/configured"
	fi
	vgen_log "debug kernel: make -j$(nproc) bzImage modules (a few minutes)"
	if ! make -C "$src" -j"$(nproc)" bzImage modules >>"$dir/build.log" 2>&1
	then
		tail -n 40 "$dir/build.log" >&2
		vgen_die "debug kernel build failed (log: $dir/build.log)"
	fi
	vgen_log "debug kernel: built in $((SECONDS - t0))s"
	touch "$dir/done"
	vgen_unlock
	vgen_prune_debug "$dir"
}

# vgen_prune_debug KEEP: remove the debug kernels of older fragments from
# the cache (each is ~2 GB), except those another run holds locked.
vgen_prune_debug() {
	local d
	for d in "$VGEN_CACHE"/debug-*/; do
		d=${d%/}
		[[ -d $d && $d != "$1" ]] || continue
		(
			exec {fd}>"$d.lock"
			flock -n "$fd" || exit 0
			vgen_log "removing old debug kernel $d"
			rm -rf "$d" "$d.lock"
		)
	done
}

# vgen_kernel_prepare NAME: make the kernel NAME (stock|6.12|debug) ready
# and set VGEN_KVER, VGEN_KIMAGE and VGEN_KDIR.
vgen_kernel_prepare() {
	local dir
	case $1 in
	stock|6.1)
		VGEN_KVER=$(vgen_stock_kver) ;;
	6.12)
		VGEN_KVER=$(vgen_612_kver) ;;
	debug)
		vgen_build_debug
		dir=$(vgen_debug_dir)
		VGEN_KDIR=$dir/linux
		VGEN_KIMAGE=$VGEN_KDIR/arch/x86/boot/bzImage
		VGEN_KVER=$(vgen_kdir_kver "$VGEN_KDIR")
		return 0 ;;
	*)
		vgen_die "unknown kernel '$1' (stock, 6.12 or debug)" ;;
	esac
	vgen_apt_install "linux-headers-$VGEN_KVER"
	VGEN_KDIR=/lib/modules/$VGEN_KVER/build
	# build-module needs only the headers.
	[[ -n ${VGEN_NO_IMAGE:-} ]] ||
		VGEN_KIMAGE=$(vgen_fetch_image "$VGEN_KVER")
}

# vgen_kdir_kver KDIR: the release of the kernel whose tree/headers are in
# KDIR (UTS_RELEASE: Debian's headers have only the upstream version in
# include/config/kernel.release).
vgen_kdir_kver() {
	local f=$1/include/generated/utsrelease.h
	[[ -f $f ]] || vgen_die "$1 is not a prepared kernel tree or headers"
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f"
}

# vgen_module_build KDIR [SRC]: build vgen.ko against KDIR from the module
# sources in SRC (default: the repository: Kbuild, kmod/, uapi/) in
# $VGEN_BUILD/kmod-<kver>/ and print the path of the .ko.
vgen_module_build() {
	local kdir=$1 src=${2:-$VGEN_ROOT} kver out d ko
	kver=$(vgen_kdir_kver "$kdir")
	out=$VGEN_BUILD/kmod-$kver
	mkdir -p "$out"
	vgen_lock "$out.lock"
	# Copy (not symlink): Kbuild writes objects next to the sources.
	# Only files whose content changed are copied, and they get a new
	# mtime (rsync -c without -t) so that make rebuilds what depends on
	# them. Generated files are protected from --delete, stale sources
	# are not.
	cmp -s "$src/Kbuild" "$out/Kbuild" || cp "$src/Kbuild" "$out/Kbuild"
	for d in kmod uapi; do
		[[ -d $src/$d ]] || continue
		rsync -rlc --delete --filter='P *.o' --filter='P .*.cmd' \
			--filter='P *.mod' --filter='P *.mod.c' \
			--filter='P *.ko' --filter='P .*.d' \
			"$src/$d/" "$out/$d/"
	done
	# UBSAN_SANITIZE=y: instrument the module when the kernel has UBSAN
	# (the debug kernel does not instrument itself; see debug.config).
	make -C "$kdir" M="$out" UBSAN_SANITIZE=y modules >&2 ||
		vgen_die "module build against $kdir failed"
	ko=$(cd "$out" && ls -1 ./*.ko 2>/dev/null | head -n1)
	[[ -n $ko ]] || vgen_die "no .ko produced in $out"
	ko=$out/${ko#./}
	# A private copy for the caller, taken under the lock (another run
	# may rebuild $out from other sources right after).
	if [[ -n ${VGEN_KO_COPY:-} ]]; then
		mkdir -p "$VGEN_KO_COPY"
		cp "$ko" "$VGEN_KO_COPY/"
		ko=$VGEN_KO_COPY/$(basename "$ko")
	fi
	vgen_unlock
	printf '%s\n' "$ko"
}

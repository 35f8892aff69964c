# Hand-written driver: bootstrap, out-of-tree builds and every user-facing target.
# The real build is autotools (configure.ac, Makefile.am) configured in build*/.

BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CONFIGURE_FLAGS ?= $(if $(CI),--enable-werror,)
SAN_COMMON = -O1 -g -fno-omit-frame-pointer
ASAN_FLAGS = $(SAN_COMMON) -fsanitize=address,undefined -fno-sanitize-recover=all
TSAN_FLAGS = $(SAN_COMMON) -fsanitize=thread
FUZZ_SECONDS ?= 20
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

# Where `make deb` leaves the package (ignored by git, like every build-*/).
DEB_OUT   ?= build-deb-pkg
# /usr is the system's own prefix: its configuration lives in /etc, not /usr/etc.
SYSCONFDIR = $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)

.PHONY: all deps demo check check-asan check-tsan check-fuzz fuzz bench install deb clean distclean

all: $(BUILD)/Makefile
	$(MAKE) -C $(BUILD) -j$(JOBS)

deps:
	@pkgs="$$(sed -e 's/#.*//' debian-packages.txt | xargs)"; \
	if dpkg-query -W -f='$${Status}\n' $$pkgs 2>/dev/null | grep -vq '^install ok installed$$' || \
	   [ "$$(dpkg-query -W -f='$${Status}\n' $$pkgs 2>/dev/null | wc -l)" -ne "$$(echo $$pkgs | wc -w)" ]; then \
		echo "deps: installing Debian packages: $$pkgs"; \
		echo "postfix postfix/main_mailer_type select No configuration" | \
			$(SUDO) debconf-set-selections 2>/dev/null || true; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$pkgs; \
	else \
		echo "deps: all Debian packages present"; \
	fi

configure build-aux/tap-driver.sh: configure.ac Makefile.am $(wildcard mk/*.am)
	autoreconf -fi
	@touch configure

# Every out-of-tree build dir is configured the same way, with its own flags.
$(BUILD)/Makefile: | configure
	mkdir -p $(BUILD)
	cd $(BUILD) && ../configure --prefix=$(PREFIX) $(if $(filter /usr,$(PREFIX)),--sysconfdir=/etc) \
		$(CONFIGURE_FLAGS) $(EXTRA_CONFIGURE)

demo: deps all
	@bash tests/demo.sh $(BUILD)

check: deps all
	@rc=0; $(MAKE) -C $(BUILD) -j$(JOBS) check || rc=$$?; \
	bash tests/summary.sh $(BUILD) || rc=1; exit $$rc

check-asan: deps
	@$(MAKE) --no-print-directory all BUILD=build-asan \
		EXTRA_CONFIGURE='CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined"'
	@rc=0; ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(MAKE) -C build-asan -j$(JOBS) check || rc=$$?; \
	bash tests/summary.sh build-asan || rc=1; exit $$rc

check-tsan: deps
	@$(MAKE) --no-print-directory all BUILD=build-tsan \
		EXTRA_CONFIGURE='CFLAGS="$(TSAN_FLAGS)" LDFLAGS="-fsanitize=thread"'
	@rc=0; TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
		$(MAKE) -C build-tsan -j$(JOBS) check || rc=$$?; \
	bash tests/summary.sh build-tsan || rc=1; exit $$rc

# libFuzzer targets (clang); each runs FUZZ_SECONDS on its seed corpus.
fuzz: deps
	@$(MAKE) --no-print-directory all BUILD=build-fuzz \
		EXTRA_CONFIGURE='CC=clang --enable-fuzz CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined"'

check-fuzz: fuzz
	@bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# End-of-message wait against the serial-lookup baseline (bench/eom_wait.py);
# daemon CPU per message against the cryptography it needs (bench/cpu_cost.py);
# compauthd against OpenDKIM+OpenDMARC and rspamd on one corpus and one nsd
# (bench/compare.py: root for its network namespace, apt-installs opendkim,
# opendmarc, rspamd and python3-nacl if missing; table in $(BUILD)/bench-results.md,
# with the libmilter floor (bench/nullmilter.c) and the targets measured in the run).
bench: deps all
	@/usr/bin/python3 bench/eom_wait.py $(BUILD) 20 50
	@/usr/bin/python3 bench/cpu_cost.py $(BUILD) 300
	@/usr/bin/python3 bench/compare.py $(BUILD)

# The binary's default configuration file (compauthd -n without -c) is
# fixed when $(BUILD) is configured, from PREFIX then: say so when this
# install goes elsewhere (the installed unit always passes -c).
install: all
	$(MAKE) -C $(BUILD) install DESTDIR="$(DESTDIR)" prefix="$(PREFIX)" sysconfdir="$(SYSCONFDIR)"
	@built=$$(sed -n 's/^sysconfdir = //p' $(BUILD)/Makefile); \
	[ "$$built" = '$(SYSCONFDIR)' ] || [ "$$built" = '$${prefix}/etc' -a '$(PREFIX)/etc' = '$(SYSCONFDIR)' -a \
		"$$(sed -n 's/^prefix = //p' $(BUILD)/Makefile)" = '$(PREFIX)' ] || \
		echo "install: note: $(BUILD) was configured for another prefix, so compauthd -n without -c reads $$built/compauthd/compauthd.conf; rm -rf $(BUILD) and make install PREFIX=$(PREFIX) again to build for $(SYSCONFDIR)" >&2

# The Debian package (debian/), built by dpkg-buildpackage in a temporary
# copy of the source tree (git's tracked and new, not ignored, files), so
# that neither the tree nor a build*/ directory is touched. The upstream
# version of debian/changelog must be configure.ac's.
deb:
	@set -e; \
	v=$$(sed -n 's/^AC_INIT(\[compauthd\], *\[\([^]]*\)\].*/\1/p' configure.ac); \
	dv=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	case "$$dv" in "$$v"-*) ;; \
	*) echo "deb: debian/changelog is at $$dv, configure.ac at $$v" >&2; exit 1;; esac; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	src="$$tmp/compauthd-$$v"; mkdir "$$src"; \
	if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			xargs -0 sh -c 'for f; do [ ! -e "$$f" ] || cp -P --parents "$$f" "$$0"; done' "$$src"; \
	else \
		tar -cf - --exclude='./build' --exclude='./build-*' --exclude='./.git' . | tar -xf - -C "$$src"; \
	fi; \
	echo "deb: dpkg-buildpackage -b in $$src"; \
	(cd "$$src" && DEB_BUILD_OPTIONS="parallel=$(JOBS) $$DEB_BUILD_OPTIONS" \
		dpkg-buildpackage -b -us -uc > "$$tmp/build.log" 2>&1) || \
		{ tail -n 40 "$$tmp/build.log" >&2; echo "deb: dpkg-buildpackage failed" >&2; exit 1; }; \
	out="$(abspath $(DEB_OUT))"; mkdir -p "$$out"; \
	cp "$$tmp/build.log" "$$out/compauthd_$$dv.build.log"; \
	for f in "$$tmp"/compauthd*_"$$dv"_*.deb "$$tmp"/compauthd_"$$dv"_*.buildinfo "$$tmp"/compauthd_"$$dv"_*.changes; do \
		[ ! -e "$$f" ] || cp "$$f" "$$out/"; \
	done; \
	deb=$$(cd "$$out" && ls compauthd_"$$dv"_*.deb); \
	echo "deb: $$out/$$deb"

clean:
	rm -rf build build-asan build-tsan build-fuzz $(DEB_OUT)

distclean: clean
	rm -rf autom4te.cache build-aux aclocal.m4 configure Makefile.in config.h.in config.h.in~

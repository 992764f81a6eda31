# maillab — the e-mail server lab kit.
#
#   make run GROUP=3   build lab and run group 3's mail server (lab start --group 3)
#   make test          install the test clients if missing, then vet, build lab for
#                      every platform, and run every test
#   make cross         build lab for every platform (CGO off), vet each system's code
#   make dist          release archives for every platform, with SHA256SUMS, in dist/
#   make bench         benchmarks of the hot paths, then lab start as students run it
#   make bench-history the default mode alone: history, RSS and a flood

GROUP ?= 3
GO    ?= go

# The platforms lab is built for: the instructors' Linux lab machines and the
# students' macOS and Windows laptops.
PLATFORMS = linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

.PHONY: all build run deps test vet cross dist bench bench-history clean

all: build

build:
	$(GO) build -o bin/lab ./lab

run: build
	./bin/lab start --group $(GROUP)

# The real clients the tests drive: telnet (through expect), curl, swaks,
# s-nail, Python's poplib and smtplib, openssl s_client (TLS).
deps:
	scripts/deps

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt wants to change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# Cross-compiled, CGO off, as the release archives are; go vet once for each
# system, since the code differs by system and not by processor.
cross:
	@set -e; for p in $(PLATFORMS); do \
		echo "build lab for $$p"; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build -o /dev/null ./lab; \
	done; \
	for os in linux darwin windows; do \
		echo "vet for $$os"; \
		CGO_ENABLED=0 GOOS=$$os $(GO) vet ./...; \
	done

test: deps vet cross
	$(GO) test -race -count=1 -timeout 20m ./...

# Release archives: dist/maillab-VERSION-OS-ARCH.tar.gz (.zip for Windows)
# and dist/SHA256SUMS. VERSION defaults to git describe.
dist:
	PLATFORMS="$(PLATFORMS)" GO="$(GO)" scripts/dist

# The hot paths: Maildir delivery (durable, 1 and 16 writers) and listing,
# POP3 RETR with byte-stuffing, LIST/UIDL/STAT of 10,000 messages, the SMTP
# DATA reader, journal appends, and whole group-server sessions over
# loopback. Then `lab start` in the default mode, as students run it (console
# and guide on, output to a file, mailboxes filled through SMTP): the cost of
# a session and the RSS as the history grows, and a NOOP flood
# (scripts/bench-history; HISTORY_AT=1000,10000 for a shorter run). Side by
# side with Postfix and Dovecot: scripts/bench-peers (root).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./server/...
	scripts/bench-history

bench-history:
	scripts/bench-history

clean:
	rm -rf bin dist

# maillab — the e-mail server lab kit.
#
#   make run GROUP=3   build lab and run group 3's mail server (lab start --group 3)
#   make test          install the test clients if missing, then vet and run every test
#   make bench         benchmarks of the hot paths

GROUP ?= 3
GO    ?= go

.PHONY: all build run deps test vet bench clean

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

test: deps vet
	$(GO) test -race -count=1 -timeout 20m ./...

# The hot paths: Maildir delivery (durable, 1 and 16 writers) and listing,
# POP3 RETR with byte-stuffing, LIST/UIDL/STAT of 10,000 messages, the SMTP
# DATA reader, journal appends, and whole group-server sessions over
# loopback. Side by side with Postfix and Dovecot: scripts/bench-peers (root).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./server/...

clean:
	rm -rf bin

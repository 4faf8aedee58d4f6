# HAI LURAH — one command runs the system, one runs the tests.
GO      ?= go
export GOTOOLCHAIN ?= local
BIN     := bin/hailurah
PKGS    := ./...

.PHONY: run demo build test test-short test-faults test-wa-outage-10m test-outage fuzz lint fmt vet eval-triage train-triage bench bench-quick clean

## run: build and start the whole system (embedded Temporal, SQLite, web UI on :8080)
run: build
	./$(BIN) dev

## demo: the same, with months of demo data filled on first start (seed-demo): every ticket, grant and
## pilot still open has its workflow, so each can be worked
demo: build
	./$(BIN) dev --demo

build:
	$(GO) build -o $(BIN) ./cmd/hailurah

## test: every test; Postgres tests run when TEST_DATABASE_URL is set (CI sets it)
test:
	$(GO) test -count=1 -timeout 20m $(PKGS)

## test-short: the quick tests only
test-short:
	$(GO) test -short -count=1 $(PKGS)

## test-faults: the real binary killed with SIGKILL three times under webhook load; Gemini failing every
## way (timeouts, 429, 5xx, garbage); the WhatsApp Cloud API down for 45 s (HAILURAH_TEST_WA_OUTAGE)
test-faults:
	$(GO) test -tags faults -run 'TestCrashRecovery|TestGeminiOutage|TestWhatsAppOutage' -count=1 -v -timeout 20m ./cmd/hailurah/

## test-wa-outage-10m: the WhatsApp outage test with the Cloud API down for 10 minutes (about 15 minutes)
test-wa-outage-10m:
	HAILURAH_TEST_WA_OUTAGE=10m $(GO) test -tags faults -run TestWhatsAppOutage -count=1 -v -timeout 45m ./cmd/hailurah/

## test-outage: a Postgres cluster of the test's own is stopped while curhat flow (root; Debian's pg tools)
test-outage:
	$(GO) test -tags outage -run TestPostgresOutage -count=1 -v -timeout 10m ./cmd/hailurah/

## fuzz: each fuzz target for a minute (their seed corpora run in make test)
FUZZTIME ?= 1m
fuzz:
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' . | while read f; do \
	  dir=$$(dirname $$f); \
	  for fn in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/^func //'); do \
	    echo "== $$dir $$fn"; $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./$$dir || exit 1; \
	  done; \
	done

## lint: gofmt, Go files ≤ 800 lines and packages ≤ 6,000 non-test lines outside cmd/, a tidy go.mod,
## go vet and staticcheck, each without build tags and with every tag of
## BUILD_TAGS, so the tagged test files are checked too
# The build tags of the tagged files; lint fails when a //go:build line names one not listed here.
BUILD_TAGS  := faults outage record
# Tags Go sets from the platform; lint accepts them without vetting them as extra tags.
PLATFORM_TAGS := unix linux darwin windows
# Run through the module proxy at a pinned version, so a fresh machine needs only Go; v0.8.2 is
# staticcheck 2026.2.2, built for Go 1.26. Its own dependencies stay out of this go.mod.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@unlisted=$$(git grep -h '^//go:build' -- '*.go' | sed 's#^//go:build##' | tr -cs 'A-Za-z0-9_.' '\n' | \
	  grep -vx -e '' $(foreach t,$(BUILD_TAGS) $(PLATFORM_TAGS),-e $(t)) | sort -u); \
	if [ -n "$$unlisted" ]; then echo "build tags missing from BUILD_TAGS in the Makefile:"; echo "$$unlisted"; exit 1; fi
	@big=$$(git ls-files '*.go' | grep -v '^cmd/' | xargs wc -l | awk '$$2 != "total" && $$1 > 800 {print $$2 ": " $$1 " lines"}'); \
	if [ -n "$$big" ]; then echo "Go files over 800 lines outside cmd/:"; echo "$$big"; exit 1; fi
	@big=$$(git ls-files '*.go' | grep -v -e '^cmd/' -e '_test\.go$$' | xargs wc -l | awk '$$2 != "total" { \
	  d = $$2; sub(/\/[^\/]*$$/, "", d); if (d == $$2) d = "."; n[d] += $$1 } \
	  END { for (d in n) if (n[d] > 6000) print d ": " n[d] " lines" }'); \
	if [ -n "$$big" ]; then echo "packages over 6,000 non-test lines:"; echo "$$big"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet $(PKGS)
	@set -e; for tag in $(BUILD_TAGS); do echo "$(GO) vet -tags $$tag $(PKGS)"; $(GO) vet -tags $$tag $(PKGS); done
	printf '%s\n' 'untagged:' $(foreach t,$(BUILD_TAGS),'$(t): -tags=$(t)') | $(GO) run $(STATICCHECK) -matrix $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

## eval-triage: kategori accuracy, urgency within ±1, urgency-5 escalated, false escalation, the confusion
## matrix and the misclassified messages of the offline triage, on every labeled set (docs/TRIAGE.md)
eval-triage:
	HAILURAH_EVAL_REPORT=1 $(GO) test ./triage -run 'TestEvaluation|TestHoldout2' -count=1 -v

## train-triage: retrain the kategori model (triage/model.json) from triage/testdata/train.jsonl; the same
## corpus and rules always give the same file, and a test fails when the committed one is not it
train-triage:
	$(GO) run ./triage/cmd/train-triage -data triage/testdata/train.jsonl -out triage/model.json

## bench: every benchmark of docs/BENCHMARKS.md in one run, which it rewrites (about 90 minutes, not part
## of make test): intake vs the engine, webhook latency, 1,000,000 tickets on Postgres, 50,000 open cases,
## rules triage. Postgres: BENCH_DATABASE_URL (a database the bench may create databases from).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
BENCH_RUNS ?= 3
bench: build
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' $(GO) run ./cmd/hailurah-bench -bin $(BIN) -runs $(BENCH_RUNS)

## bench-quick: the same sections, reduced and run once, printed only (CI runs it to keep them working)
bench-quick: build
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' $(GO) run ./cmd/hailurah-bench -bin $(BIN) -quick
	$(GO) test -run '^$$' -bench . -benchtime 100x ./triage/

clean:
	rm -rf bin

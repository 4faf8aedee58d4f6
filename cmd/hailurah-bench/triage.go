package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/hailurah/hailurah/triage"
)

// benchTriage: the rules classifier on the 286 labeled Madiun-style
// messages of triage/testdata, on one core.
func benchTriage(ctx context.Context, b *Bench) (*Result, error) {
	texts, err := labeledTexts("triage/testdata/labeled.jsonl")
	if err != nil {
		return nil, err
	}
	rules, err := triage.LoadRules("")
	if err != nil {
		return nil, err
	}
	c := triage.NewRulesClassifier(rules)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	runs := max(b.Runs, 5)
	if b.Quick {
		runs = 1
	}
	var rates []float64
	var allocs int64
	for i := 0; i < runs; i++ {
		var failed error
		r := testing.Benchmark(func(tb *testing.B) {
			tb.ReportAllocs()
			for j := 0; j < tb.N; j++ {
				if _, err := c.Classify(ctx, texts[j%len(texts)]); err != nil {
					failed = err
					tb.FailNow()
				}
			}
		})
		if failed != nil {
			return nil, failed
		}
		rate := float64(r.N) / r.T.Seconds()
		rates = append(rates, rate)
		allocs = r.AllocsPerOp()
		b.Logf("triage run %d: %.0f msgs/s on one core (%d allocs/msg)", i+1, rate, allocs)
	}
	med := median(rates)
	var sb strings.Builder
	fmt.Fprintf(&sb, "Command: `go run ./cmd/hailurah-bench -only triage` (part of `make bench`); the same loop is `go test -run '^$' -bench RulesClassify -cpu 1 ./triage/`.\n\n")
	fmt.Fprintf(&sb, "The rules classifier (`triage.NewRulesClassifier`, default `rules.yaml`) classifies the %d labeled messages of `triage/testdata/labeled.jsonl` in turn, GOMAXPROCS=1, %d runs of `testing.Benchmark`: %s msgs/s; median **%.0f msgs/s per core**, %d allocations per message. "+
		"It is pure CPU work on short texts (normalising, lexicon look-ups, the urgency rules); no I/O.\n",
		len(texts), runs, joinRuns(rates, func(f float64) string { return fmt.Sprintf("%.0f", f) }), med, allocs)
	return &Result{
		Summary: []SummaryRow{{"Rules triage per core", "≥ 10,000 msgs/s", fmt.Sprintf("%.0f msgs/s", med), med >= 10000}},
		Body:    sb.String(),
	}, nil
}

// labeledTexts reads the texts of a labeled JSON-lines file.
func labeledTexts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run the bench from the repository root)", err)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var l struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		texts = append(texts, l.Text)
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("%s: no messages", path)
	}
	return texts, sc.Err()
}

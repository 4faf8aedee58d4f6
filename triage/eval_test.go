package triage

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
)

type labeled struct {
	Text     string `json:"text"`
	Kategori string `json:"kategori"`
	Urgency  int    `json:"urgency"`
}

func loadLabeled(tb testing.TB) []labeled {
	return loadLabeledFile(tb, "testdata/labeled.jsonl")
}

func loadLabeledFile(tb testing.TB, path string) []labeled {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var set []labeled
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var l labeled
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			tb.Fatalf("%s:%d: %v", path, line, err)
		}
		switch {
		case strings.TrimSpace(l.Text) == "":
			tb.Fatalf("%s:%d: empty text", path, line)
		case !hailurah.ValidKategori(l.Kategori):
			tb.Fatalf("%s:%d: unknown kategori %q", path, line, l.Kategori)
		case l.Urgency < 1 || l.Urgency > 5:
			tb.Fatalf("%s:%d: urgency %d outside 1–5", path, line, l.Urgency)
		case seen[l.Text]:
			tb.Fatalf("%s:%d: duplicate message", path, line)
		}
		seen[l.Text] = true
		set = append(set, l)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return set
}

// evaluation is how a classifier did on a labeled set.
type evaluation struct {
	n, kategoriOK, within1, exact, u5, u5found int
	// u5escalated counts urgency-5 messages escalated; low and lowEscalated
	// the messages of urgency 1–2 and those of them escalated anyway.
	u5escalated, low, lowEscalated int
	confusion                      [][]int
	missed                         []string
}

func (e *evaluation) kategoriAccuracy() float64 { return float64(e.kategoriOK) / float64(e.n) }
func (e *evaluation) urgencyWithin1() float64   { return float64(e.within1) / float64(e.n) }
func (e *evaluation) urgency5Recall() float64 {
	if e.u5 == 0 {
		return 1
	}
	return float64(e.u5found) / float64(e.u5)
}

func (e *evaluation) urgency5Escalated() float64 {
	if e.u5 == 0 {
		return 1
	}
	return float64(e.u5escalated) / float64(e.u5)
}

func (e *evaluation) falseEscalation() float64 {
	if e.low == 0 {
		return 0
	}
	return float64(e.lowEscalated) / float64(e.low)
}

func evaluate(t *testing.T, c Classifier, set []labeled) *evaluation {
	t.Helper()
	idx := map[string]int{}
	for i, k := range hailurah.Kategoris {
		idx[k] = i
	}
	e := &evaluation{n: len(set), confusion: make([][]int, len(hailurah.Kategoris))}
	for i := range e.confusion {
		e.confusion[i] = make([]int, len(hailurah.Kategoris))
	}
	for _, l := range set {
		tr, err := c.Classify(context.Background(), l.Text)
		if err != nil {
			t.Fatalf("Classify(%q): %v", l.Text, err)
		}
		e.confusion[idx[l.Kategori]][idx[tr.Kategori]]++
		okK := tr.Kategori == l.Kategori
		okU := abs(tr.Urgency-l.Urgency) <= 1
		if okK {
			e.kategoriOK++
		}
		if okU {
			e.within1++
		}
		if tr.Urgency == l.Urgency {
			e.exact++
		}
		if l.Urgency == 5 {
			e.u5++
			if tr.Urgency == 5 {
				e.u5found++
			}
			if tr.Escalate {
				e.u5escalated++
			}
		}
		if l.Urgency <= 2 {
			e.low++
			if tr.Escalate {
				e.lowEscalated++
			}
		}
		if !okK || !okU || (l.Urgency == 5 && !tr.Escalate) || (l.Urgency <= 2 && tr.Escalate) {
			e.missed = append(e.missed, fmt.Sprintf("  want %-13s u%d  got %-13s u%d%s (%s)  %q",
				l.Kategori, l.Urgency, tr.Kategori, tr.Urgency, escMark(tr.Escalate), tr.Subkategori, l.Text))
		}
	}
	return e
}

func (e *evaluation) report(b *strings.Builder, title string) {
	fmt.Fprintf(b, "%s: %d labeled messages\n", title, e.n)
	fmt.Fprintf(b, "kategori accuracy   %.1f%%\n", 100*e.kategoriAccuracy())
	fmt.Fprintf(b, "urgency within ±1   %.1f%% (exact %.1f%%)\n", 100*e.urgencyWithin1(), 100*float64(e.exact)/float64(e.n))
	fmt.Fprintf(b, "urgency-5 recall    %.1f%% (%d/%d)\n", 100*e.urgency5Recall(), e.u5found, e.u5)
	fmt.Fprintf(b, "urgency-5 escalated %.1f%% (%d/%d)\n", 100*e.urgency5Escalated(), e.u5escalated, e.u5)
	fmt.Fprintf(b, "false escalation    %.1f%% of urgency 1–2 (%d/%d)\n", 100*e.falseEscalation(), e.lowEscalated, e.low)
	b.WriteString("\nconfusion matrix (rows: label, columns: predicted)\n")
	fmt.Fprintf(b, "%-14s", "")
	for _, k := range hailurah.Kategoris {
		fmt.Fprintf(b, "%6.5s", k)
	}
	b.WriteString("\n")
	for i, k := range hailurah.Kategoris {
		fmt.Fprintf(b, "%-14s", k)
		for j := range hailurah.Kategoris {
			fmt.Fprintf(b, "%6d", e.confusion[i][j])
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "\nmisclassified (%d):\n%s\n\n", len(e.missed), strings.Join(e.missed, "\n"))
}

// TestEvaluation measures the rules classifier on the labeled set and fails
// below the floors of issue 3. HAILURAH_EVAL_REPORT=1 prints the full report
// (make eval-triage), with the held-out set: messages written after the
// lexicon was frozen, reported but not enforced, as the fairer estimate of
// how the rules do on messages nobody tuned them on.
func TestEvaluation(t *testing.T) {
	const (
		minKategoriAccuracy = 0.85
		minUrgencyWithin1   = 0.90
		minUrgency5Recall   = 1.00
	)
	set := loadLabeled(t)
	if len(set) < 200 {
		t.Fatalf("labeled set has %d messages, want at least 200", len(set))
	}
	c := NewRulesClassifier(testRules(t))
	e := evaluate(t, c, set)

	if os.Getenv("HAILURAH_EVAL_REPORT") != "" {
		var b strings.Builder
		fmt.Fprintf(&b, "floors: kategori %.0f%%, urgency ±1 %.0f%%, urgency-5 recall %.0f%%\n\n",
			100*minKategoriAccuracy, 100*minUrgencyWithin1, 100*minUrgency5Recall)
		e.report(&b, "labeled set (testdata/labeled.jsonl)")
		evaluate(t, c, loadLabeledFile(t, "testdata/holdout.jsonl")).report(&b, "held-out set (testdata/holdout.jsonl, not enforced)")
		evaluate(t, c, loadLabeledFile(t, "testdata/holdout2.jsonl")).report(&b, "held-out set of issue 17 (testdata/holdout2.jsonl)")
		evaluate(t, c, loadLabeledFile(t, "testdata/holdout3.jsonl")).report(&b, "second held-out set of issue 17 (testdata/holdout3.jsonl)")
		evaluate(t, c, loadLabeledFile(t, "testdata/holdout4.jsonl")).report(&b, "third held-out set of issue 17 (testdata/holdout4.jsonl)")
		evaluate(t, c, loadLabeledFile(t, "testdata/holdout5.jsonl")).report(&b, "fourth held-out set of issue 17 (testdata/holdout5.jsonl)")
		evaluate(t, c, loadLabeledFile(t, "testdata/holdout6.jsonl")).report(&b, "fifth held-out set of issue 17 (testdata/holdout6.jsonl)")
		evaluate(t, c, loadLabeledFile(t, "testdata/holdout7.jsonl")).report(&b, "sixth held-out set of issue 17 (testdata/holdout7.jsonl)")
		evaluate(t, c, loadLabeledFile(t, "testdata/train.jsonl")).report(&b, "training set of the model (testdata/train.jsonl, in-sample)")
		t.Log("\n" + b.String())
	}

	if v := e.kategoriAccuracy(); v < minKategoriAccuracy {
		t.Errorf("kategori accuracy %.1f%% below %.0f%%", 100*v, 100*minKategoriAccuracy)
	}
	if v := e.urgencyWithin1(); v < minUrgencyWithin1 {
		t.Errorf("urgency within ±1 %.1f%% below %.0f%%", 100*v, 100*minUrgencyWithin1)
	}
	if v := e.urgency5Recall(); v < minUrgency5Recall {
		t.Errorf("urgency-5 recall %.1f%% below %.0f%%", 100*v, 100*minUrgency5Recall)
	}
}

func escMark(escalated bool) string {
	if escalated {
		return "!"
	}
	return " "
}

// BenchmarkRulesClassify reports the rules classifier's throughput on the
// labeled messages, per core (run with -cpu 1 for the per-core figure).
func BenchmarkRulesClassify(b *testing.B) {
	set := loadLabeled(b)
	c := NewRulesClassifier(testRules(b))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Classify(ctx, set[i%len(set)].Text); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func testRules(tb testing.TB) *Rules {
	tb.Helper()
	r, err := LoadRules("")
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestHoldout2 holds the offline triage to what it reached on the held-out
// sets of issue 17 (docs/TRIAGE.md records every run and which figures are
// clean). The floors are kategori ≥ 90%, urgency within ±1 ≥ 90%, every
// urgency-5 message escalated and at most 5% of urgency 1–2 escalated; the
// limits below are the counts reached, met or not, so that nothing slips back.
func TestHoldout2(t *testing.T) {
	for _, tt := range []struct {
		path                                     string
		n, kategoriOK, within1, u5escalated, low int
		maxLowEscalated                          int
	}{
		{"testdata/holdout2.jsonl", 247, 225, 238, 65, 88, 2},
		{"testdata/holdout3.jsonl", 153, 130, 150, 47, 62, 3},
		{"testdata/holdout4.jsonl", 98, 89, 91, 32, 40, 4},
		{"testdata/holdout5.jsonl", 93, 78, 87, 36, 34, 5},
		{"testdata/holdout6.jsonl", 80, 62, 63, 21, 28, 4},
		{"testdata/holdout7.jsonl", 210, 160, 177, 56, 70, 11},
	} {
		e := evaluate(t, NewRulesClassifier(testRules(t)), loadLabeledFile(t, tt.path))
		if e.n != tt.n || e.low != tt.low {
			t.Fatalf("%s: %d messages, %d of urgency 1–2; want %d and %d (a held-out set is never edited)", tt.path, e.n, e.low, tt.n, tt.low)
		}
		if e.kategoriOK < tt.kategoriOK {
			t.Errorf("%s: kategori right %d/%d, below %d", tt.path, e.kategoriOK, e.n, tt.kategoriOK)
		}
		if e.within1 < tt.within1 {
			t.Errorf("%s: urgency within ±1 %d/%d, below %d", tt.path, e.within1, e.n, tt.within1)
		}
		if e.u5escalated < tt.u5escalated {
			t.Errorf("%s: urgency-5 escalated %d/%d, below %d", tt.path, e.u5escalated, e.u5, tt.u5escalated)
		}
		if e.lowEscalated > tt.maxLowEscalated {
			t.Errorf("%s: urgency 1–2 escalated %d/%d, above %d", tt.path, e.lowEscalated, e.low, tt.maxLowEscalated)
		}
	}
}

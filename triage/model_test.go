package triage

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// trainingFiles are the labeled corpus the model is trained on.
var trainingFiles = []string{"testdata/train.jsonl", "testdata/train4.jsonl"}

// TestModelIsTrainedFromCorpus: the committed model.gz is what `make
// train-triage` makes from testdata/train*.jsonl, byte for byte, so the model
// is reproducible and never out of date with its corpus or the rules.
func TestModelIsTrainedFromCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the model")
	}
	var samples []LabeledMessage
	for _, path := range trainingFiles {
		for _, l := range loadLabeledFile(t, path) {
			samples = append(samples, LabeledMessage(l))
		}
	}
	m, err := TrainModel(samples, testRules(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := MarshalModel(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, embeddedModel) {
		t.Errorf("model.gz is not the model trained on testdata/train*.jsonl (%s); run make train-triage", m.Version)
	}
	back, err := LoadModel(got)
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != m.Version || back.version() != m.Version {
		t.Errorf("loaded model names itself %s (weights hash %s), trained %s", back.Version, back.version(), m.Version)
	}
	t.Log(m.Version, len(got), "bytes:", m.Trained)
}

func TestLoadModelRejects(t *testing.T) {
	good, err := MarshalModel(defaultModel)
	if err != nil {
		t.Fatal(err)
	}
	bad := func(h ModelHeader) []byte {
		m := *defaultModel
		m.ModelHeader = h
		b, err := MarshalModel(&m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	h := defaultModel.ModelHeader
	unknown, noClasses, bits := h, h, h
	unknown.Classes = append(slices.Clone(h.Classes[:len(h.Classes)-1]), "banjir")
	noClasses.Classes = nil
	bits.Bits = h.Bits - 1
	for name, data := range map[string][]byte{
		"not gzip":      []byte(`{`),
		"truncated":     good[:len(good)/2],
		"unknown class": bad(unknown),
		"no classes":    bad(noClasses),
		"too few bits":  bad(bits),
		"trailing bytes": func() []byte {
			m := *defaultModel
			m.bias = append(slices.Clone(m.bias), 1)
			b, _ := MarshalModel(&m)
			return b
		}(),
	} {
		if _, err := LoadModel(data); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// TestTrainingCorpusIsApart: no message of the training corpus is in an
// evaluation set, so the sets measure what the model never saw.
func TestTrainingCorpusIsApart(t *testing.T) {
	train := map[string]bool{}
	for _, path := range trainingFiles {
		for _, l := range loadLabeledFile(t, path) {
			if train[l.Text] {
				t.Errorf("%s: %q twice in the training corpus", path, l.Text)
			}
			train[l.Text] = true
		}
	}
	for _, path := range []string{"testdata/labeled.jsonl", "testdata/holdout.jsonl", "testdata/holdout2.jsonl",
		"testdata/holdout3.jsonl", "testdata/holdout4.jsonl", "testdata/holdout5.jsonl", "testdata/holdout6.jsonl",
		"testdata/holdout7.jsonl"} {
		for _, l := range loadLabeledFile(t, path) {
			if train[l.Text] {
				t.Errorf("%s: %q is also in the training corpus", path, l.Text)
			}
		}
	}
}

// TestHashFeatures: a typo or an affix keeps most of a word's letter pieces,
// and word features are the same however the message is spaced.
func TestHashFeatures(t *testing.T) {
	lx := testRules(t).lex
	set := func(text string) map[uint32]bool {
		a := lx.analyze(text)
		m := map[uint32]bool{}
		for _, f := range hashFeatures(a.tokens, a.raw, 1<<modelBits-1, nil) {
			m[f] = true
		}
		return m
	}
	shared := func(a, b map[uint32]bool) float64 {
		n := 0
		for f := range a {
			if b[f] {
				n++
			}
		}
		return float64(n) / float64(len(a))
	}
	if v := shared(set("pingsan"), set("pingsn")); v < 0.3 {
		t.Errorf("pingsan and pingsn share %.0f%% of their pieces", 100*v)
	}
	if v := shared(set("dibangunkan"), set("bangun")); v < 0.15 {
		t.Errorf("dibangunkan and bangun share %.0f%% of their pieces", 100*v)
	}
	if a, b := set("anak hilang"), set("  Anak,   HILANG!! "); shared(a, b) != 1 || len(a) != len(b) {
		t.Error("spacing and case change the features")
	}
	if len(set("")) != 0 || len(set("😀🙏")) != 0 {
		t.Error("a message without words has features")
	}
	long := make([]byte, 10000)
	for i := range long {
		long[i] = 'a'
	}
	if n := len(set(string(long))); n > 2 {
		t.Errorf("a 10,000-letter word gives %d features", n)
	}
}

// TestModelClassify: the model escalates danger told as a scenario, which the
// rules and the floor have no words for, and says so to the moderator; it
// leaves calm messages and messages without a word it knows to the rules.
func TestModelClassify(t *testing.T) {
	rulesOnly, c := newRulesClassifier(testRules(t), nil), NewRulesClassifier(testRules(t))
	for _, text := range []string{
		"anak saya tadi di halaman, saya ke dapur sebentar, sekarang tidak kelihatan di mana mana",
		"bapak saya diam saja di kursi, dipanggil tidak menoleh",
	} {
		before, err := rulesOnly.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		assertValidTriage(t, tr)
		if before.Escalate || !tr.Escalate || tr.Urgency < 4 || len(tr.CriticalKeywords) == 0 ||
			!strings.HasPrefix(tr.CriticalKeywords[0], "model bahaya: 0.") {
			t.Errorf("%q: rules alone escalate %v; with the model u%d escalate %v, reasons %q; want the model's escalation, named",
				text, before.Escalate, tr.Urgency, tr.Escalate, tr.CriticalKeywords)
		}
		if !strings.Contains(tr.ClassifierVersion, "+"+defaultModel.Version+"+") {
			t.Errorf("%q: classifier version %q does not name the model %s", text, tr.ClassifierVersion, defaultModel.Version)
		}
	}
	for _, text := range []string{"alhamdulillah anak saya sudah ketemu di rumah temannya", "lampu jalan mati", "xyz"} {
		tr, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Escalate || tr.Urgency > 3 {
			t.Errorf("%q: u%d escalate %v, want no escalation", text, tr.Urgency, tr.Escalate)
		}
	}
	// Not one word the model was trained on: the rules decide.
	if tr, _ := c.Classify(context.Background(), "xyz"); tr.Kategori != "lainnya" || tr.Urgency != 1 {
		t.Errorf("xyz: %s u%d, want lainnya u1", tr.Kategori, tr.Urgency)
	}
}

package triage

import (
	"bytes"
	"testing"
)

// TestModelIsTrainedFromCorpus: the committed model.json is what `make
// train-triage` makes from testdata/train.jsonl, byte for byte, so the model
// is reproducible and never out of date with its corpus or the rules.
func TestModelIsTrainedFromCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the model")
	}
	var samples []LabeledMessage
	for _, l := range loadLabeledFile(t, "testdata/train.jsonl") {
		samples = append(samples, LabeledMessage(l))
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
		t.Errorf("model.json is not the model trained on testdata/train.jsonl (%s); run make train-triage", m.Version)
	}
	if _, err := LoadModel(got); err != nil {
		t.Error(err)
	}
}

func TestLoadModelRejects(t *testing.T) {
	for name, data := range map[string]string{
		"not JSON":          `{`,
		"unknown class":     `{"classes":["banjir"],"prior":[0]}`,
		"priors":            `{"classes":["lainnya"],"prior":[]}`,
		"feature length":    `{"classes":["lainnya"],"prior":[0],"features":{"a":[0,1]}}`,
		"no classes at all": `{}`,
	} {
		if _, err := LoadModel([]byte(data)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// TestTrainingCorpusIsApart: no message of the training corpus is in an
// evaluation set, so the sets measure what the model never saw.
func TestTrainingCorpusIsApart(t *testing.T) {
	train := map[string]bool{}
	for _, l := range loadLabeledFile(t, "testdata/train.jsonl") {
		train[l.Text] = true
	}
	for _, path := range []string{"testdata/labeled.jsonl", "testdata/holdout.jsonl", "testdata/holdout2.jsonl",
		"testdata/holdout3.jsonl", "testdata/holdout4.jsonl", "testdata/holdout5.jsonl", "testdata/holdout6.jsonl",
		"testdata/holdout7.jsonl"} {
		for _, l := range loadLabeledFile(t, path) {
			if train[l.Text] {
				t.Errorf("%s: %q is also in train.jsonl", path, l.Text)
			}
		}
	}
}

// TestFeaturesAgree: classifying walks the same features training counted.
func TestFeaturesAgree(t *testing.T) {
	lx := testRules(t).lex
	m := &Model{Classes: []string{"lainnya"}, Prior: []float64{0}, Features: map[string][]float64{}}
	for _, text := range []string{"jalan rusak 3 bulan di rt 5, tolong pak", "a b cc dd 12 ee", "got mampet got mampet"} {
		tokens := lx.analyze(text).tokens
		feats := features(tokens)
		for _, f := range feats {
			m.Features[f] = []float64{0}
		}
		if n := m.logPosterior(tokens, []float64{0}); n != len(feats) {
			t.Errorf("%q: logPosterior saw %d features, features lists %d (%q)", text, n, len(feats), feats)
		}
	}
}

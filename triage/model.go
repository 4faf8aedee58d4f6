package triage

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hailurah/hailurah"
)

// The rules know the words of each kategori that someone wrote down; the
// model knows the words that came with each kategori in the labeled corpus
// (testdata/train.jsonl). It is multinomial naive Bayes over the message's
// canonical words and word pairs, trained by `make train-triage` and
// embedded from model.json. The two are added: for each kategori, the
// model's log posterior plus RulesWeight times the rules' keyword score, so a
// strong rule wins and the model decides where the rules find little.

//go:embed model.json
var embeddedModel []byte

// Model is a trained kategori model. It is immutable once loaded.
type Model struct {
	// Version is "nb-" and the first 8 hex digits of the SHA-256 of the
	// model's parameters, so a retrained model names itself.
	Version string `json:"version"`
	// Trained describes the data and the choices, for the reader of model.json.
	Trained string   `json:"trained"`
	Classes []string `json:"classes"` // kategori codes
	// Prior and Features are log probabilities: of each class, and of a
	// feature given each class (same order as Classes).
	Prior    []float64            `json:"prior"`
	Features map[string][]float64 `json:"features"`
	// RulesWeight is how much one point of the rules' keyword score counts
	// against the model's log posterior, chosen by cross-validation.
	RulesWeight float64 `json:"rules_weight"`
}

// LabeledMessage is one line of the labeled corpus.
type LabeledMessage struct {
	Text     string `json:"text"`
	Kategori string `json:"kategori"`
	Urgency  int    `json:"urgency"`
}

var defaultModel = mustLoadModel(embeddedModel)

func mustLoadModel(data []byte) *Model {
	m, err := LoadModel(data)
	if err != nil {
		panic(err)
	}
	return m
}

// LoadModel decodes and checks a model.json. Returns EINVALID when a class
// is not a kategori or a vector has the wrong length.
func LoadModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, hailurah.Errorf(hailurah.EINVALID, "model: %v", err)
	}
	for _, c := range m.Classes {
		if !hailurah.ValidKategori(c) {
			return nil, hailurah.Errorf(hailurah.EINVALID, "model: unknown kategori %q", c)
		}
	}
	if len(m.Classes) == 0 || len(m.Prior) != len(m.Classes) {
		return nil, hailurah.Errorf(hailurah.EINVALID, "model: %d classes, %d priors", len(m.Classes), len(m.Prior))
	}
	for f, v := range m.Features {
		if len(v) != len(m.Classes) {
			return nil, hailurah.Errorf(hailurah.EINVALID, "model: feature %q has %d values for %d classes", f, len(v), len(m.Classes))
		}
	}
	return &m, nil
}

// features lists a message's canonical words and neighbouring word pairs,
// the same way for training and classifying. Numbers and one-letter words
// carry no kategori.
func features(tokens []string) []string {
	out := make([]string, 0, 2*len(tokens))
	prev := ""
	for _, t := range tokens {
		if len(t) < 2 || isNumber(t) {
			prev = ""
			continue
		}
		out = append(out, t)
		if prev != "" {
			out = append(out, prev+" "+t)
		}
		prev = t
	}
	return out
}

// logPosterior fills post (one value a class, in m.Classes order) with the
// normalised log posterior of the message's features, and returns how many
// of them the model knows. It walks the features as features lists them,
// building each word pair in a buffer, so a lookup allocates nothing.
func (m *Model) logPosterior(tokens []string, post []float64) int {
	copy(post, m.Prior)
	known := 0
	add := func(v []float64, ok bool) {
		if ok {
			known++
			for i := range post {
				post[i] += v[i]
			}
		}
	}
	var buf [64]byte
	prev := ""
	for _, t := range tokens {
		if len(t) < 2 || isNumber(t) {
			prev = ""
			continue
		}
		v, ok := m.Features[t]
		add(v, ok)
		if prev != "" {
			pair := append(append(append(buf[:0], prev...), ' '), t...)
			v, ok := m.Features[string(pair)]
			add(v, ok)
		}
		prev = t
	}
	mx := slices.Max(post)
	sum := 0.0
	for _, p := range post {
		sum += math.Exp(p - mx)
	}
	norm := mx + math.Log(sum)
	for i := range post {
		post[i] -= norm
	}
	return known
}

// trainCounts are the counts naive Bayes needs.
type trainCounts struct {
	docs   []int
	tokens []int
	feat   map[string][]int
}

func countFeatures(classes []string, samples []LabeledMessage, tokens [][]string) *trainCounts {
	idx := map[string]int{}
	for i, c := range classes {
		idx[c] = i
	}
	tc := &trainCounts{docs: make([]int, len(classes)), tokens: make([]int, len(classes)), feat: map[string][]int{}}
	for i, s := range samples {
		k := idx[s.Kategori]
		tc.docs[k]++
		for _, f := range features(tokens[i]) {
			v := tc.feat[f]
			if v == nil {
				v = make([]int, len(classes))
				tc.feat[f] = v
			}
			v[k]++
			tc.tokens[k]++
		}
	}
	return tc
}

// smoothing is the Laplace pseudo-count: small, because most features are
// seen once.
const smoothing = 0.3

func (tc *trainCounts) model(classes []string) *Model {
	m := &Model{Classes: classes, Prior: make([]float64, len(classes)), Features: map[string][]float64{}}
	total := 0
	for _, d := range tc.docs {
		total += d
	}
	vocab := float64(len(tc.feat))
	for k := range classes {
		// Equal-ish priors: the corpus's kategori mix is not the city's.
		m.Prior[k] = math.Log((float64(tc.docs[k]) + float64(total)/float64(len(classes))) / (2 * float64(total)))
	}
	for f, v := range tc.feat {
		lp := make([]float64, len(classes))
		for k := range classes {
			lp[k] = round4(math.Log((float64(v[k]) + smoothing) / (float64(tc.tokens[k]) + smoothing*vocab)))
		}
		m.Features[f] = lp
	}
	for k := range m.Prior {
		m.Prior[k] = round4(m.Prior[k])
	}
	return m
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// TrainModel trains the kategori model on samples, tokenized by the rules'
// lexicon, and picks RulesWeight by 5-fold cross-validation of the combined
// classifier on the same samples. The result depends only on its inputs.
func TrainModel(samples []LabeledMessage, r *Rules) (*Model, error) {
	if len(samples) < 50 {
		return nil, hailurah.Errorf(hailurah.EINVALID, "model: %d samples are too few to train on", len(samples))
	}
	classes := slices.Clone(hailurah.Kategoris)
	tokens := make([][]string, len(samples))
	ruleScores := make([][]float64, len(samples))
	c := newRulesClassifier(r, nil)
	for i, s := range samples {
		if !hailurah.ValidKategori(s.Kategori) {
			return nil, hailurah.Errorf(hailurah.EINVALID, "model: sample %d: unknown kategori %q", i+1, s.Kategori)
		}
		p := ParseMessage(s.Text).Problem
		tokens[i] = r.lex.analyze(p).tokens
		ruleScores[i] = c.kategoriScores(p, classes)
	}

	const folds = 5
	weights := []float64{0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 12, 20}
	correct := make([]int, len(weights))
	post := make([]float64, len(classes))
	for f := range folds {
		var trS []LabeledMessage
		var trT [][]string
		for i := range samples {
			if i%folds != f {
				trS, trT = append(trS, samples[i]), append(trT, tokens[i])
			}
		}
		m := countFeatures(classes, trS, trT).model(classes)
		for i := f; i < len(samples); i += folds {
			known := m.logPosterior(tokens[i], post)
			for w, beta := range weights {
				if known == 0 {
					beta = 1e9 // as the classifier does: the rules alone
				}
				if classes[combine(post, ruleScores[i], beta)] == samples[i].Kategori {
					correct[w]++
				}
			}
		}
	}
	best := 0
	for w := range weights {
		if correct[w] > correct[best] {
			best = w
		}
	}

	m := countFeatures(classes, samples, tokens).model(classes)
	m.RulesWeight = weights[best]
	m.Trained = fmt.Sprintf("multinomial naive Bayes, words and word pairs, Laplace %.1f; %d messages; rules weight %.2f by 5-fold cross-validation (%.1f%% kategori; model alone %.1f%%)",
		smoothing, len(samples), m.RulesWeight, 100*float64(correct[best])/float64(len(samples)), 100*float64(correct[0])/float64(len(samples)))
	params, err := json.Marshal(struct {
		C []string
		P []float64
		F map[string][]float64
		W float64
	}{m.Classes, m.Prior, m.Features, m.RulesWeight})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(params)
	m.Version = "nb-" + hex.EncodeToString(sum[:4])
	return m, nil
}

// combine returns the index of the best class: the model's log posterior
// plus beta times the rules' score.
func combine(post, rules []float64, beta float64) int {
	best, bestV := 0, math.Inf(-1)
	for i := range post {
		if v := post[i] + beta*rules[i]; v > bestV {
			best, bestV = i, v
		}
	}
	return best
}

// kategoriScores is the rules' keyword score of each class, in classes order.
func (c *rulesClassifier) kategoriScores(text string, classes []string) []float64 {
	s := c.score(text)
	out := make([]float64, len(classes))
	for i, k := range c.rules.lex.kategoris {
		if j := slices.Index(classes, k.code); j >= 0 {
			out[j] = s.kategori[i]
		}
	}
	return out
}

// MarshalModel renders a model as the committed model.json: indented, one
// feature a line, keys sorted, so a retrained model diffs by line.
func MarshalModel(m *Model) ([]byte, error) {
	var b strings.Builder
	head, err := json.MarshalIndent(struct {
		Version     string    `json:"version"`
		Trained     string    `json:"trained"`
		Classes     []string  `json:"classes"`
		Prior       []float64 `json:"prior"`
		RulesWeight float64   `json:"rules_weight"`
	}{m.Version, m.Trained, m.Classes, m.Prior, m.RulesWeight}, "", "  ")
	if err != nil {
		return nil, err
	}
	b.Write(head[:len(head)-2]) // without the closing "\n}"
	b.WriteString(",\n  \"features\": {\n")
	keys := make([]string, 0, len(m.Features))
	for k := range m.Features {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		kj, _ := json.Marshal(k)
		vj, _ := json.Marshal(m.Features[k])
		b.WriteString("    ")
		b.Write(kj)
		b.WriteString(": ")
		b.Write(vj)
		if i < len(keys)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  }\n}\n")
	return []byte(b.String()), nil
}

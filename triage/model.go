package triage

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/hailurah/hailurah"
)

// The rules know the words of each kategori that someone wrote down; the
// model knows what came with each kategori, urgency and danger in the labeled
// corpus (testdata/train*.jsonl). It is logistic regression over hashed
// features — canonical words, word pairs and the 3- to 5-letter pieces of each
// written word, so a typo or an affix still shares most of its pieces — with
// three heads trained together: the kategori (10 classes), the urgency (5
// classes, read as its expected value) and "danger now" (urgency 5, or 4 with
// a danger the safety floor names). `make train-triage` trains it
// (modeltrain.go) and writes model.gz, embedded here.

//go:embed model.gz
var embeddedModel []byte

// Model is a trained model. It is immutable once loaded.
type Model struct {
	ModelHeader
	// w holds, for each bucket, the weights of every output (outputs()
	// values a bucket); bias the outputs' intercepts.
	w    []float32
	bias []float32
}

// ModelHeader is the model's description, the first line of model.gz.
type ModelHeader struct {
	// Version is "lr-" and the first 8 hex digits of the SHA-256 of the
	// weights and choices, so a retrained model names itself.
	Version string `json:"version"`
	// Trained describes the data, the choices and the cross-validated
	// figures, for the reader.
	Trained string   `json:"trained"`
	Classes []string `json:"classes"` // kategori codes
	// Bits: the features are hashed into 2^Bits buckets.
	Bits int `json:"bits"`
	// Scale turns a stored int16 weight into a float: w = int16 * Scale.
	Scale float64 `json:"scale"`
	// RulesWeight is how much one point of the rules' keyword score counts
	// against the model's log probability of a kategori.
	RulesWeight float64 `json:"rules_weight"`
	// UrgencyRulesWeight is the rules' share of the urgency: the urgency is
	// UrgencyRulesWeight × the rules' urgency + the rest × the model's.
	UrgencyRulesWeight float64 `json:"urgency_rules_weight"`
	// KeepRules4: a 4 of the rules (which escalates) stays when the
	// model's expected urgency is at least this; otherwise the mixed
	// urgency, at most 3, decides.
	KeepRules4 float64 `json:"keep_rules_4"`
	// DangerThreshold is the danger probability from which the model
	// escalates on its own.
	DangerThreshold float64 `json:"danger_threshold"`
}

// The outputs of a bucket, in order: one per class, then urgencyLevels, then
// danger.
const urgencyLevels = 5

func (m *Model) outputs() int { return len(m.Classes) + urgencyLevels + 1 }

// LabeledMessage is one line of the labeled corpus.
type LabeledMessage struct {
	Text     string `json:"text"`
	Kategori string `json:"kategori"`
	Urgency  int    `json:"urgency"`
}

var defaultModel = mustLoadModel(embeddedModel)

// mustLoadModel loads the embedded model; an empty file (before the first
// make train-triage) means the rules decide alone.
func mustLoadModel(data []byte) *Model {
	if len(data) == 0 {
		return nil
	}
	m, err := LoadModel(data)
	if err != nil {
		panic(err)
	}
	return m
}

// LoadModel decodes and checks a model.gz: gzip holding a JSON header line,
// then the int16 weights (little-endian, bucket by bucket), then the biases
// as float32. Returns EINVALID when the file is not one.
func LoadModel(data []byte) (*Model, error) {
	bad := func(f string, a ...any) (*Model, error) {
		return nil, hailurah.Errorf(hailurah.EINVALID, "model: "+f, a...)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return bad("%v", err)
	}
	br := bufio.NewReader(zr)
	head, err := br.ReadBytes('\n')
	if err != nil {
		return bad("no header: %v", err)
	}
	var m Model
	if err := json.Unmarshal(head, &m.ModelHeader); err != nil {
		return bad("%v", err)
	}
	for _, c := range m.Classes {
		if !hailurah.ValidKategori(c) {
			return bad("unknown kategori %q", c)
		}
	}
	if len(m.Classes) == 0 || m.Bits < 8 || m.Bits > 22 || !(m.Scale > 0) {
		return bad("%d classes, %d bits, scale %v", len(m.Classes), m.Bits, m.Scale)
	}
	o := m.outputs()
	q := make([]int16, (1<<m.Bits)*o)
	if err := binary.Read(br, binary.LittleEndian, q); err != nil {
		return bad("weights: %v", err)
	}
	m.bias = make([]float32, o)
	if err := binary.Read(br, binary.LittleEndian, m.bias); err != nil {
		return bad("biases: %v", err)
	}
	if n, _ := io.Copy(io.Discard, br); n != 0 {
		return bad("%d bytes after the weights", n)
	}
	m.w = make([]float32, len(q))
	for i, v := range q {
		m.w[i] = float32(float64(v) * m.Scale)
	}
	return &m, nil
}

// MarshalModel renders a model as the committed model.gz. The same model
// always gives the same bytes.
func MarshalModel(m *Model) ([]byte, error) {
	head, err := json.Marshal(m.ModelHeader)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zw.Write(append(head, '\n'))
	binary.Write(zw, binary.LittleEndian, m.quantized())
	binary.Write(zw, binary.LittleEndian, m.bias)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (m *Model) quantized() []int16 {
	q := make([]int16, len(m.w))
	for i, v := range m.w {
		q[i] = int16(math.Round(float64(v) / m.Scale))
	}
	return q
}

// version hashes what decides the model's answers.
func (m *Model) version() string {
	h := sha256.New()
	head := m.ModelHeader
	head.Version, head.Trained = "", ""
	j, _ := json.Marshal(head)
	h.Write(j)
	binary.Write(h, binary.LittleEndian, m.quantized())
	binary.Write(h, binary.LittleEndian, m.bias)
	return "lr-" + hex.EncodeToString(h.Sum(nil)[:4])
}

// Feature hashing: every feature is an FNV-1a hash of its kind and bytes,
// masked to the model's buckets. Nothing is built as a string, so hashing
// allocates only the slice it fills.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
	// maxGramWord bounds the word whose letter pieces are read: a
	// 10,000-letter "word" is not language.
	maxGramWord = 24
)

func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// hashFeatures appends the buckets of a message's features to out: each
// canonical word (numbers and one-letter words carry nothing), each pair of
// neighbouring words, and each 3-, 4- and 5-letter piece of each written
// word between "<" and ">".
func hashFeatures(tokens, raw []string, mask uint32, out []uint32) []uint32 {
	out, _ = hashWordFeatures(tokens, mask, out)
	return hashPieces(raw, mask, out)
}

// hashWordFeatures appends the buckets of the words and word pairs, and
// returns how many it appended.
func hashWordFeatures(tokens []string, mask uint32, out []uint32) ([]uint32, int) {
	n0 := len(out)
	prev := ""
	for _, t := range tokens {
		if len(t) < 2 || isNumber(t) {
			prev = ""
			continue
		}
		out = append(out, fnvString(fnvOffset^'w', t)&mask)
		if prev != "" {
			h := fnvString(fnvOffset^'p', prev)
			h = (h ^ ' ') * fnvPrime
			out = append(out, fnvString(h, t)&mask)
		}
		prev = t
	}
	return out, len(out) - n0
}

// hashPieces appends the buckets of the 3- to 5-letter pieces of each written
// word.
func hashPieces(raw []string, mask uint32, out []uint32) []uint32 {
	var buf [maxGramWord + 2]byte
	for _, t := range raw {
		if len(t) < 2 || len(t) > maxGramWord || isNumber(t) {
			continue
		}
		w := append(append(append(buf[:0], '<'), t...), '>')
		for size := 3; size <= 5; size++ {
			for i := 0; i+size <= len(w); i++ {
				h := uint32(fnvOffset ^ ('0' + size))
				for _, c := range w[i : i+size] {
					h = (h ^ uint32(c)) * fnvPrime
				}
				out = append(out, h&mask)
			}
		}
	}
	return out
}

// prediction is what the model makes of one message.
type prediction struct {
	known    bool      // the message has a word the model was trained on
	logProb  []float64 // kategori log probabilities, in Classes order
	urgency  float64   // expected urgency, 1–5
	danger   float64   // probability of danger now
	features int
}

// predict scores a message given its canonical and written tokens. logProb
// is filled into buf when it is long enough.
func (m *Model) predict(tokens, raw []string, buf []float64) prediction {
	var fb [256]uint32
	mask := uint32(1)<<m.Bits - 1
	feats, words := hashWordFeatures(tokens, mask, fb[:0])
	feats = hashPieces(raw, mask, feats)
	o := m.outputs()
	var zb [32]float64
	z := zb[:o]
	if o > len(zb) {
		z = make([]float64, o)
	}
	m.logits(feats, z)
	k := len(m.Classes)
	p := prediction{features: len(feats), danger: sigmoid(z[o-1])}
	// The message has a word or word pair the training corpus had (a
	// bucket never seen keeps all its weights at zero).
	for _, f := range feats[:words] {
		if slices.ContainsFunc(m.w[int(f)*o:int(f)*o+o], func(v float32) bool { return v != 0 }) {
			p.known = true
			break
		}
	}
	if len(buf) >= k {
		p.logProb = buf[:k]
	} else {
		p.logProb = make([]float64, k)
	}
	logSoftmax(z[:k], p.logProb)
	var ub [urgencyLevels]float64
	logSoftmax(z[k:k+urgencyLevels], ub[:])
	for i, lp := range ub {
		p.urgency += float64(i+1) * math.Exp(lp)
	}
	return p
}

// logits fills z with the outputs' linear scores for the features, each
// feature weighing 1/√n.
func (m *Model) logits(feats []uint32, z []float64) {
	o := len(z)
	var acc [32]float32
	a := acc[:o]
	if o > len(acc) {
		a = make([]float32, o)
	}
	for _, f := range feats {
		row := m.w[int(f)*o : int(f)*o+o]
		for i, v := range row {
			a[i] += v
		}
	}
	s := featureScale(len(feats))
	for i := range z {
		z[i] = float64(m.bias[i]) + s*float64(a[i])
	}
}

func featureScale(n int) float64 {
	if n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(n))
}

func logSoftmax(z, out []float64) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = max(mx, v)
	}
	sum := 0.0
	for _, v := range z {
		sum += math.Exp(v - mx)
	}
	norm := mx + math.Log(sum)
	for i, v := range z {
		out[i] = v - norm
	}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// applyDanger escalates t when the model's probability of danger now passes
// its threshold, raising the urgency to at least 4, and tells the moderator
// why ("model bahaya: 0.93"). Like the floor, it only ever raises.
func (m *Model) applyDanger(t *Triage, p prediction) {
	if p.features == 0 || p.danger < m.DangerThreshold {
		return
	}
	t.Escalate = true
	t.CriticalKeywords = append(t.CriticalKeywords, fmt.Sprintf("model bahaya: %.2f", p.danger))
	if t.Urgency < 4 {
		t.Urgency = 4
		t.Severity = SeverityFor(t.Urgency)
		t.SuggestedResponse = suggestedResponse(t.Urgency)
	}
}

// applyDangerText is applyDanger for a classifier that has not tokenized the
// message (Gemini).
func (m *Model) applyDangerText(t *Triage, problem string, r *Rules) {
	a := r.lex.analyze(problem)
	var pb [16]float64
	m.applyDanger(t, m.predict(a.tokens, a.raw, pb[:]))
}

// dangerModel is the embedded model when it reads r's kategoris, else nil.
func dangerModel(r *Rules) *Model {
	if defaultModel == nil || newRulesClassifier(r, defaultModel).model == nil {
		return nil
	}
	return defaultModel
}

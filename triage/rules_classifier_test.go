package triage

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hailurah/hailurah"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Anak2 SAKIT!!", []string{"anak", "sakit"}},
		{"pakkk tolonggg", []string{"pak", "tolong"}},
		{"rt5 rw02", []string{"rt", "5", "rw", "02"}},
		{"bolong-bolong", []string{"bolong", "bolong"}},
		{"banjir🌊🙏 tolong", []string{"banjir", "tolong"}},
		{"maaf, saat ini", []string{"maaf", "saat", "ini"}},
		{"2x sehari", []string{"2", "x", "sehari"}},
	}
	for _, tt := range tests {
		if got := tokenize(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalWords(t *testing.T) {
	lx := testRules(t).lex
	tests := []struct {
		in, want string
	}{
		{"gak", "tidak"},              // slang
		{"udh", "sudah"},              // slang
		{"uwuh", "sampah"},            // Javanese
		{"kobong", "terbakar"},        // Javanese
		{"banjirnya", "banjir"},       // affixes
		{"dalane", "jalan"},           // Javanese suffix, then slang
		{"lmpu", "lampu"},             // dropped vowel
		{"sampahh", "sampah"},         // extra letter
		{"sampahnyaa", "sampah"},      // stretched ending, then suffix
		{"jalanrusak", "jalan rusak"}, // missing space
		{"smapah", "sampah"},          // swapped letters
		{"tahu", "tahu"},              // a real word, not "tahun"
		{"saja", "saja"},              // not "sajam"
		{"sabtu", "sabtu"},            // not "sabu"
		{"beberapa", "beberapa"},      // not "berapa"
		{"qwertyuiop", "qwertyuiop"},
	}
	for _, tt := range tests {
		if got := strings.Join(lx.canon(nil, tt.in), " "); got != tt.want {
			t.Errorf("canon(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func classifyText(t *testing.T, text string) *Triage {
	t.Helper()
	tr, err := NewRulesClassifier(testRules(t)).Classify(context.Background(), text)
	if err != nil {
		t.Fatalf("Classify(%q): %v", text, err)
	}
	assertValidTriage(t, tr)
	return tr
}

func TestRulesClassify(t *testing.T) {
	tests := []struct {
		text         string
		kategori     string
		urgency      int
		escalate     bool
		unit         string
		critical     string // a keyword CriticalKeywords must hold
		subkategori  string
		summaryHas   string
		peopleAffect int
	}{
		{text: "ada kdrt di rumah sebelah, istrinya teriak", kategori: "keamanan", urgency: 5, escalate: true, unit: "dinsos", critical: "kdrt"},
		{text: "balita gizi buruk di RT 01 RW 06", kategori: "kesehatan", urgency: 5, escalate: true, unit: "dinkes", critical: "gizi buruk", summaryHas: "RT01/RW06"},
		{text: "kebakaran semalam sudah dipadamkan, 3 rumah hangus", kategori: "bencana", urgency: 4, escalate: true, critical: "kebakaran", peopleAffect: 3},
		{text: "syarat bikin KTP apa aja ya?", kategori: "administrasi", urgency: 1, unit: "disdukcapil", summaryHas: "Pertanyaan"},
		{text: "mau minta surat pengantar SKCK", kategori: "administrasi", urgency: 2, unit: ""},
		{text: "anak SMP dipalak preman tiap pulang", kategori: "keamanan", urgency: 4, escalate: true},
		{text: "lampu jalan mati", kategori: "infrastruktur", urgency: 2, unit: "dishub", subkategori: "Lampu Jalan"},
		{text: "air pdam mati 3 hari, 25 warga kesulitan air", kategori: "infrastruktur", urgency: 4, escalate: true, unit: "pdam", peopleAffect: 25},
		{text: "terima kasih pak lurah, mantap", kategori: "lainnya", urgency: 1},
		{text: "xyz", kategori: "lainnya", urgency: 1},
		// A danger named in a drill, a question about one or the past is no
		// danger now, and does not escalate.
		{text: "simulasi kebakaran di sekolah kapan ya?", kategori: "bencana", urgency: 1},
		{text: "dulu ada kasus gizi buruk di rw kami, sekarang sehat semua", kategori: "kesehatan", urgency: 2},
		// Over, and nobody hurt: no escalation.
		{text: "kebakaran kecil di dapur tadi cepat dipadamkan, semua aman", kategori: "bencana", urgency: 2},
	}
	for _, tt := range tests {
		tr := classifyText(t, tt.text)
		if tr.Kategori != tt.kategori || tr.Urgency != tt.urgency || tr.Escalate != tt.escalate {
			t.Errorf("%q → %s u%d escalate %v; want %s u%d %v", tt.text, tr.Kategori, tr.Urgency, tr.Escalate, tt.kategori, tt.urgency, tt.escalate)
		}
		if tt.unit != "" && tr.Unit != tt.unit {
			t.Errorf("%q → unit %q, want %q", tt.text, tr.Unit, tt.unit)
		}
		if tt.critical != "" && !slices.Contains(tr.CriticalKeywords, tt.critical) {
			t.Errorf("%q → critical keywords %v, want %q", tt.text, tr.CriticalKeywords, tt.critical)
		}
		if tt.subkategori != "" && tr.Subkategori != tt.subkategori {
			t.Errorf("%q → subkategori %q, want %q", tt.text, tr.Subkategori, tt.subkategori)
		}
		if !strings.Contains(tr.Summary, tt.summaryHas) {
			t.Errorf("%q → summary %q lacks %q", tt.text, tr.Summary, tt.summaryHas)
		}
		if tr.PeopleAffected != tt.peopleAffect {
			t.Errorf("%q → people affected %d, want %d", tt.text, tr.PeopleAffected, tt.peopleAffect)
		}
		if tr.ModelVersion != "rules-v1" || tr.Severity != SeverityFor(tr.Urgency) {
			t.Errorf("%q → model %q severity %q", tt.text, tr.ModelVersion, tr.Severity)
		}
	}
}

func TestRulesClassifyEmpty(t *testing.T) {
	_, err := NewRulesClassifier(nil).Classify(context.Background(), " \n\t")
	if hailurah.ErrorCode(err) != hailurah.EINVALID {
		t.Errorf("err = %v, want EINVALID", err)
	}
}

// Every labeled message gives a complete Triage, also when many goroutines
// share one classifier.
func TestRulesClassifyConcurrent(t *testing.T) {
	set := loadLabeled(t)
	c := NewRulesClassifier(testRules(t))
	want := make([]*Triage, len(set))
	for i, l := range set {
		tr, err := c.Classify(context.Background(), l.Text)
		if err != nil {
			t.Fatal(err)
		}
		assertValidTriage(t, tr)
		want[i] = tr
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, l := range set {
				tr, err := c.Classify(context.Background(), l.Text)
				if err != nil || tr.Kategori != want[i].Kategori || tr.Urgency != want[i].Urgency {
					t.Errorf("concurrent Classify(%q) differs", l.Text)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSeverityFor(t *testing.T) {
	want := map[int]string{1: "Low", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
	for u, s := range want {
		if got := SeverityFor(u); got != s {
			t.Errorf("SeverityFor(%d) = %q, want %q", u, got, s)
		}
	}
}

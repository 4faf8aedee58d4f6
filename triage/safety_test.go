package triage

import (
	"context"
	"strings"
	"testing"
)

// TestSafetyFloor holds the floor to its purpose: a life in danger is
// escalated at urgency 4 or 5 whatever the wording, with a kategori the danger
// belongs to; the same words without danger (asked, drilled, over, negated)
// are not.
func TestSafetyFloor(t *testing.T) {
	c := NewRulesClassifier(testRules(t))
	danger := []struct {
		text     string
		urgency  int
		kategori string // "" when several fit
	}{
		{"anak sy blm plg dr td siang, umur 8 th", 5, "keamanan"},
		{"bocah tetangga ilang pas main layangan, wis 3 jam digoleki", 5, "keamanan"},
		{"mbah kakung pikun metu omah ket isuk durung mulih", 5, "keamanan"},
		{"nenek saya alzheimer tersesat, tidak tahu ke mana perginya", 5, "keamanan"},
		{"kami kehilangan anak bungsu kami sejak sore di alun-alun", 5, "keamanan"},
		{"ada cewek duduk di pinggir jembatan, bilang mau loncat", 5, "kesehatan"},
		{"sepupu saya bilang ingin bunuh diri malam ini", 5, "kesehatan"},
		{"bau elpiji di rumah kos, takut meledak", 5, "bencana"},
		{"tabung gas bocor mendesis di dapur warung", 5, "bencana"},
		{"tabrakan motor di jalan raya, korbannya tergeletak di aspal", 5, "kesehatan"},
		{"ada yang tertabrak mobil, kakinya berdarah", 5, ""},
		{"ponakan digigit asu liar pas mulih sekolah", 4, "kesehatan"},
		{"kebakaran rumah di gang 2, api makin besar", 5, "bencana"},
		{"kabel listrik putus menjuntai ke jalan, masih nyetrum", 5, "infrastruktur"},
		{"tembok roboh menimpa tukang yang sedang kerja", 5, ""},
		{"banjir setinggi dada, keluarga terjebak di loteng", 5, "bencana"},
		{"warga keracunan massal setelah kenduri", 5, "kesehatan"},
		{"balita gizi buruk di rw 9 tidak pernah dibawa ke posyandu", 5, "kesehatan"},
		{"istriku ketuban pecah, bidan ora ono", 5, "kesehatan"},
		{"preman ngamuk bawa golok di pasar", 5, "keamanan"},
		{"bapak2 ambruk di masjid, tidak sadarkan diri", 5, "kesehatan"},
		{"tetangga pingsn di kamar mandi, tlg sgr", 5, "kesehatan"},
		{"ada kebakkaran di gudang belakang pasar", 5, "bencana"},
		{"keponakan saya yang down syndrome pergi tanpa pamit, sudah dicari ke mana-mana", 5, "keamanan"},
		{"kakek kami sering lupa, keluar rumah sendirian pagi tadi dan sampai sore belum balik", 5, "keamanan"},
		{"anak tetangga kecebur sumur tua, warga lagi berusaha menolong", 5, ""},
		{"banjir masuk rumah, ada nenek lumpuh di kamar belakang", 4, ""},
		{"sopir angkot terguling di tikungan, terjepit di dalam mobil", 5, ""},
		{"mas mas di warung ngancam warga pakai badik", 5, "keamanan"},
		{"anak saya tidak pulang sejak kemarin, gurunya bilang sudah pulang jam 12", 5, "keamanan"},
		{"Dengan hormat, putri kami (9) hingga saat ini tidak diketahui keberadaannya.", 5, "keamanan"},
		{"my daughter hasn't come home from the market", 5, "keamanan"},
		{"ular masuk kamar dan mematuk tangan anak saya", 4, "kesehatan"},
		{"balita saya step, matanya ke atas", 5, "kesehatan"},
		{"HAI LURAH Taman\nAku mau curhat dong. Aku warga RT 01/RW 01. Anak saya digigit anjing liar tadi pagi. Tolong bantu ya HAI LURAH, terima kasih.", 4, "kesehatan"},
	}
	for _, d := range danger {
		tr, err := c.Classify(context.Background(), d.text)
		if err != nil {
			t.Fatal(err)
		}
		if !tr.Escalate || tr.Urgency < d.urgency {
			t.Errorf("%q: urgency %d escalate %v, want ≥ %d and escalated", d.text, tr.Urgency, tr.Escalate, d.urgency)
		}
		if d.kategori != "" && tr.Kategori != d.kategori {
			t.Errorf("%q: kategori %s, want %s", d.text, tr.Kategori, d.kategori)
		}
		if len(tr.Safety) == 0 || tr.Unit == "" && tr.Kategori != "lainnya" {
			t.Errorf("%q: safety %v, unit %q: want the floor's reason and a unit", d.text, tr.Safety, tr.Unit)
		}
	}

	calm := []string{
		"anak saya yang hilang tadi sudah ketemu di rumah temannya, terima kasih",
		"alhamdulillah kebakaran di pasar sudah dipadamkan, tidak ada korban",
		"tanya pak, kalau digigit anjing peliharaan sendiri perlu vaksin?",
		"ada simulasi kebakaran di kantor kelurahan besok?",
		"harga gas elpiji naik lagi, warung kesulitan",
		"KTP anak saya hilang, bagaimana mengurusnya?",
		"kucing kesayangan saya hilang sejak kemarin",
		"anak saya juara lomba lompat tinggi, terima kasih pembinaannya",
		"lampu jalan di perempatan mati, rawan kecelakaan",
		"sosialisasi pencegahan bunuh diri untuk remaja kapan diadakan?",
		"pernah ada kecelakaan di situ tahun lalu, usul dipasang rambu",
		"alat pemadam api ringan di balai rw sudah kadaluarsa",
		"nama almarhum bapak saya yang sudah meninggal masih ada di data bansos",
		"bank keliling bunganya mencekik, ibu-ibu terjerat utang",
		"sampah tergeletak di pinggir jalan",
		"tadi ada asap dari dapur warung tapi bukan kebakaran, cuma bakar sate",
		"tidak ada yang pingsan kok, cuma antrian di puskesmas panjang sekali",
		"jembatan gantung di kampung perlu dicat ulang",
		"selokan belum dikeruk, penuh lumpur",
		"anak saya dibully di sekolah, gurunya diam saja",
		"mau mengurus akta kelahiran anak yang lahir di rumah tanpa surat bidan",
		"jalan rusak parah, goyang kalau dilewati truk",
		"bau tidak enak dari got, bukan bau gas kok",
		"ada film tentang bunuh diri remaja, mohon penyuluhan untuk orang tua",
		"tolong tutup sumur tua itu, takut ada anak jatuh dan tenggelam",
		"orang tua saya ditipu orang, uang 5 juta raib",
	}
	for _, text := range calm {
		tr, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Safety) > 0 {
			t.Errorf("%q: the floor fired (%v), want nothing", text, tr.CriticalKeywords)
		}
	}
}

// TestSafetyFloorOnlyRaises: the floor never lowers what a classifier said.
func TestSafetyFloorOnlyRaises(t *testing.T) {
	r := testRules(t)
	tr := &Triage{Kategori: "kesehatan", Urgency: 5, Escalate: true}
	applySafetyFloor(tr, ParseMessage("ponakan digigit anjing liar"), r, nil)
	if tr.Urgency != 5 || tr.Kategori != "kesehatan" || !tr.Escalate {
		t.Errorf("got urgency %d kategori %s escalate %v, want 5 kesehatan true", tr.Urgency, tr.Kategori, tr.Escalate)
	}
	// A kategori the danger does not fit is replaced, with its unit.
	tr = &Triage{Kategori: "pendidikan", Urgency: 2, Unit: "disdik"}
	applySafetyFloor(tr, ParseMessage("anak SD ketabrak motor depan sekolah, tidak bergerak"), r, nil)
	if tr.Urgency != 5 || tr.Kategori != "kesehatan" || tr.Unit != "dinkes" || !tr.Escalate {
		t.Errorf("got urgency %d kategori %s unit %s escalate %v, want 5 kesehatan dinkes true", tr.Urgency, tr.Kategori, tr.Unit, tr.Escalate)
	}
	if !strings.Contains(strings.Join(tr.CriticalKeywords, ","), "tidak bergerak") {
		t.Errorf("critical keywords %v do not show the reason", tr.CriticalKeywords)
	}
}

// TestOddMessages: whatever arrives gets a valid triage.
func TestOddMessages(t *testing.T) {
	c := NewRulesClassifier(testRules(t))
	for name, text := range map[string]string{
		"emoji only":    "😭😭😭🙏",
		"10,000 chars":  strings.Repeat("jalan rusak tolong pak ", 440),
		"mixed script":  "tolong 救命 ada kebakaran дом горит di rt 3",
		"arabic":        "السلام عليكم pak lurah, bansos belum cair",
		"punctuation":   "?!?!...",
		"template only": "HAI LURAH Taman\nAku mau curhat dong. Aku warga RT 01/RW 01. Tolong bantu ya HAI LURAH, terima kasih.\nTEMBUSAN: YA\nANONIM: TIDAK",
	} {
		tr, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !validTriage(tr) {
			t.Errorf("%s: invalid triage %+v", name, tr)
		}
	}
	if _, err := c.Classify(context.Background(), " \n "); err == nil {
		t.Error("an empty message was classified")
	}
}

func validTriage(tr *Triage) bool {
	ok := false
	for _, k := range []string{"lingkungan", "infrastruktur", "kesehatan", "sosial", "ekonomi", "pendidikan", "keamanan", "bencana", "administrasi", "lainnya"} {
		ok = ok || tr.Kategori == k
	}
	return ok && tr.Urgency >= 1 && tr.Urgency <= 5 && tr.Subkategori != "" && tr.ClassifierVersion != ""
}

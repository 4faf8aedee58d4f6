package triage

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestComposeACK(t *testing.T) {
	got := ComposeACK("Taman")
	for _, want := range []string{"HAI LURAH (Kel. Taman)", "ANONIM YA / ANONIM TIDAK", "TEMBUSAN YA / TEMBUSAN TIDAK", "LANJUT"} {
		if !strings.Contains(got, want) {
			t.Errorf("ACK lacks %q:\n%s", want, got)
		}
	}
	none := ComposeACK("")
	if strings.Contains(none, "Kel.") || !strings.Contains(none, "diterima oleh HAI LURAH.") {
		t.Errorf("ACK without kelurahan:\n%s", none)
	}
	if got := ComposeACK("Taman\nANONIM YA"); strings.Count(got, "\n") != strings.Count(ComposeACK("Taman"), "\n") {
		t.Errorf("a kelurahan name must not add lines:\n%s", got)
	}
}

func TestComposeReply(t *testing.T) {
	tr, err := NewRulesClassifier(testRules(t)).Classify(context.Background(),
		"HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02. Sudah 3 bulan got sering tersumbat, rumah banjir tiap hujan, anak sering batuk.")
	if err != nil {
		t.Fatal(err)
	}
	got := ComposeReply(tr)
	for _, want := range []string{
		"Halo, terima kasih sudah menyampaikan. Maaf mendengar kondisi tersebut.",
		"Ringkasan: ", "Diagnosis singkat: ", "Solusi:",
		"• A (Sederhana, 1–7 hari): ", "• B (Menengah, 7–30 hari): ", "• C (High-impact, 1–12 bulan): ",
		"Langkah 3 konkret: 1) ", " 2) ", " 3) ",
		"Urgensi: 4/5 | Kategori: Lingkungan – ",
		"'MINTA DRAFT'", "'SESUDAH'",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reply lacks %q:\n%s", want, got)
		}
	}

	emergency := *tr
	emergency.Urgency = 5
	if got := ComposeReply(&emergency); !strings.Contains(got, "112") {
		t.Errorf("urgency 5 reply must say to call 112:\n%s", got)
	}
	question := *tr
	question.Urgency = 1
	if got := ComposeReply(&question); strings.Contains(got, "Maaf mendengar") {
		t.Errorf("a question gets no condolence:\n%s", got)
	}
}

func TestComposeLengthLimits(t *testing.T) {
	long := strings.Repeat("sangat panjang sekali ", 2000)
	tr := &Triage{
		Kategori: "lingkungan", Subkategori: long, Urgency: 3, Summary: long, Diagnosis: long,
		Solutions: Solutions{A: long, B: long, C: long}, Steps: []string{long, long, long, long},
	}
	reply := ComposeReply(tr)
	if n := utf8.RuneCountInString(reply); n > MaxMessageLen {
		t.Errorf("reply has %d characters, limit %d", n, MaxMessageLen)
	}
	for _, want := range []string{"Ringkasan:", "• C (High-impact", "Langkah 3 konkret: 1)", "Urgensi: 3/5", "'SESUDAH'"} {
		if !strings.Contains(reply, want) {
			t.Errorf("a shortened reply lost %q", want)
		}
	}
	notif := ComposeLurahNotif(LurahNotif{TicketID: "HL-2026-000001", Kategori: "kesehatan", Urgency: 5, Summary: long, Suggestion: long, URL: long})
	if n := utf8.RuneCountInString(notif); n > MaxMessageLen {
		t.Errorf("notif has %d characters", n)
	}
	letter := ComposeDraftLetter(DraftLetter{TicketID: "HL-2026-000001", Kelurahan: "Taman", Kategori: "lingkungan", Summary: long, Body: long, UnitName: long})
	if n := utf8.RuneCountInString(letter); n > MaxMessageLen {
		t.Errorf("letter has %d characters", n)
	}
	if !strings.Contains(letter, "Madiun, ") || !strings.Contains(letter, "Pemohon,") {
		t.Errorf("a shortened letter lost its closing:\n%s", letter)
	}
	for _, s := range []string{ComposeConfirmQuestion(long), ComposeConfirmReminder(long), ComposeRatingQuestion(long), ComposeStatus(long, long), ComposeACK(long), ComposeAskText()} {
		if n := utf8.RuneCountInString(s); n > MaxMessageLen {
			t.Errorf("short text has %d characters", n)
		}
	}
}

func TestComposeLurahNotif(t *testing.T) {
	got := ComposeLurahNotif(LurahNotif{
		TicketID: "HL-2026-000007", Kategori: "kesehatan", Urgency: 5, Kelurahan: "Taman", RT: "01", RW: "01",
		Summary: "Balita gizi buruk.", Suggestion: "Kirim tim Puskesmas + bantuan sembako.", URL: "https://hailurah.example/t/HL-2026-000007",
	})
	want := "[NOTIF] Tiket #HL-2026-000007 — Kesehatan (Urgensi 5) | URGENT\n" +
		"Kel: Taman, RT/RW 01/01\n" +
		"Ringkasan: Balita gizi buruk.\n" +
		"Saran awal AI: Kirim tim Puskesmas + bantuan sembako.\n" +
		"Link tiket: https://hailurah.example/t/HL-2026-000007"
	if got != want {
		t.Errorf("notif =\n%s\nwant\n%s", got, want)
	}
	got = ComposeLurahNotif(LurahNotif{TicketID: "HL-2026-000008", Kategori: "lingkungan", Urgency: 2, Kelurahan: "Taman", Tembusan: true})
	if strings.Contains(got, "URGENT") || !strings.Contains(got, "RT/RW -/-") || !strings.Contains(got, "Tembusan atas permintaan warga") {
		t.Errorf("tembusan notif:\n%s", got)
	}
}

func TestComposeDraftLetter(t *testing.T) {
	d := DraftLetter{
		TicketID: "HL-2026-000123", Kelurahan: "Taman", LurahName: "Irfa Darojat", RT: "03", RW: "02",
		Kategori: "lingkungan", Subkategori: "Saluran Tersumbat", Summary: "Saluran air tersumbat sehingga air meluber di RT03/RW02.",
		Body: "Got depan rumah mampet, hubungi saya di 081234567890.", Unit: "dlh", UnitName: "Dinas Lingkungan Hidup",
		Date: time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC), Name: "Siti Aminah",
	}
	named := ComposeDraftLetter(d)
	for _, want := range []string{
		"SURAT PERMOHONAN TINDAK LANJUT", "Nomor Tiket : HL-2026-000123", "Perihal     : Permohonan tindak lanjut Saluran Tersumbat di RT03/RW02",
		"Bapak/Ibu Lurah Taman (Irfa Darojat)", "c.q. Kepala Dinas Lingkungan Hidup Kota Madiun",
		"Nama   : Siti Aminah", "RT03/RW02, Kelurahan Taman, Kota Madiun", "081234567890",
		"Madiun, 2 Maret 2026", "(Siti Aminah)",
	} {
		if !strings.Contains(named, want) {
			t.Errorf("letter lacks %q:\n%s", want, named)
		}
	}

	d.Anonim = true
	anon := ComposeDraftLetter(d)
	for _, leak := range []string{"Siti", "Aminah", "081234567890", "Nama   :"} {
		if strings.Contains(anon, leak) {
			t.Errorf("anonymous letter shows %q:\n%s", leak, anon)
		}
	}
	if !strings.Contains(anon, "identitas pelapor dirahasiakan") || !strings.Contains(anon, "(identitas dirahasiakan)") {
		t.Errorf("anonymous letter does not say so:\n%s", anon)
	}

	blank := ComposeDraftLetter(DraftLetter{Kategori: "infrastruktur"})
	if !strings.Contains(blank, "Nama   : ....") || !strings.Contains(blank, "Madiun, ....") || !strings.Contains(blank, "Nomor Tiket : -") {
		t.Errorf("letter with no data:\n%s", blank)
	}
}

func TestComposeShortTexts(t *testing.T) {
	checks := map[string][]string{
		ComposeConfirmQuestion("HL-1"):             {"HL-1", "SESUDAH", "BELUM"},
		ComposeConfirmReminder("HL-1"):             {"HL-1", "SESUDAH", "BELUM", "ditutup otomatis"},
		ComposeRatingQuestion("HL-1"):              {"HL-1", "1–5"},
		ComposeStatus("HL-1", "Sedang dikerjakan"): {"HL-1", "Sedang dikerjakan", "STATUS"},
		ComposeAskText():                           {"teks", "RT/RW"},
	}
	for got, wants := range checks {
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%q lacks %q", got, w)
			}
		}
	}
}

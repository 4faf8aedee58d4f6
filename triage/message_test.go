package triage

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseRTRW(t *testing.T) {
	tests := []struct {
		text, rt, rw string
	}{
		{"Saya warga RT03/RW02, Jalan Mawar", "03", "02"},
		{"rt 3 rw 2 nambangan", "03", "02"},
		{"RT.003/RW.002 jl. Kutai", "03", "02"},
		{"RT 2/RW 3, tiap malam", "02", "03"},
		{"rt.01 rw.04 jalan kampung", "01", "04"},
		{"RT 07 RW 02 Kelurahan Demangan", "07", "02"},
		{"jalanrusak di rt5 rw2", "05", "02"},
		{"RT003 RW002", "03", "02"},
		{"Rt: 4 Rw: 1", "04", "01"},
		{"RT/RW 03/02", "03", "02"},
		{"rt/rw: 5/1", "05", "01"},
		{"warga rw 2 minta tolong", "", "02"},
		{"RT 12", "12", ""},
		{"sudah 3 bulan, 25 warga", "", ""},
		{"parto 3 dan rwanda 2", "", ""},
		{"RT 000", "", ""},
	}
	for _, tt := range tests {
		m := ParseMessage(tt.text)
		if m.RT != tt.rt || m.RW != tt.rw {
			t.Errorf("ParseMessage(%q) RT/RW = %q/%q, want %q/%q", tt.text, m.RT, m.RW, tt.rt, tt.rw)
		}
	}
}

func TestParseHaiLurah(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name     string
		text     string
		want     Message
		bodyHas  string
		bodyNot  string
		noFlagIn bool
	}{
		{
			name: "seed example",
			text: "HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02, Jalan Mawar. Sudah 3 bulan got sering tersumbat.\nTEMBUSAN: TIDAK\nANONIM: YA",
			want: Message{HaiLurah: true, Kelurahan: "Taman", Lurah: "Irfa Darojat", RT: "03", RW: "02", Tembusan: &no, Anonim: &yes,
				Body: "Saya warga RT03/RW02, Jalan Mawar. Sudah 3 bulan got sering tersumbat."},
		},
		{
			name: "seed gateway example, one line",
			text: "HAI LURAH Taman Irfa Darojat. RT04/RW01, jalan samping SD tergenang, anak-anak kesulitan pergi sekolah. Mohon bantu.",
			want: Message{HaiLurah: true, Kelurahan: "Taman", Lurah: "Irfa Darojat", RT: "04", RW: "01",
				Body: "RT04/RW01, jalan samping SD tergenang, anak-anak kesulitan pergi sekolah. Mohon bantu."},
		},
		{
			name: "two-word kelurahan, upper case, no lurah",
			text: "HAI LURAH NAMBANGAN LOR\nRT04 RW01 jln samping SD tergenang",
			want: Message{HaiLurah: true, Kelurahan: "NAMBANGAN LOR", RT: "04", RW: "01", Body: "RT04 RW01 jln samping SD tergenang"},
		},
		{
			name: "hyphenated kelurahan",
			text: "HAI LURAH Oro-oro Ombo\nrt.01 rw.04 Mohon bantuan\nTEMBUSAN : TIDAK",
			want: Message{HaiLurah: true, Kelurahan: "Oro-oro Ombo", RT: "01", RW: "04", Tembusan: &no, Body: "rt.01 rw.04 Mohon bantuan"},
		},
		{
			name: "kelurahan then honorific",
			text: "HAI LURAH Nambangan Kidul Bapak Lurah\nRT 5 RW 1. Mohon dibantu legalisir.",
			want: Message{HaiLurah: true, Kelurahan: "Nambangan Kidul", Lurah: "Bapak Lurah", RT: "05", RW: "01", Body: "RT 5 RW 1. Mohon dibantu legalisir."},
		},
		{
			name: "lower case, comma, inline flag",
			text: "Hai lurah taman irfa darojat, di RT 01 RW 05 ada anak balita gizi buruk. tembusan: ya",
			want: Message{HaiLurah: true, Kelurahan: "taman", Lurah: "irfa darojat", RT: "01", RW: "05", Tembusan: &yes,
				Body: "di RT 01 RW 05 ada anak balita gizi buruk."},
		},
		{
			name: "kelurahan then the question",
			text: "hai lurah kejuron, mau tanya program hibah produktif",
			want: Message{HaiLurah: true, Kelurahan: "kejuron", Body: "mau tanya program hibah produktif"},
		},
		{
			name: "typo in kelurahan",
			text: "HAI LURAH Tamn Pak Irfa\nsampah numpuk",
			want: Message{HaiLurah: true, Kelurahan: "Tamn", Lurah: "Pak Irfa", Body: "sampah numpuk"},
		},
		{
			name: "Kel. prefix and unknown kelurahan on its own line",
			text: "HAI LURAH Kel. Cigereleng\nBalita gizi buruk",
			want: Message{HaiLurah: true, Kelurahan: "Cigereleng", Body: "Balita gizi buruk"},
		},
		{
			name: "greeting runs into the curhat",
			text: "hai lurah sampah di depan rumah numpuk",
			want: Message{HaiLurah: true, Body: "sampah di depan rumah numpuk"},
		},
		{
			name: "known kelurahan then the curhat on the same line",
			text: "HAI LURAH Taman sampah numpuk",
			want: Message{HaiLurah: true, Kelurahan: "Taman", Body: "sampah numpuk"},
		},
		{
			name: "free text",
			text: "got mampet rt 2 rw 4\nANONIM: YA",
			want: Message{RT: "02", RW: "04", Anonim: &yes, Body: "got mampet rt 2 rw 4"},
		},
		{
			name: "windows line endings and spacing",
			text: "  HAI LURAH Demangan Bu Lurah\r\nlampu mati\r\n\r\n\r\n\r\nanonim tidak\r\n",
			want: Message{HaiLurah: true, Kelurahan: "Demangan", Lurah: "Bu Lurah", Anonim: &no, Body: "lampu mati"},
		},
		{
			name: "tembusan in prose is not a flag",
			text: "tolong kirim tembusan ke pak camat juga",
			want: Message{Body: "tolong kirim tembusan ke pak camat juga"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseMessage(tt.text)
			if got.HaiLurah != tt.want.HaiLurah || got.Kelurahan != tt.want.Kelurahan || got.Lurah != tt.want.Lurah ||
				got.RT != tt.want.RT || got.RW != tt.want.RW || got.Body != tt.want.Body ||
				!boolPtrEqual(got.Tembusan, tt.want.Tembusan) || !boolPtrEqual(got.Anonim, tt.want.Anonim) {
				t.Errorf("ParseMessage(%q)\n got %s\nwant %s", tt.text, fmtMessage(got), fmtMessage(tt.want))
			}
		})
	}
}

func boolPtrEqual(a, b *bool) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func fmtMessage(m Message) string {
	p := func(b *bool) string {
		if b == nil {
			return "nil"
		}
		if *b {
			return "YA"
		}
		return "TIDAK"
	}
	return "{HaiLurah:" + map[bool]string{true: "true", false: "false"}[m.HaiLurah] + " Kel:" + m.Kelurahan + " Lurah:" + m.Lurah +
		" RT:" + m.RT + " RW:" + m.RW + " Tembusan:" + p(m.Tembusan) + " Anonim:" + p(m.Anonim) + " Body:" + strings.ReplaceAll(m.Body, "\n", `\n`) + "}"
}

func TestMatchKelurahan(t *testing.T) {
	names := MadiunKelurahan
	index := func(name string) int {
		for i, n := range names {
			if n == name {
				return i
			}
		}
		t.Fatalf("%s not in list", name)
		return -1
	}
	tests := []struct {
		written string
		want    string // "" = no match
	}{
		{"Taman", "Taman"},
		{"TAMAN", "Taman"},
		{"tamn", "Taman"},
		{"tamaan", "Taman"},
		{"Kel. Taman", "Taman"},
		{"kelurahan taman", "Taman"},
		{"NAMBANGAN LOR", "Nambangan Lor"},
		{"nambanganlor", "Nambangan Lor"},
		{"nambangan kidl", "Nambangan Kidul"},
		{"oro oro ombo", "Oro-oro Ombo"},
		{"Oro2 Ombo", ""},
		{"demangan", "Demangan"},
		{"demangn", "Demangan"},
		{"demangan kidul", ""},
		{"NAMBANGAN", ""},
		{"madiun", ""},
		{"Cigereleng", ""},
		{"", ""},
		{"  ", ""},
		{"tmn", ""},
		{"kelun", "Kelun"},
		{"klegen", "Klegen"},
		{"kelum", "Kelun"},
	}
	for _, tt := range tests {
		i, ok := MatchKelurahan(tt.written, names)
		switch {
		case tt.want == "" && ok:
			t.Errorf("MatchKelurahan(%q) = %s, want no match", tt.written, names[i])
		case tt.want != "" && (!ok || i != index(tt.want)):
			got := "no match"
			if ok {
				got = names[i]
			}
			t.Errorf("MatchKelurahan(%q) = %s, want %s", tt.written, got, tt.want)
		}
	}
	// Two names equally close are ambiguous.
	if _, ok := MatchKelurahan("Kelun", []string{"Keluh", "Kelus"}); ok {
		t.Error("an equally close pair must not match")
	}
	if i, ok := MatchKelurahan("Josenan", []string{"Taman", "Josenan"}); !ok || i != 1 {
		t.Errorf("exact match in a short list: %d %v", i, ok)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"taman", "taman", 0}, {"tamn", "taman", 1}, {"tmaan", "taman", 1}, {"", "abc", 3}, {"kelun", "klegen", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{
		"HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02.\nTEMBUSAN: TIDAK\nANONIM: YA",
		"hai lurah kejuron, mau tanya",
		"HAI LURAH Kel. \n",
		"HAI LURAH",
		"hai lurah ,,,;;;",
		"rt/rw 999/999",
		"RT.000/RW.000",
		"anonim ya tembusan tidak anonim tidak",
		"\r\r\n\n",
		"HAI LURAH Oro-oro Ombo Pak Lurah, ⭐⭐⭐ RT 3",
		"hai lurah \xff\xfe rt 5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m := ParseMessage(text)
		for _, v := range []string{m.RT, m.RW} {
			if v == "" {
				continue
			}
			if len(v) < 2 || len(v) > 3 || strings.Trim(v, "0123456789") != "" || v[0] == '0' && v[1] == '0' {
				t.Errorf("RT/RW %q is not a 2–3 digit number", v)
			}
		}
		if m.Body != strings.TrimSpace(m.Body) {
			t.Errorf("body %q not trimmed", m.Body)
		}
		if len(m.Body) > len(text) || len(m.Kelurahan) > len(text) || len(m.Lurah) > len(text) {
			t.Errorf("parsed fields longer than the input")
		}
		if m.HaiLurah != greetingRE.MatchString(text) {
			t.Errorf("HaiLurah = %v for %q", m.HaiLurah, text)
		}
		if !m.HaiLurah && (m.Kelurahan != "" || m.Lurah != "") {
			t.Errorf("kelurahan/lurah without the greeting: %q %q", m.Kelurahan, m.Lurah)
		}
		if utf8.ValidString(text) && !utf8.ValidString(m.Body) {
			t.Errorf("valid input gave invalid UTF-8 body %q", m.Body)
		}
		// Parsing the body again finds no flags and no greeting header.
		again := ParseMessage(m.Body)
		if again.Tembusan != nil && m.Tembusan == nil || again.Anonim != nil && m.Anonim == nil {
			t.Errorf("flags found in the body on a second parse: %q", m.Body)
		}
	})
}

// TestProblemWithoutBoilerplate: the seed template's fixed phrases are read
// for their fields and left out of the problem; a message that is only a
// greeting or thanks keeps its words.
func TestProblemWithoutBoilerplate(t *testing.T) {
	tests := []struct{ text, want string }{
		{"HAI LURAH Taman Irfa Darojat\nAku mau curhat dong. Aku warga RT 03/RW 02. Di jalan depan gang ada lubang besar, motor jatuh. Tolong bantu ya HAI LURAH, terima kasih.\nTEMBUSAN: TIDAK\nANONIM: YA",
			"Di jalan depan gang ada lubang besar, motor jatuh."},
		{"Assalamualaikum pak lurah, saya warga RT 4 RW 1 mau lapor got mampet. Terima kasih banyak pak",
			"pak lurah, mau lapor got mampet."},
		{"Selamat pagi Bu Lurah. Sampah belum diangkut. Makasih 🙏", "Sampah belum diangkut."},
		{"terima kasih pak lurah, mantap", "terima kasih pak lurah, mantap"},
		{"HAI LURAH Taman\nAku mau curhat dong.", "Aku mau curhat dong."},
	}
	for _, tt := range tests {
		if got := ParseMessage(tt.text).Problem; got != tt.want {
			t.Errorf("Problem(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	m := ParseMessage(tests[0].text)
	if m.RT != "03" || m.RW != "02" || m.Kelurahan != "Taman" || m.Tembusan == nil || *m.Tembusan || m.Anonim == nil || !*m.Anonim {
		t.Errorf("fields lost with the boilerplate: %+v", m)
	}
}

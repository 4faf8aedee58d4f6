package pii_test

import (
	"strings"
	"testing"

	"github.com/hailurah/hailurah/pii"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		// NIK: 16 digits, alone or in groups of four.
		{"NIK 3577012345670001", "NIK 3577••••••••0001"},
		{"nik: 3577 0123 4567 0001.", "nik: 3577••••••••0001."},
		{"KTP 3577-0123-4567-0001", "KTP 3577••••••••0001"},
		// Phones: mobiles in every usual spelling, landlines.
		{"hubungi 081234567890 ya", "hubungi 0812••••••90 ya"},
		{"HP 0812-3456-7890.", "HP 0812••••••90."},
		{"wa 0812 3456 789", "wa 0812•••••89"},
		{"+62 812-3456-7890", "+6281•••••••90"},
		{"+6281234567890", "+6281•••••••90"},
		{"62 81234567890 (wa)", "6281•••••••90 (wa)"},
		{"telp (0351) 462345", "telp 0351••••45"},
		{"kantor 0351-462345", "kantor 0351••••45"},
		// E-mail.
		{"email budi.santoso@gmail.com, atau", "email b•••@gmail.com, atau"},
		// Bank accounts need a word that names them.
		{"transfer ke rek BRI 1234567890 ya", "transfer ke rek BRI ••••••7890 ya"},
		{"no rekening 0123-01-000123-50-1", "no rekening •••••••••••3501"},
		{"No. Rek: 1234567890", "No. Rek: ••••••7890"},
		{"norek BCA a.n. Siti Aminah 8730123456", "norek BCA a.n. Siti Aminah ••••••3456"},
		{"BNI 0987654321 atas nama saya", "BNI ••••••4321 atas nama saya"},
		{"Mandiri 1370012345678", "Mandiri •••••••••5678"},
		// Several in one message.
		{"kontak 0812-3456-7890 / siti_99@yahoo.co.id / 3577012345670001",
			"kontak 0812••••••90 / s•••@yahoo.co.id / 3577••••••••0001"},

		// Not personal data: amounts, dates, times, counts, RT/RW, codes.
		{"25 warga, Rp 1.500.000, RT03/RW02", "25 warga, Rp 1.500.000, RT03/RW02"},
		{"bantuan Rp 500.000 dan Rp 2.500.000,00", "bantuan Rp 500.000 dan Rp 2.500.000,00"},
		{"tanggal 08-10-2025 jam 08.15", "tanggal 08-10-2025 jam 08.15"},
		{"sejak 2025-10-08 pukul 14:30", "sejak 2025-10-08 pukul 14:30"},
		{"RT 003 RW 012, RT 03/RW 04", "RT 003 RW 012, RT 03/RW 04"},
		{"tiket HL-2026-000123", "tiket HL-2026-000123"},
		{"hub 0812xxxx", "hub 0812xxxx"},
		{"BRI Rp 2.500.000 belum cair", "BRI Rp 2.500.000 belum cair"},
		{"rekan saya 40 orang", "rekan saya 40 orang"},
		// 15 and 17 digits are neither a NIK nor a phone.
		{"IMEI 357701234567000", "IMEI 357701234567000"},
		{"kode 35770123456700011", "kode 35770123456700011"},
		{"nomor 08123456789012345", "nomor 08123456789012345"},
		{"a short 0812345", "a short 0812345"},
	}
	for _, tt := range tests {
		got := pii.Mask(tt.in)
		if got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := pii.Mask(got); again != got {
			t.Errorf("Mask is not idempotent on %q: %q", tt.in, again)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hubungi 081234567890 ya", "hubungi [TELEPON] ya"},
		{"HP 0812-3456-7890.", "HP [TELEPON]."},
		{"+62 812-3456-7890", "[TELEPON]"},
		{"telp (0351) 462345", "telp [TELEPON]"},
		{"nik: 3577 0123 4567 0001", "nik: [NIK]"},
		{"email budi.santoso@gmail.com, atau", "email [EMAIL], atau"},
		{"rek BRI 1234567890", "rek BRI [REKENING]"},
		{"kontak 0812-3456-7890 / siti_99@yahoo.co.id / 3577012345670001", "kontak [TELEPON] / [EMAIL] / [NIK]"},
		{"25 warga, Rp 1.500.000, RT03/RW02", "25 warga, Rp 1.500.000, RT03/RW02"},
		{"tiket HL-2026-000123 tanggal 08-10-2025", "tiket HL-2026-000123 tanggal 08-10-2025"},
	}
	for _, tt := range tests {
		if got := pii.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// What intake masked reaches the AI as the same placeholders.
		if got := pii.Redact(pii.Mask(tt.in)); got != tt.want {
			t.Errorf("Redact(Mask(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskJSON(t *testing.T) {
	raw := []byte(`{"text":"NIK 3577012345670001","lat":-7.6298100000000001,"from":"6281234567890","n":[{"x":"budi@gmail.com"}]}`)
	got, changed := pii.MaskJSON(raw, func(k string) bool { return k == "from" })
	want := `{"lat":-7.6298100000000001,"n":[{"x":"b•••@gmail.com"}],"text":"NIK 3577••••••••0001"}`
	if !changed || string(got) != want {
		t.Errorf("MaskJSON = %s, %v; want %s", got, changed, want)
	}
	if _, changed := pii.MaskJSON(got, nil); changed {
		t.Error("MaskJSON changed masked JSON again")
	}
	if out, changed := pii.MaskJSON([]byte("not json 081234567890"), nil); changed || !strings.HasPrefix(string(out), "not json") {
		t.Errorf("MaskJSON on bad JSON = %s, %v", out, changed)
	}
}

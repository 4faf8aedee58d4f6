package triage

import "testing"

func TestMaskPII(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hubungi 081234567890 ya", "hubungi [TELEPON] ya"},
		{"HP 0812-3456-7890.", "HP [TELEPON]."},
		{"wa 0812 3456 789", "wa [TELEPON]"},
		{"+62 812-3456-7890", "[TELEPON]"},
		{"+6281234567890", "[TELEPON]"},
		{"62 81234567890 (wa)", "[TELEPON] (wa)"},
		{"telp (0351) 462345", "telp [TELEPON]"},
		{"kantor 0351-462345", "kantor [TELEPON]"},
		{"NIK 3577012345670001", "NIK [NIK]"},
		{"nik: 3577 0123 4567 0001", "nik: [NIK]"},
		{"email budi.santoso@gmail.com, atau", "email [EMAIL], atau"},
		{"kontak 0812-3456-7890 / siti_99@yahoo.co.id / 3577012345670001", "kontak [TELEPON] / [EMAIL] / [NIK]"},
		// Not personal data: amounts, counts, dates, RT/RW, ticket ids.
		{"25 warga, Rp 1.500.000, RT03/RW02", "25 warga, Rp 1.500.000, RT03/RW02"},
		{"tanggal 08-10-2025 jam 08.15", "tanggal 08-10-2025 jam 08.15"},
		{"tiket HL-2026-000123", "tiket HL-2026-000123"},
		{"hub 0812xxxx", "hub 0812xxxx"},
	}
	for _, tt := range tests {
		if got := MaskPII(tt.in); got != tt.want {
			t.Errorf("MaskPII(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := MaskPII(MaskPII(tt.in)); got != tt.want {
			t.Errorf("MaskPII is not idempotent on %q: %q", tt.in, got)
		}
	}
}

package triage

import "testing"

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want Command
		ok   bool
	}{
		{"ANONIM YA", Command{Kind: CommandAnonim, Value: true}, true},
		{"anonim: tidak", Command{Kind: CommandAnonim}, true},
		{"Anonim gak pak", Command{Kind: CommandAnonim}, true},
		{"TEMBUSAN YA", Command{Kind: CommandTembusan, Value: true}, true},
		{"tembusan iya.", Command{Kind: CommandTembusan, Value: true}, true},
		{"TEMBUSAN TIDAK", Command{Kind: CommandTembusan}, true},
		{"tembusan", Command{}, false},
		{"anonim ya tapi tolong cepat", Command{}, false},
		{"LANJUT", Command{Kind: CommandLanjut}, true},
		{"lanjut pak", Command{Kind: CommandLanjut}, true},
		{"Lanjutkan!", Command{Kind: CommandLanjut}, true},
		{"SESUDAH", Command{Kind: CommandSesudah}, true},
		{"sudah", Command{Kind: CommandSesudah}, true},
		{"SUDAH.", Command{Kind: CommandSesudah}, true},
		{"udah beres", Command{Kind: CommandSesudah}, true},
		{"sudah selesai pak, terima kasih", Command{Kind: CommandSesudah}, true},
		{"sampun rampung nggih", Command{Kind: CommandSesudah}, true},
		{"sudah 3 hari sampah belum diangkut", Command{}, false},
		{"udah lapor RT tapi belum ada tindakan", Command{}, false},
		{"BELUM", Command{Kind: CommandBelum}, true},
		{"belum selesai", Command{Kind: CommandBelum}, true},
		{"blm beres pak", Command{Kind: CommandBelum}, true},
		{"durung", Command{Kind: CommandBelum}, true},
		{"belum makan 2 hari", Command{}, false},
		{"MINTA DRAFT", Command{Kind: CommandMintaDraft}, true},
		{"MINTA DRAFT SEDOT", Command{Kind: CommandMintaDraft, Arg: "SEDOT"}, true},
		{"minta draf sedot", Command{Kind: CommandMintaDraft, Arg: "SEDOT"}, true},
		{"'MINTA DRAFT SEDOT'", Command{Kind: CommandMintaDraft, Arg: "SEDOT"}, true},
		{"BUTUH_SURAT", Command{Kind: CommandMintaDraft}, true},
		{"butuh surat", Command{Kind: CommandMintaDraft}, true},
		{"STATUS", Command{Kind: CommandStatus}, true},
		{"cek status", Command{Kind: CommandStatus}, true},
		{"status tiket HL-2026-000123", Command{Kind: CommandStatus, Arg: "HL 2026 000123"}, true},
		{"5", Command{Kind: CommandRating, Rating: 5}, true},
		{"1", Command{Kind: CommandRating, Rating: 1}, true},
		{"4/5", Command{Kind: CommandRating, Rating: 4}, true},
		{"rating 3", Command{Kind: CommandRating, Rating: 3}, true},
		{"nilai 5 pak", Command{Kind: CommandRating, Rating: 5}, true},
		{"⭐⭐⭐⭐", Command{Kind: CommandRating, Rating: 4}, true},
		{"⭐️⭐️⭐️⭐️⭐️", Command{Kind: CommandRating, Rating: 5}, true},
		{"★★", Command{Kind: CommandRating, Rating: 2}, true},
		{"⭐⭐⭐⭐⭐⭐", Command{}, false},
		{"6", Command{}, false},
		{"0", Command{}, false},
		{"25 warga", Command{}, false},
		{"", Command{}, false},
		{"got mampet", Command{}, false},
		{"terima kasih pak", Command{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseCommand(tt.text)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

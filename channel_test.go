package hailurah_test

import (
	"testing"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/triage"
)

// TestReplyButtons: every button offered maps to a command the workflow's
// parser (triage.ParseCommand) reads as that command, within WhatsApp's
// limits of three buttons and 20-character titles.
func TestReplyButtons(t *testing.T) {
	want := map[string]string{
		hailurah.ButtonAnonimYa: triage.CommandAnonim, hailurah.ButtonAnonimTidak: triage.CommandAnonim,
		hailurah.ButtonTembusanYa: triage.CommandTembusan, hailurah.ButtonTembusanTidak: triage.CommandTembusan,
		hailurah.ButtonLanjut: triage.CommandLanjut, hailurah.ButtonSesudah: triage.CommandSesudah,
		hailurah.ButtonBelum: triage.CommandBelum, hailurah.ButtonMintaDraft: triage.CommandMintaDraft,
		hailurah.ButtonStatus: triage.CommandStatus,
	}
	for id, kind := range want {
		text, ok := hailurah.ButtonCommand(id)
		if !ok {
			t.Errorf("button %s has no command", id)
			continue
		}
		cmd, ok := triage.ParseCommand(text)
		if !ok || cmd.Kind != kind {
			t.Errorf("button %s sends %q, parsed as %+v, want %s", id, text, cmd, kind)
		}
	}
	if v, _ := hailurah.ButtonCommand(hailurah.ButtonAnonimYa); v != "ANONIM YA" {
		t.Errorf("ANONIM YA button sends %q", v)
	}
	if c, _ := triage.ParseCommand("TEMBUSAN TIDAK"); c.Value {
		t.Error("TEMBUSAN TIDAK parsed as YA")
	}
	if _, ok := hailurah.ButtonCommand("hapus_semua"); ok {
		t.Error("an unknown button id maps to a command")
	}
	if v, ok := hailurah.ButtonCommand(" LANJUT "); !ok || v != "LANJUT" {
		t.Error("button ids are matched after trimming, case-insensitively")
	}

	kinds := []string{hailurah.OutboxAck, hailurah.OutboxReply, hailurah.OutboxConfirm, hailurah.OutboxConfirmReminder}
	for _, kind := range kinds {
		buttons := hailurah.ButtonsFor(kind)
		if len(buttons) == 0 || len(buttons) > 3 {
			t.Errorf("%s: %d buttons", kind, len(buttons))
		}
		for _, b := range buttons {
			if _, ok := hailurah.ButtonCommand(b.ID); !ok || b.Title == "" || utf8.RuneCountInString(b.Title) > 20 {
				t.Errorf("%s: button %+v", kind, b)
			}
		}
	}
	if got := hailurah.ButtonsFor(hailurah.OutboxAck); got[0].ID != hailurah.ButtonAnonimYa || got[1].ID != hailurah.ButtonTembusanYa || got[2].ID != hailurah.ButtonLanjut {
		t.Errorf("the ACK's buttons are the seed's choices: %+v", got)
	}
	if hailurah.ButtonsFor(hailurah.OutboxRatingThanks) != nil {
		t.Error("a kind without choices got buttons")
	}
}

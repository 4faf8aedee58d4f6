package workflows_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

const spoken = "Pak, lampu jalan di gang Mawar RT 03 mati sudah seminggu, gelap sekali kalau malam."

// voiceInput opens a ticket with a voice note and no words.
func voiceInput() hailurah.CurhatInput {
	in := input()
	in.First.Text, in.First.Voice, in.First.Media = "", true, []string{"whatsapp-media:voice1"}
	return in
}

// mockTranscribe answers the Transcribe activity with transcribe, and
// counts the calls.
func mockTranscribe(h *harness, transcribe func(in activities.MediaInput) (activities.Transcript, error)) *int {
	calls := new(int)
	h.env.OnActivity(ma.Transcribe, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MediaInput) (activities.Transcript, error) {
			h.mu.Lock()
			*calls++
			h.mu.Unlock()
			return transcribe(in)
		})
	return calls
}

func (h *harness) voiceEvents(typ string) []hailurah.TicketEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hailurah.TicketEvent
	for _, p := range h.projected {
		if e := p.in.Event; e != nil && e.Type == typ {
			out = append(out, *e)
		}
	}
	return out
}

func (h *harness) sentKinds() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, s := range h.sent {
		out = append(out, s.in.Kind)
	}
	return out
}

// With a transcriber, the opening voice note's words are the curhat: the
// ticket is triaged on them, its text is the transcript, and the timeline
// marks it as transcribed from the kept audio.
func TestCurhatTranscribesOpeningVoiceNote(t *testing.T) {
	h := newHarness(t, start)
	fetched := mockMedia(h, func(string) bool { return false })
	calls := mockTranscribe(h, func(in activities.MediaInput) (activities.Transcript, error) {
		if in.TicketID != "HL-2026-000123" || in.Source != "whatsapp-media:voice1" {
			t.Errorf("Transcribe(%+v)", in)
		}
		return activities.Transcript{Text: spoken, MediaID: "m1"}, nil
	})
	h.mustAct(3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})

	st := h.run(voiceInput())

	if *calls != 1 || h.triaged != 1 {
		t.Fatalf("transcribed %d times, triaged %d, want once each", *calls, h.triaged)
	}
	if st.Kategori != hailurah.KategoriLingkungan {
		t.Errorf("kategori %q: the transcript was not triaged", st.Kategori)
	}
	if len(fetched.fetched) != 0 {
		t.Errorf("fetched %q besides the transcription, which keeps the audio", fetched.fetched)
	}
	tr := h.voiceEvents(hailurah.EventTranscribed)
	if len(tr) != 1 || !slices.Equal(tr[0].Attachments, []string{"whatsapp-media:voice1"}) || tr[0].Note != "Ditranskripsi dari pesan suara" {
		t.Errorf("transcribed events %+v", tr)
	}
	h.mu.Lock()
	last := h.projected[len(h.projected)-1].in.Ticket
	h.mu.Unlock()
	if last == nil || last.MessageText != spoken {
		t.Errorf("ticket text %+v, want the transcript", last)
	}
	if k := h.sentKinds(); slices.Contains(k, hailurah.OutboxAskText) || !slices.Contains(k, hailurah.OutboxReply) {
		t.Errorf("sent %q, want the AI reply and no ask-for-text", k)
	}
}

// Without a transcript — no GEMINI_API_KEY (the activity says so), or the
// activity failing for good — the citizen is asked to write, the ticket
// keeps the audio and waits for a moderator to listen and classify it.
func TestCurhatVoiceNoteWithoutTranscript(t *testing.T) {
	for _, tc := range []struct {
		name       string
		transcript func(activities.MediaInput) (activities.Transcript, error)
		fetched    []string // downloads beside the ticket: the failed transcription's audio
	}{
		{"no key", func(activities.MediaInput) (activities.Transcript, error) {
			return activities.Transcript{MediaID: "m1", Note: "Transkripsi otomatis tidak aktif (tanpa GEMINI_API_KEY)."}, nil
		}, nil},
		{"failing", func(activities.MediaInput) (activities.Transcript, error) {
			return activities.Transcript{}, errors.New("gemini: 503 UNAVAILABLE")
		}, []string{"whatsapp-media:voice1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, start)
			fetched := mockMedia(h, func(string) bool { return false })
			calls := mockTranscribe(h, tc.transcript)
			var stAt3h hailurah.TicketStatus
			h.env.RegisterDelayedCallback(func() {
				res, err := h.env.QueryWorkflow(workflows.QueryState)
				if err != nil {
					t.Error(err)
					return
				}
				var s hailurah.TicketState
				_ = res.Get(&s)
				stAt3h = s.Status
			}, 2*hour)
			h.mustAct(3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})

			st := h.run(voiceInput())

			if st.Status != hailurah.StatusRejected || stAt3h != hailurah.StatusOpen {
				t.Fatalf("status %s (open in the queue: %s)", st.Status, stAt3h)
			}
			if h.triaged != 0 {
				t.Errorf("triaged %d times an empty text", h.triaged)
			}
			if tc.name == "failing" && *calls < 2 {
				t.Errorf("transcribed %d times, want retries", *calls)
			}
			if k := h.sentKinds(); len(k) < 2 || !slices.Equal(k[:2], []string{hailurah.OutboxAck, hailurah.OutboxAskText}) || slices.Contains(k, hailurah.OutboxReply) {
				t.Errorf("sent %q, want the ACK, then the ask-for-text, and no AI reply", k)
			}
			failed := h.voiceEvents(hailurah.EventTriageFailed)
			if len(failed) != 1 || !strings.Contains(failed[0].Note, "Pesan suara belum ditranskripsi") {
				t.Errorf("triage-failed events %+v", failed)
			}
			if len(h.voiceEvents(hailurah.EventTranscribed)) != 0 {
				t.Error("marked as transcribed")
			}
			h.mu.Lock()
			var told bool
			for _, n := range h.notified {
				told = told || n.in.Kind == hailurah.NotifyTriageFailed
			}
			h.mu.Unlock()
			if !told {
				t.Error("the moderators were not told to classify it")
			}
			if !slices.Equal(fetched.fetched, tc.fetched) {
				t.Errorf("fetched %q, want %q", fetched.fetched, tc.fetched)
			}
		})
	}
}

// A voice note to a running ticket is the citizen's next message: its
// transcript, marked; or, unheard, the audio with an ask-for-text reply.
func TestCurhatFollowUpVoiceNotes(t *testing.T) {
	h := newHarness(t, start)
	mockMedia(h, func(string) bool { return false })
	mockTranscribe(h, func(in activities.MediaInput) (activities.Transcript, error) {
		if in.Source == "whatsapp-media:voice2" {
			return activities.Transcript{Text: "Tambahan, genangannya sekarang setinggi lutut.", MediaID: "m2"}, nil
		}
		return activities.Transcript{MediaID: "m3", Note: "Transkripsi otomatis gagal."}, nil
	})
	for i, id := range []string{"voice2", "voice3"} {
		h.env.RegisterDelayedCallback(func() {
			h.env.SignalWorkflow(workflows.SignalCitizenMessage, hailurah.CitizenMessage{ID: "wamid." + id,
				Channel: hailurah.ChannelWhatsApp, At: h.env.Now(), Voice: true, Media: []string{"whatsapp-media:" + id}})
		}, time.Duration(i+1)*hour)
	}
	h.mustAct(3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})

	h.run(input())

	msgs := h.voiceEvents(hailurah.EventCitizenMessage)
	if len(msgs) != 2 || msgs[0].Note != "Tambahan, genangannya sekarang setinggi lutut." || msgs[1].Note != "(pesan suara)" ||
		!slices.Equal(msgs[1].Attachments, []string{"whatsapp-media:voice3"}) {
		t.Fatalf("citizen messages %+v", msgs)
	}
	if tr := h.voiceEvents(hailurah.EventTranscribed); len(tr) != 1 || !slices.Equal(tr[0].Attachments, []string{"whatsapp-media:voice2"}) {
		t.Errorf("transcribed events %+v", tr)
	}
	if k := h.sentKinds(); !slices.Contains(k, hailurah.OutboxAskText) {
		t.Errorf("sent %q, want an ask-for-text for the unheard note", k)
	}
}

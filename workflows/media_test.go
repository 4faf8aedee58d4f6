package workflows_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

var ma *activities.MediaActivities

// mediaCalls records the media activities a run scheduled.
type mediaCalls struct {
	mu              sync.Mutex
	fetched, failed []string
}

func mockMedia(h *harness, fail func(src string) bool) *mediaCalls {
	calls := &mediaCalls{}
	h.env.RegisterActivity(&activities.MediaActivities{})
	h.env.OnActivity(ma.FetchMedia, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MediaInput) error {
			calls.mu.Lock()
			defer calls.mu.Unlock()
			if in.TicketID != "HL-2026-000123" {
				h.t.Errorf("FetchMedia for ticket %q", in.TicketID)
			}
			calls.fetched = append(calls.fetched, in.Source)
			if fail(in.Source) {
				return temporal.NewNonRetryableApplicationError("graph api down", "test", nil)
			}
			return nil
		})
	h.env.OnActivity(ma.MediaFailed, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MediaInput) error {
			calls.mu.Lock()
			defer calls.mu.Unlock()
			calls.failed = append(calls.failed, in.Source)
			return nil
		})
	return calls
}

// The opening message's attachments and a later photo are downloaded by
// the ticket's workflow; a download that fails for good is recorded as
// failed, and the ticket goes on regardless.
func TestCurhatDownloadsAttachments(t *testing.T) {
	h := newHarness(t, start)
	calls := mockMedia(h, func(src string) bool { return src == "whatsapp-media:broken" })
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(workflows.SignalCitizenMessage, hailurah.CitizenMessage{ID: "wamid.photo",
			Channel: hailurah.ChannelWhatsApp, At: h.env.Now(), Media: []string{"whatsapp-media:2", "whatsapp-media:broken"}})
	}, time.Hour)
	h.mustAct(3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	in := input()
	in.First.Media = []string{"https://gw.example/foto.jpg"}

	st := h.run(in)

	if st.Status != hailurah.StatusRejected {
		t.Fatalf("status %s", st.Status)
	}
	want := []string{"https://gw.example/foto.jpg", "whatsapp-media:2", "whatsapp-media:broken"}
	if !slices.Equal(calls.fetched, want) {
		t.Errorf("fetched %q, want %q", calls.fetched, want)
	}
	if !slices.Equal(calls.failed, []string{"whatsapp-media:broken"}) {
		t.Errorf("recorded as failed %q, want the broken one", calls.failed)
	}
}

// A message without attachments schedules no download (and no version
// marker): the ticket's commands are as before.
func TestCurhatWithoutAttachmentsFetchesNothing(t *testing.T) {
	h := newHarness(t, start)
	calls := mockMedia(h, func(string) bool { return false })
	h.say(time.Hour, "masih banjir")
	h.mustAct(3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})

	h.run(input())

	if len(calls.fetched) != 0 {
		t.Errorf("fetched %q", calls.fetched)
	}
}

package workflows_test

import (
	"errors"
	"testing"

	"github.com/hailurah/hailurah"
)

// TestClientKategoriKept: a ticket whose client chose a kategori (an
// Open311 service_code) starts in it; triage still suggests the urgency
// and the unit but does not replace the kategori, nor give it a
// subkategori of another; the moderator can still change it.
func TestClientKategoriKept(t *testing.T) {
	h := newHarness(t, start) // triage says lingkungan/drainase, urgency 3
	in := input()
	in.Channel, in.Kategori = hailurah.ChannelOpen311, hailurah.KategoriInfrastruktur
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	st := h.run(in)
	if st.Kategori != hailurah.KategoriInfrastruktur || st.Subkategori != "" || !st.Triaged || st.Urgency != 3 ||
		st.SuggestedUnit != h.Triage.Unit || st.Summary != h.Triage.Summary {
		t.Errorf("kept kategori: %+v", st)
	}

	h = newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify, Kategori: hailurah.KategoriSosial})
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	if st := h.run(in); st.Kategori != hailurah.KategoriSosial {
		t.Errorf("the moderator's kategori: %+v", st)
	}

	// Triage agreeing keeps its subkategori; triage failing keeps the kategori.
	h = newHarness(t, start)
	in.Kategori = hailurah.KategoriLingkungan
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	if st := h.run(in); st.Kategori != hailurah.KategoriLingkungan || st.Subkategori != "drainase" {
		t.Errorf("agreeing triage: %+v", st)
	}
	h = newHarness(t, start)
	h.TriageErr = errors.New("gemini down and rules crashed")
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	if st := h.run(in); st.Kategori != hailurah.KategoriLingkungan || st.Triaged {
		t.Errorf("failed triage: %+v", st)
	}

	// Without a kategori, triage's stands, as before.
	h = newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	if st := h.run(input()); st.Kategori != hailurah.KategoriLingkungan || st.Subkategori != "drainase" {
		t.Errorf("triage's kategori: %+v", st)
	}
}

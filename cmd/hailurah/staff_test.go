package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// The demo's staff numbers (seed.go), as Meta writes a wa_id.
const (
	lurahWA  = "6281130000001"
	puprWA   = "6281130000003"
	dinkesWA = "6281130000006"
)

// TestStaffByWhatsApp is issue 19's "done when" on the whole program with
// a fake Graph API: an urgency-5 curhat puts the [NOTIF] template on the
// lurah's phone, the assignment puts one on the unit's officer's, the PUPR
// officer cannot take the Dinkes task, the Dinkes officer accepts and
// finishes it from the phone with TERIMA and SELESAI, and no staff message
// becomes a ticket.
func TestStaffByWhatsApp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	e := startE2E(t)
	m, graph := e.m, e.graph
	ctx := context.Background()
	// Whatever the hour the test runs at.
	if err := m.DB.SetQuietHours(ctx, "taman", hailurah.QuietHours{}); err != nil {
		t.Fatal(err)
	}
	templates := func(wa string) []string {
		var names []string
		for _, s := range graph.to(wa) {
			if s.Template != nil {
				names = append(names, s.Template.Name)
			}
		}
		return names
	}
	last := func(wa string) string {
		sent := graph.to(wa)
		if len(sent) == 0 {
			return ""
		}
		return sent[len(sent)-1].body()
	}

	e.deliver(waDelivery(waEntry(e2eCityNumber, waText("wamid.GIZI", phoneA,
		"HAI LURAH Taman\nRT01/RW01 balita gizi buruk, berat badan turun terus dan lemas, keluarga tidak punya uang ke puskesmas."))))
	ids := e.tickets(phoneA)
	if len(ids) != 1 {
		t.Fatalf("tickets %v", ids)
	}
	id := ids[0]
	eventually(t, "the lurah's [NOTIF] template", func() bool {
		return strings.Contains(strings.Join(templates(lurahWA), " "), "hailurah_notif_staf")
	})

	// The simulated phone's outbox shows it for the staff number as for a
	// citizen's.
	if st, body := e.get("/api/v1/dev/outbox?to=" + url.QueryEscape("+"+lurahWA)); st != 200 ||
		!strings.Contains(body, `"kind":"staff_notice"`) || !strings.Contains(body, "[NOTIF] Tiket #"+id) {
		t.Fatalf("dev outbox of the lurah: %d %s", st, body)
	}

	// The moderator verifies and assigns the task to Dinkes.
	cases := &workflows.Client{Temporal: m.Temporal}
	mod, err := m.DB.FindUserByUsername(ctx, "moderator")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the ticket triaged", func() bool { return e.ticket(id).Status == hailurah.StatusOpen })
	for _, req := range []hailurah.ActionRequest{{Action: hailurah.ActionVerify}, {Action: hailurah.ActionAssign, Unit: "dinkes"}} {
		req.Actor = hailurah.ActorOf(mod)
		if _, err := cases.Act(ctx, id, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	eventually(t, "the Dinkes officer's [NOTIF] template", func() bool { return len(templates(dinkesWA)) > 0 })
	if got := templates(puprWA); len(got) != 0 {
		t.Fatalf("the PUPR officer was told of a Dinkes task: %v", got)
	}

	// The PUPR officer cannot take it; the Dinkes officer takes and ends it.
	e.deliver(waDelivery(waEntry(e2eCityNumber, waText("wamid.PUPR1", puprWA, "TERIMA "+id))))
	eventually(t, "the PUPR officer's refusal", func() bool { return strings.Contains(last(puprWA), "bukan wewenang Anda") })
	e.deliver(waDelivery(waEntry(e2eCityNumber, waText("wamid.DINKES1", dinkesWA, "TERIMA "+id))))
	eventually(t, "the task accepted", func() bool { return e.ticket(id).Status == hailurah.StatusInProgress })
	e.deliver(waDelivery(waEntry(e2eCityNumber, waImage("wamid.DINKES2", dinkesWA, "SELESAI "+id+" balita sudah diperiksa Puskesmas dan diberi PMT"))))
	eventually(t, "the task done", func() bool { return e.ticket(id).Status == hailurah.StatusAwaitingConfirmation })
	eventually(t, "the officer's confirmation", func() bool { return strings.Contains(last(dinkesWA), "tugas ditandai selesai") })
	done := e.events(id, hailurah.ActionDone)
	if len(done) != 1 || done[0].Actor != "dinas-dinkes" || !strings.Contains(done[0].Note, "PMT") ||
		len(done[0].Attachments) != 1 || done[0].Attachments[0] != "whatsapp-media:918273645546372" {
		t.Fatalf("done event: %+v", done)
	}
	e.deliver(waDelivery(waEntry(e2eCityNumber, waText("wamid.DINKES3", dinkesWA, "halo pak"))))
	eventually(t, "the help text", func() bool { return strings.Contains(last(dinkesWA), "Perintah yang dikenali") })

	for _, wa := range []string{lurahWA, puprWA, dinkesWA} {
		if ids := e.tickets(wa); len(ids) != 0 {
			t.Errorf("staff phone %s made tickets %v", wa, ids)
		}
	}
}

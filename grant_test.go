package hailurah_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

func TestGrantApplicationValidate(t *testing.T) {
	ok := hailurah.GrantApplication{HouseholdID: "TMN-001", Amount: 1_000_000, Purpose: hailurah.PurposeModal,
		Plan: "  Membeli stok kain untuk usaha jahit.  "}
	if err := ok.Validate(); err != nil || ok.Plan != "Membeli stok kain untuk usaha jahit." {
		t.Fatalf("valid application: %v (plan %q)", err, ok.Plan)
	}
	for field, app := range map[string]hailurah.GrantApplication{
		"household_id": {Amount: 2_000_000, Purpose: "alat", Plan: ok.Plan},
		"amount":       {HouseholdID: "X", Amount: 3_000_001, Purpose: "alat", Plan: ok.Plan},
		"purpose":      {HouseholdID: "X", Amount: 3_000_000, Purpose: "sewa", Plan: ok.Plan},
		"plan":         {HouseholdID: "X", Amount: 3_000_000, Purpose: "alat", Plan: "pendek"},
	} {
		err := app.Validate()
		if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	low := ok
	low.Amount = 999_999
	if hailurah.ErrorField(low.Validate()) != "amount" {
		t.Error("Rp 999.999 is below the range")
	}
}

func TestGrantActionRequestValidate(t *testing.T) {
	actor := hailurah.Actor{Username: "rina", Role: hailurah.RoleFasilitator, Kelurahan: "taman"}
	omzet, negative := int64(0), int64(-1)
	good := []hailurah.GrantActionRequest{
		{Action: hailurah.GrantActionVerify, Actor: actor, Notes: "Ada usaha."},
		{Action: hailurah.GrantActionApprove, Actor: actor},
		{Action: hailurah.GrantActionReject, Actor: actor, Reason: "Tidak layak."},
		{Action: hailurah.GrantActionDisburse, Actor: actor, Reference: "TRF-1"},
		{Action: hailurah.GrantActionProof, Actor: actor, Photos: []string{"/hibah/HB-1/foto/a.jpg"}},
		{Action: hailurah.GrantActionCheckin, Actor: actor, Omzet: &omzet},
	}
	for _, r := range good {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", r.Action, err)
		}
	}
	bad := map[string]hailurah.GrantActionRequest{
		"action":    {Action: "hapus", Actor: actor},
		"actor":     {Action: hailurah.GrantActionApprove},
		"notes":     {Action: hailurah.GrantActionVerify, Actor: actor, Notes: " "},
		"reason":    {Action: hailurah.GrantActionReject, Actor: actor},
		"reference": {Action: hailurah.GrantActionDisburse, Actor: actor, Reference: strings.Repeat("x", 101)},
		"photos":    {Action: hailurah.GrantActionProof, Actor: actor, Photos: []string{"a b.jpg"}},
		"omzet":     {Action: hailurah.GrantActionCheckin, Actor: actor, Omzet: &negative},
		"income":    {Action: hailurah.GrantActionCheckin, Actor: actor, Omzet: &omzet, Income: &negative},
	}
	for field, r := range bad {
		if err := r.Validate(); hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if err := (&hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Actor: actor}).Validate(); hailurah.ErrorField(err) != "photos" {
		t.Errorf("proof without a photo: %v", err)
	}
	if err := (&hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Actor: actor}).Validate(); hailurah.ErrorField(err) != "omzet" {
		t.Errorf("check-in without omzet: %v", err)
	}
}

func TestGrantStatuses(t *testing.T) {
	for _, s := range hailurah.GrantStatuses {
		if !s.Valid() || s.Label() == string(s) {
			t.Errorf("%s: valid %v label %q", s, s.Valid(), s.Label())
		}
		if s.Final() != (s == hailurah.GrantCompleted || s == hailurah.GrantRejected) {
			t.Errorf("%s final = %v", s, s.Final())
		}
	}
	if hailurah.GrantStatus("lost").Valid() {
		t.Error("unknown status is valid")
	}
}

func TestChangePct(t *testing.T) {
	for _, tt := range []struct {
		base, v int64
		want    float64
	}{{1_000_000, 1_250_000, 25}, {1_200_000, 1_500_000, 25}, {1_000_000, 0, -100}, {3, 4, 33.3}, {3, 2, -33.3}, {1_000_000, 1_000_000, 0}} {
		got := hailurah.ChangePct(tt.base, tt.v)
		if got == nil || *got != tt.want {
			t.Errorf("ChangePct(%d, %d) = %v, want %v", tt.base, tt.v, got, tt.want)
		}
	}
	if hailurah.ChangePct(0, 5) != nil {
		t.Error("no baseline has no change")
	}
}

func TestGrantPolicy(t *testing.T) {
	def := hailurah.DefaultGrantPolicy()
	if def.ProofDue != 14*24*time.Hour || def.AuditAfter != 30*24*time.Hour || len(def.Checkins) != 3 || def.Checkins[2] != 90*24*time.Hour {
		t.Fatalf("the seed's process: %+v", def)
	}
	p := hailurah.GrantPolicy{VerifySLA: time.Hour}.WithDefaults()
	if p.VerifySLA != time.Hour || p.ApproveSLA != def.ApproveSLA || p.Reminders != def.Reminders || len(p.Checkins) != 3 {
		t.Fatalf("defaults fill only zero values: %+v", p)
	}

	p, err := hailurah.ParseGrantPolicy("verify_sla=3d, approve_sla=36h,reminders=2,checkins=2s/4s/6s,checkin_window=1h")
	if err != nil {
		t.Fatal(err)
	}
	if p.VerifySLA != 72*time.Hour || p.ApproveSLA != 36*time.Hour || p.Reminders != 2 ||
		len(p.Checkins) != 3 || p.Checkins[1] != 4*time.Second || p.CheckinWindow != time.Hour || p.ProofDue != 0 {
		t.Fatalf("parsed: %+v", p)
	}
	if p, err := hailurah.ParseGrantPolicy(""); err != nil || p.WithDefaults().ProofDue != def.ProofDue {
		t.Fatalf("empty policy: %+v %v", p, err)
	}
	for in, field := range map[string]string{
		"proof_due=-1h": "proof_due", "reminders=0": "reminders", "checkins=60d/30d": "checkins",
		"audit_after=sebulan": "audit_after", "waktu=1h": "waktu", "checkins=30d/x": "checkins",
	} {
		if _, err := hailurah.ParseGrantPolicy(in); hailurah.ErrorField(err) != field {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestNextCheckin(t *testing.T) {
	now := time.Now()
	g := &hailurah.Grant{Checkins: []hailurah.GrantCheckin{{N: 1, At: &now}, {N: 2, Missed: true}, {N: 3}}}
	if c, ok := g.NextCheckin(); !ok || c.N != 3 {
		t.Fatalf("next: %+v %v", c, ok)
	}
	g.Checkins[2].At = &now
	if _, ok := g.NextCheckin(); ok {
		t.Fatal("all done")
	}
}

func TestGrantActionAllowedIn(t *testing.T) {
	tests := []struct {
		action string
		want   []hailurah.GrantStatus
	}{
		{hailurah.GrantActionVerify, []hailurah.GrantStatus{hailurah.GrantApplied}},
		{hailurah.GrantActionApprove, []hailurah.GrantStatus{hailurah.GrantVerified}},
		{hailurah.GrantActionReject, []hailurah.GrantStatus{hailurah.GrantApplied, hailurah.GrantVerified}},
		// Recording the disbursement again is answered in every status after it.
		{hailurah.GrantActionDisburse, []hailurah.GrantStatus{hailurah.GrantApproved, hailurah.GrantDisbursed, hailurah.GrantInUse, hailurah.GrantCompleted}},
		{hailurah.GrantActionProof, []hailurah.GrantStatus{hailurah.GrantDisbursed}},
		{hailurah.GrantActionCheckin, []hailurah.GrantStatus{hailurah.GrantDisbursed, hailurah.GrantInUse}},
		{"fly", nil},
	}
	for _, tt := range tests {
		for _, s := range hailurah.GrantStatuses {
			if got, want := hailurah.GrantActionAllowedIn(tt.action, s), slices.Contains(tt.want, s); got != want {
				t.Errorf("GrantActionAllowedIn(%s, %s) = %v, want %v", tt.action, s, got, want)
			}
		}
	}
}

func TestGrantActionRequestAuthorize(t *testing.T) {
	fasil := hailurah.Actor{Username: "f", Role: hailurah.RoleFasilitator, Kelurahan: "taman"}
	lurah := hailurah.Actor{Username: "l", Role: hailurah.RoleLurah, Kelurahan: "taman"}
	admin := hailurah.Actor{Username: "a", Role: hailurah.RoleAdmin}
	mod := hailurah.Actor{Username: "m", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	tests := []struct {
		actor     hailurah.Actor
		action    string
		kelurahan string
		want      string // "" allowed, else the refusal
	}{
		{fasil, hailurah.GrantActionVerify, "taman", ""},
		{fasil, hailurah.GrantActionProof, "taman", ""},
		{fasil, hailurah.GrantActionCheckin, "taman", ""},
		{fasil, hailurah.GrantActionApprove, "taman", "Persetujuan dan penolakan hibah ditandatangani Lurah."},
		{fasil, hailurah.GrantActionVerify, "demangan", "Hibah ini bukan milik kelurahan Anda."},
		{lurah, hailurah.GrantActionApprove, "taman", ""},
		{lurah, hailurah.GrantActionReject, "taman", ""},
		{lurah, hailurah.GrantActionDisburse, "taman", ""},
		{lurah, hailurah.GrantActionCheckin, "taman", "Verifikasi, bukti penggunaan dan check-in dicatat oleh fasilitator kelurahan."},
		{admin, hailurah.GrantActionDisburse, "demangan", ""},
		{admin, hailurah.GrantActionApprove, "taman", "Persetujuan dan penolakan hibah ditandatangani Lurah."},
		{admin, "fly", "taman", "Peran Admin tidak dapat melakukan aksi fly pada hibah."},
		{mod, hailurah.GrantActionVerify, "taman", "Peran Moderator tidak menangani hibah."},
	}
	for _, tt := range tests {
		req := hailurah.GrantActionRequest{Action: tt.action, Actor: tt.actor}
		err := req.Authorize(tt.kelurahan)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s %s on %s refused: %v", tt.actor.Role, tt.action, tt.kelurahan, err)
		case tt.want != "" && (hailurah.ErrorCode(err) != hailurah.EFORBIDDEN || hailurah.ErrorMessage(err) != tt.want):
			t.Errorf("%s %s on %s: got %v, want EFORBIDDEN %q", tt.actor.Role, tt.action, tt.kelurahan, err, tt.want)
		}
	}
}

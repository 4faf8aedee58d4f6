package store_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	mustOK(t, json.Unmarshal([]byte(a), &x))
	mustOK(t, json.Unmarshal([]byte(b), &y))
	return reflect.DeepEqual(x, y)
}

func TestAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		login := &hailurah.AuditEntry{Actor: "budi", Action: "login", IP: "203.0.113.7"}
		mustOK(t, db.Audit(ctx, login))
		if login.ID <= 0 || !login.At.Equal(c.Now()) {
			t.Fatalf("Audit set ID %d and At %v", login.ID, login.At)
		}
		c.Advance(time.Minute)
		assign := &hailurah.AuditEntry{Actor: "budi", Action: "ticket.assign", Target: "HL-2026-000123",
			Detail: `{"unit": "pupr",  "note":"jalan berlubang", "urgency": 4}`}
		mustOK(t, db.Audit(ctx, assign))
		earlier := time.Date(2026, 3, 1, 23, 0, 0, 0, time.FixedZone("WIB", 7*3600))
		imported := &hailurah.AuditEntry{Actor: "system", Action: "import", At: earlier}
		mustOK(t, db.Audit(ctx, imported))
		if !imported.At.Equal(earlier) || imported.At.Location() != time.UTC {
			t.Fatalf("At = %v, want the given time %v in UTC", imported.At, earlier)
		}

		entries, err := db.ListAudit(ctx, 0, 0)
		mustOK(t, err)
		if len(entries) != 3 {
			t.Fatalf("ListAudit returned %d entries, want 3", len(entries))
		}
		if entries[0].ID != imported.ID || entries[1].ID != assign.ID || entries[2].ID != login.ID {
			t.Fatalf("ListAudit is not newest first: %+v", entries)
		}
		got := entries[1]
		if got.Actor != "budi" || got.Action != "ticket.assign" || got.Target != "HL-2026-000123" || !got.At.Equal(assign.At) {
			t.Fatalf("entry = %+v", got)
		}
		if !sameJSON(t, got.Detail, assign.Detail) || strings.Contains(got.Detail, "  ") {
			t.Fatalf("Detail = %q, want compact JSON equal to %q", got.Detail, assign.Detail)
		}
		if entries[2].Detail != "" || entries[2].IP != "203.0.113.7" {
			t.Fatalf("login entry = %+v", entries[2])
		}
	})
}

func TestListAuditPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var ids []int64
		for range 5 {
			e := &hailurah.AuditEntry{Actor: "system", Action: "test"}
			mustOK(t, db.Audit(ctx, e))
			ids = append(ids, e.ID)
		}
		page1, err := db.ListAudit(ctx, 2, 0)
		mustOK(t, err)
		page2, err := db.ListAudit(ctx, 2, page1[len(page1)-1].ID)
		mustOK(t, err)
		page3, err := db.ListAudit(ctx, 2, page2[len(page2)-1].ID)
		mustOK(t, err)
		var got []int64
		for _, p := range [][]*hailurah.AuditEntry{page1, page2, page3} {
			for _, e := range p {
				got = append(got, e.ID)
			}
		}
		want := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}
		if !reflect.DeepEqual(got, want) || len(page3) != 1 {
			t.Fatalf("pages = %v, want %v in pages of 2, 2 and 1", got, want)
		}

		for _, limit := range []int{-1, 1001} {
			_, err := db.ListAudit(ctx, limit, 0)
			wantCode(t, err, hailurah.EINVALID, "limit")
		}
		_, err = db.ListAudit(ctx, 10, -1)
		wantCode(t, err, hailurah.EINVALID, "before_id")
	})
}

func TestAuditInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e     hailurah.AuditEntry
		field string
	}{
		{hailurah.AuditEntry{Action: "login"}, "actor"},
		{hailurah.AuditEntry{Actor: "budi"}, "action"},
		{hailurah.AuditEntry{Actor: "budi", Action: "login", Detail: "{not json"}, "detail"},
		{hailurah.AuditEntry{Actor: "budi", Action: "login", Detail: `{"x":"\u0000"}`}, "detail"},
		{hailurah.AuditEntry{Actor: "budi", Action: "login", Detail: `"` + strings.Repeat("x", 70000) + `"`}, "detail"},
		{hailurah.AuditEntry{Actor: "budi", Action: "login", Target: strings.Repeat("t", 201)}, "target"},
		{hailurah.AuditEntry{Actor: "budi", Action: "login", IP: strings.Repeat("1", 65)}, "ip"},
		{hailurah.AuditEntry{Actor: "bu\x00di", Action: "login"}, "actor"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			e := tt.e
			wantCode(t, db.Audit(t.Context(), &e), hailurah.EINVALID, tt.field)
		}
		wantCode(t, db.Audit(t.Context(), nil), hailurah.EINVALID, "")
		entries, err := db.ListAudit(t.Context(), 0, 0)
		mustOK(t, err)
		if len(entries) != 0 {
			t.Fatalf("rejected entries were stored: %+v", entries)
		}
	})
}

// TestAuditLogAppendOnly checks that the database itself refuses to change
// or remove audit rows, whoever asks.
func TestAuditLogAppendOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		e := &hailurah.AuditEntry{Actor: "budi", Action: "export", Target: "tickets.csv"}
		mustOK(t, db.Audit(ctx, e))

		statements := []string{
			"UPDATE audit_log SET actor = 'someone-else'",
			"UPDATE audit_log SET detail = NULL WHERE id = ?",
			"DELETE FROM audit_log WHERE id = ?",
			"DELETE FROM audit_log",
		}
		if db.Dialect() == store.DialectPostgres {
			statements = append(statements, "TRUNCATE audit_log")
		}
		for _, sql := range statements {
			var err error
			if strings.Contains(sql, "?") {
				err = db.Gorm().WithContext(ctx).Exec(sql, e.ID).Error
			} else {
				err = db.Gorm().WithContext(ctx).Exec(sql).Error
			}
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want the append-only error", sql, err)
			}
		}
		entries, err := db.ListAudit(ctx, 0, 0)
		mustOK(t, err)
		if len(entries) != 1 || entries[0].Actor != "budi" || entries[0].Target != "tickets.csv" {
			t.Fatalf("audit log changed: %+v", entries)
		}
	})
}

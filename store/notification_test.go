package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// staff creates the users of the notification tests: in Taman a lurah, two
// moderators (one disabled) and a fasilitator; a moderator of Nambangan
// (which has no lurah account); two PUPR officers, one DLH officer and two
// admins. It returns them by username.
func staff(t *testing.T, db *store.DB) map[string]*hailurah.User {
	t.Helper()
	seed(t, db)
	users := map[string]*hailurah.User{}
	for _, u := range []struct {
		name      string
		role      hailurah.Role
		kel, unit string
	}{
		{"lurah-taman", hailurah.RoleLurah, "taman", ""},
		{"mod1-taman", hailurah.RoleModerator, "taman", ""},
		{"mod2-taman", hailurah.RoleModerator, "taman", ""},
		{"fas-taman", hailurah.RoleFasilitator, "taman", ""},
		{"mod-nambangan", hailurah.RoleModerator, "nambangan", ""},
		{"pupr1", hailurah.RoleDinas, "", "pupr"},
		{"pupr2", hailurah.RoleDinas, "", "pupr"},
		{"dlh1", hailurah.RoleDinas, "", "dlh"},
		{"admin1", hailurah.RoleAdmin, "", ""},
		{"admin2", hailurah.RoleAdmin, "", ""},
	} {
		users[u.name] = mustUser(t, db, u.name, u.role, u.kel, u.unit)
	}
	mustOK(t, db.SetDisabled(t.Context(), users["mod2-taman"].ID, true))
	return users
}

// inbox returns the usernames holding a notification with the key.
func inbox(t *testing.T, db *store.DB, key string) []string {
	t.Helper()
	var names []string
	mustOK(t, db.Gorm().Raw("SELECT username FROM notifications WHERE idempotency_key = ? ORDER BY username", key).Scan(&names).Error)
	return names
}

func TestNotify(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		users := staff(t, db)
		tests := []struct {
			key  string
			to   hailurah.Audience
			want []string
		}{
			{"k/lurah-taman", hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "taman"}, []string{"lurah-taman"}},
			// The disabled moderator gets nothing; the fasilitator is not a moderator.
			{"k/mod-taman", hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: "taman"}, []string{"mod1-taman"}},
			{"k/mod-nambangan", hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: "nambangan"}, []string{"mod-nambangan"}},
			// No lurah account yet: nobody, and no error.
			{"k/lurah-nambangan", hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "nambangan"}, nil},
			{"k/lurah-atlantis", hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "atlantis"}, nil},
			{"k/dinas-pupr", hailurah.Audience{Role: hailurah.RoleDinas, Unit: "pupr"}, []string{"pupr1", "pupr2"}},
			{"k/admin", hailurah.Audience{Role: hailurah.RoleAdmin}, []string{"admin1", "admin2"}},
		}
		for _, tt := range tests {
			n := &hailurah.Notification{IdempotencyKey: tt.key, To: tt.to, TicketID: "HL-2026-000001",
				Kind: hailurah.NotifyEscalation, Title: "Eskalasi", Body: "Tiket urgensi 5", Link: "/tiket/HL-2026-000001"}
			before := *n
			got, err := db.Notify(ctx, n)
			mustOK(t, err)
			if got != len(tt.want) {
				t.Errorf("Notify(%+v) stored %d, want %d", tt.to, got, len(tt.want))
			}
			if !reflect.DeepEqual(*n, before) {
				t.Errorf("Notify changed its argument: %+v", n)
			}
			if names := inbox(t, db, tt.key); !slices.Equal(names, tt.want) {
				t.Errorf("Notify(%+v) reached %v, want %v", tt.to, names, tt.want)
			}
			// Retries store nothing.
			for range 2 {
				again, err := db.Notify(ctx, n)
				mustOK(t, err)
				if again != 0 {
					t.Errorf("retry of %s stored %d", tt.key, again)
				}
			}
			if names := inbox(t, db, tt.key); !slices.Equal(names, tt.want) {
				t.Errorf("after retries %s reached %v, want %v", tt.key, names, tt.want)
			}
		}

		// A user who joins the audience later gets the copy a retry carries,
		// and nobody gets a second one.
		mustOK(t, db.SetDisabled(ctx, users["mod2-taman"].ID, false))
		n := &hailurah.Notification{IdempotencyKey: "k/mod-taman", To: hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: "taman"}, Title: "x"}
		got, err := db.Notify(ctx, n)
		mustOK(t, err)
		if got != 1 || !slices.Equal(inbox(t, db, "k/mod-taman"), []string{"mod1-taman", "mod2-taman"}) {
			t.Fatalf("after enabling mod2: stored %d, inbox %v", got, inbox(t, db, "k/mod-taman"))
		}
	})
}

func TestNotifyInvalid(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		staff(t, db)
		for _, to := range []hailurah.Audience{
			{},
			{Role: hailurah.RoleLurah},
			{Role: hailurah.RoleModerator},
			{Role: hailurah.RoleModerator, Kelurahan: "taman", Unit: "pupr"},
			{Role: hailurah.RoleDinas},
			{Role: hailurah.RoleDinas, Kelurahan: "taman"},
			{Role: hailurah.RoleDinas, Unit: "pupr", Kelurahan: "taman"},
			{Role: hailurah.RoleAdmin, Kelurahan: "taman"},
			{Role: hailurah.RoleAdmin, Unit: "pupr"},
			{Role: hailurah.RoleFasilitator},
			{Role: hailurah.RoleFasilitator, Unit: "pupr"},
			{Role: "superuser"},
			{Kelurahan: "taman"},
		} {
			_, err := db.Notify(ctx, &hailurah.Notification{IdempotencyKey: "k", To: to, Title: "x"})
			if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != "to" {
				t.Errorf("audience %+v: got %v, want EINVALID on to", to, err)
			}
		}
		_, err := db.Notify(ctx, &hailurah.Notification{To: hailurah.Audience{Role: hailurah.RoleAdmin}, Title: "x"})
		wantCode(t, err, hailurah.EINVALID, "idempotency_key")
		_, err = db.Notify(ctx, &hailurah.Notification{IdempotencyKey: "k", To: hailurah.Audience{Role: hailurah.RoleAdmin}, Body: "\x00"})
		wantCode(t, err, hailurah.EINVALID, "body")
		_, err = db.Notify(ctx, nil)
		wantCode(t, err, hailurah.EINVALID, "")
		var n int64
		mustOK(t, db.Gorm().Raw("SELECT count(*) FROM notifications").Scan(&n).Error)
		if n != 0 {
			t.Fatalf("rejected notifications stored %d rows", n)
		}
	})
}

// TestNotifyConcurrent runs one notification from several activities at
// once: each user ends up with one copy and the counts add up.
func TestNotifyConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		staff(t, db)
		const n = 8
		counts := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				counts[i], errs[i] = db.Notify(t.Context(), &hailurah.Notification{IdempotencyKey: "race",
					To: hailurah.Audience{Role: hailurah.RoleDinas, Unit: "pupr"}, Title: "x"})
			})
		}
		close(start)
		wg.Wait()
		total := 0
		for i := range n {
			mustOK(t, errs[i])
			total += counts[i]
		}
		if total != 2 || !slices.Equal(inbox(t, db, "race"), []string{"pupr1", "pupr2"}) {
			t.Fatalf("stored %d in total, inbox %v; want 2, pupr1 and pupr2", total, inbox(t, db, "race"))
		}
	})
}

func TestNotificationReader(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		staff(t, db)
		notify := func(key string, to hailurah.Audience) {
			t.Helper()
			_, err := db.Notify(ctx, &hailurah.Notification{IdempotencyKey: key, To: to, TicketID: "HL-2026-000007",
				Kind: hailurah.NotifyAssigned, Title: "Tugas baru " + key, Body: "Isi " + key, Link: "/tiket/HL-2026-000007"})
			mustOK(t, err)
		}
		pupr := hailurah.Audience{Role: hailurah.RoleDinas, Unit: "pupr"}
		admin := hailurah.Audience{Role: hailurah.RoleAdmin}
		notify("a", pupr)
		c.Advance(time.Minute)
		notify("b", pupr)
		notify("c", pupr) // same instant as b: newer by id
		c.Advance(time.Minute)
		notify("d", admin)
		// A notification without a ticket (the weekly digest).
		_, err := db.Notify(ctx, &hailurah.Notification{IdempotencyKey: "digest", To: pupr, Kind: hailurah.NotifyDigest, Title: "Ringkasan"})
		mustOK(t, err)

		list, err := db.ListNotifications(ctx, "pupr1", 0)
		mustOK(t, err)
		var keys []string
		for _, n := range list {
			keys = append(keys, n.IdempotencyKey)
			if n.Username != "pupr1" {
				t.Fatalf("pupr1's list holds %s's notification", n.Username)
			}
		}
		if fmt.Sprint(keys) != "[digest c b a]" {
			t.Fatalf("pupr1's notifications = %v, want newest first [digest c b a]", keys)
		}
		want := hailurah.Notification{ID: list[1].ID, IdempotencyKey: "c", To: pupr, Username: "pupr1", TicketID: "HL-2026-000007",
			Kind: hailurah.NotifyAssigned, Title: "Tugas baru c", Body: "Isi c", Link: "/tiket/HL-2026-000007",
			CreatedAt: t0.Add(time.Minute)}
		if !reflect.DeepEqual(*list[1], want) {
			t.Fatalf("notification = %+v, want %+v", list[1], want)
		}
		if list[0].TicketID != "" {
			t.Fatalf("digest has ticket %q", list[0].TicketID)
		}
		if list, err := db.ListNotifications(ctx, "pupr1", 2); err != nil || len(list) != 2 || list[0].IdempotencyKey != "digest" || list[1].IdempotencyKey != "c" {
			t.Fatalf("limit 2: %v, %v", list, err)
		}
		for _, limit := range []int{-1, 1000} {
			if list, err := db.ListNotifications(ctx, "pupr1", limit); err != nil || len(list) != 4 {
				t.Fatalf("limit %d: %d notifications, %v", limit, len(list), err)
			}
		}
		if list, err := db.ListNotifications(ctx, "nobody", 0); err != nil || len(list) != 0 {
			t.Fatalf("unknown user: %v, %v", list, err)
		}

		unread := func(username string) int {
			t.Helper()
			n, err := db.UnreadCount(ctx, username)
			mustOK(t, err)
			return n
		}
		if unread("pupr1") != 4 || unread("pupr2") != 4 || unread("admin1") != 1 || unread("dlh1") != 0 {
			t.Fatalf("unread: pupr1 %d, pupr2 %d, admin1 %d, dlh1 %d", unread("pupr1"), unread("pupr2"), unread("admin1"), unread("dlh1"))
		}

		// Ids of other users' notifications are ignored.
		p2, err := db.ListNotifications(ctx, "pupr2", 0)
		mustOK(t, err)
		a1, err := db.ListNotifications(ctx, "admin1", 0)
		mustOK(t, err)
		mustOK(t, db.MarkNotificationsRead(ctx, "pupr1", []int64{p2[0].ID, p2[1].ID, a1[0].ID, 987654}))
		if unread("pupr1") != 4 || unread("pupr2") != 4 || unread("admin1") != 1 {
			t.Fatal("marking other users' ids changed someone's unread count")
		}

		// Marking some of one's own.
		c.Advance(time.Hour)
		firstRead := c.Now()
		mustOK(t, db.MarkNotificationsRead(ctx, "pupr1", []int64{list[1].ID, list[3].ID, p2[0].ID}))
		if unread("pupr1") != 2 || unread("pupr2") != 4 {
			t.Fatalf("after marking two: pupr1 %d unread, pupr2 %d", unread("pupr1"), unread("pupr2"))
		}
		// No ids: all of them; the two read before keep their first time.
		c.Advance(time.Hour)
		mustOK(t, db.MarkNotificationsRead(ctx, "pupr1", nil))
		if unread("pupr1") != 0 || unread("pupr2") != 4 || unread("admin1") != 1 {
			t.Fatalf("after marking all: pupr1 %d, pupr2 %d, admin1 %d", unread("pupr1"), unread("pupr2"), unread("admin1"))
		}
		after, err := db.ListNotifications(ctx, "pupr1", 0)
		mustOK(t, err)
		for i, n := range after {
			want := c.Now()
			if i == 1 || i == 3 {
				want = firstRead
			}
			if n.ReadAt == nil || !n.ReadAt.Equal(want) {
				t.Errorf("notification %s read at %v, want %v", n.IdempotencyKey, n.ReadAt, want)
			}
		}
		mustOK(t, db.MarkNotificationsRead(ctx, "nobody", nil))
		mustOK(t, db.MarkNotificationsRead(ctx, "pupr2", []int64{}))
		if unread("pupr2") != 0 || unread("admin1") != 1 {
			t.Fatalf("empty id list: pupr2 %d unread (want 0), admin1 %d (want 1)", unread("pupr2"), unread("admin1"))
		}
	})
}

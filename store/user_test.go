package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		seed(t, db)
		users := []*hailurah.User{
			{Username: "admin", Name: "Data Officer", Role: hailurah.RoleAdmin},
			{Username: "mod.taman", Name: "Sri", Role: hailurah.RoleModerator, Kelurahan: "taman"},
			{Username: "fas_taman", Name: "Agus", Role: hailurah.RoleFasilitator, Kelurahan: "taman"},
			{Username: "lurah-taman", Name: "Ibu Lurah", Role: hailurah.RoleLurah, Kelurahan: "taman"},
			{Username: "pupr1", Name: "Petugas PUPR", Role: hailurah.RoleDinas, Unit: "pupr"},
		}
		seen := map[int64]bool{}
		for _, u := range users {
			mustOK(t, db.CreateUser(ctx, u, testPassword))
			if u.ID <= 0 || seen[u.ID] {
				t.Fatalf("%s got id %d", u.Username, u.ID)
			}
			seen[u.ID] = true
			if !u.CreatedAt.Equal(c.Now()) {
				t.Fatalf("%s CreatedAt = %v, want %v", u.Username, u.CreatedAt, c.Now())
			}
			got, err := db.FindUserByID(ctx, u.ID)
			mustOK(t, err)
			if *got != *u {
				t.Fatalf("FindUserByID = %+v, want %+v", got, u)
			}
			got, err = db.FindUserByUsername(ctx, u.Username)
			mustOK(t, err)
			if *got != *u {
				t.Fatalf("FindUserByUsername = %+v, want %+v", got, u)
			}
		}

		// The password is stored as a bcrypt hash, never as given.
		var hash string
		mustOK(t, db.Gorm().Raw("SELECT password_hash FROM users WHERE username = ?", "admin").Scan(&hash).Error)
		if !strings.HasPrefix(hash, "$2a$1") || strings.Contains(hash, testPassword) {
			t.Fatalf("password_hash %q is not a bcrypt hash of cost 10 or more", hash)
		}
	})
}

func TestCreateUserInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		user     hailurah.User
		password string
		field    string
	}{
		{"moderator without kelurahan", hailurah.User{Username: "m", Name: "M", Role: hailurah.RoleModerator}, testPassword, "kelurahan"},
		{"lurah with a unit", hailurah.User{Username: "l", Name: "L", Role: hailurah.RoleLurah, Kelurahan: "taman", Unit: "pupr"}, testPassword, "unit"},
		{"dinas without unit", hailurah.User{Username: "d", Name: "D", Role: hailurah.RoleDinas}, testPassword, "unit"},
		{"admin with kelurahan", hailurah.User{Username: "a", Name: "A", Role: hailurah.RoleAdmin, Kelurahan: "taman"}, testPassword, "role"},
		{"nonexistent kelurahan", hailurah.User{Username: "m", Name: "M", Role: hailurah.RoleModerator, Kelurahan: "atlantis"}, testPassword, "kelurahan"},
		{"nonexistent unit", hailurah.User{Username: "d", Name: "D", Role: hailurah.RoleDinas, Unit: "nasa"}, testPassword, "unit"},
		{"unknown role", hailurah.User{Username: "x", Name: "X", Role: "superuser"}, testPassword, "role"},
		{"empty username", hailurah.User{Name: "X", Role: hailurah.RoleAdmin}, testPassword, "username"},
		{"uppercase username", hailurah.User{Username: "Budi", Name: "Budi", Role: hailurah.RoleAdmin}, testPassword, "username"},
		{"blank name", hailurah.User{Username: "budi", Name: " ", Role: hailurah.RoleAdmin}, testPassword, "name"},
		{"short password", hailurah.User{Username: "budi", Name: "Budi", Role: hailurah.RoleAdmin}, "1234567", "password"},
		{"short password in runes", hailurah.User{Username: "budi", Name: "Budi", Role: hailurah.RoleAdmin}, "ééééééé", "password"},
		{"password over 72 bytes", hailurah.User{Username: "budi", Name: "Budi", Role: hailurah.RoleAdmin}, strings.Repeat("x", 73), "password"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		for _, tt := range tests {
			u := tt.user
			err := db.CreateUser(t.Context(), &u, tt.password)
			if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != tt.field {
				t.Errorf("%s: got %v, want EINVALID on field %s", tt.name, err, tt.field)
			}
			if u.ID != 0 {
				t.Errorf("%s: rejected user got id %d", tt.name, u.ID)
			}
		}
		wantCode(t, db.CreateUser(t.Context(), nil, testPassword), hailurah.EINVALID, "")
		all, err := db.ListUsers(t.Context(), hailurah.UserFilter{})
		mustOK(t, err)
		if len(all) != 0 {
			t.Fatalf("rejected users were stored: %+v", all)
		}
		// A password of exactly 8 characters is long enough.
		mustUserPw(t, db, "budi", "12345678")
	})
}

func mustUserPw(t *testing.T, db *store.DB, username, password string) {
	t.Helper()
	mustOK(t, db.CreateUser(t.Context(), &hailurah.User{Username: username, Name: "X", Role: hailurah.RoleAdmin}, password))
}

func TestCreateUserDuplicateUsername(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		first := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		dup := &hailurah.User{Username: "budi", Name: "Budi Lain", Role: hailurah.RoleModerator, Kelurahan: "taman"}
		wantCode(t, db.CreateUser(t.Context(), dup, "lain-lagi-123"), hailurah.ECONFLICT, "username")
		got, err := db.FindUserByUsername(t.Context(), "budi")
		mustOK(t, err)
		if got.ID != first.ID || got.Role != hailurah.RoleAdmin {
			t.Fatalf("duplicate changed the first user: %+v", got)
		}
	})
}

func TestFindUserNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := db.FindUserByID(t.Context(), 12345)
		wantCode(t, err, hailurah.ENOTFOUND, "")
		_, err = db.FindUserByUsername(t.Context(), "nobody")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		mustUser(t, db, "admin", hailurah.RoleAdmin, "", "")
		mustUser(t, db, "mod-taman", hailurah.RoleModerator, "taman", "")
		mustUser(t, db, "mod-nambangan", hailurah.RoleModerator, "nambangan", "")
		mustUser(t, db, "lurah-taman", hailurah.RoleLurah, "taman", "")
		mustUser(t, db, "pupr1", hailurah.RoleDinas, "", "pupr")
		mustUser(t, db, "dlh1", hailurah.RoleDinas, "", "dlh")

		tests := []struct {
			filter hailurah.UserFilter
			want   string
		}{
			{hailurah.UserFilter{}, "admin,dlh1,lurah-taman,mod-nambangan,mod-taman,pupr1"},
			{hailurah.UserFilter{Role: hailurah.RoleModerator}, "mod-nambangan,mod-taman"},
			{hailurah.UserFilter{Kelurahan: "taman"}, "lurah-taman,mod-taman"},
			{hailurah.UserFilter{Role: hailurah.RoleModerator, Kelurahan: "taman"}, "mod-taman"},
			{hailurah.UserFilter{Unit: "pupr"}, "pupr1"},
			{hailurah.UserFilter{Kelurahan: "demangan"}, ""},
		}
		for _, tt := range tests {
			users, err := db.ListUsers(t.Context(), tt.filter)
			mustOK(t, err)
			var names []string
			for _, u := range users {
				names = append(names, u.Username)
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("ListUsers(%+v) = %s, want %s", tt.filter, got, tt.want)
			}
		}
		_, err := db.ListUsers(t.Context(), hailurah.UserFilter{Role: "superuser"})
		wantCode(t, err, hailurah.EINVALID, "role")
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		u := mustUser(t, db, "budi", hailurah.RoleModerator, "taman", "")

		got, err := db.Authenticate(ctx, "budi", testPassword)
		mustOK(t, err)
		if *got != *u {
			t.Fatalf("Authenticate = %+v, want %+v", got, u)
		}
		got, err = db.Authenticate(ctx, "  BUDI ", testPassword)
		mustOK(t, err)
		if got.ID != u.ID {
			t.Fatalf("Authenticate with case and spaces returned user %d", got.ID)
		}

		_, err = db.Authenticate(ctx, "budi", "salah-sandi")
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		_, err = db.Authenticate(ctx, "budi", "")
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		_, err = db.Authenticate(ctx, "siapa", testPassword)
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		_, err = db.Authenticate(ctx, "", "")
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")

		mustOK(t, db.SetDisabled(ctx, u.ID, true))
		_, err = db.Authenticate(ctx, "budi", testPassword)
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		mustOK(t, db.SetDisabled(ctx, u.ID, false))
		_, err = db.Authenticate(ctx, "budi", testPassword)
		mustOK(t, err)
	})
}

// TestAuthenticateTiming checks that an unknown username is not answered
// faster than a wrong password: without the comparison against a dummy
// hash it returns in well under a millisecond while bcrypt takes tens.
// Minimums of several runs keep a busy machine from failing it.
func TestAuthenticateTiming(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
	fastest := func(username string) time.Duration {
		best := time.Hour
		for range 5 {
			start := time.Now()
			_, err := db.Authenticate(t.Context(), username, "salah-sandi")
			d := time.Since(start)
			wantCode(t, err, hailurah.EUNAUTHORIZED, "")
			best = min(best, d)
		}
		return best
	}
	wrong, unknown := fastest("budi"), fastest("siapa")
	if unknown < wrong/3 {
		t.Fatalf("unknown user took %v, wrong password %v: the difference reveals which usernames exist", unknown, wrong)
	}
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		mustOK(t, db.SetPassword(ctx, u.ID, "sandi-baru-456"))
		_, err := db.Authenticate(ctx, "budi", testPassword)
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		_, err = db.Authenticate(ctx, "budi", "sandi-baru-456")
		mustOK(t, err)

		wantCode(t, db.SetPassword(ctx, u.ID, "pendek"), hailurah.EINVALID, "password")
		wantCode(t, db.SetPassword(ctx, 98765, "sandi-baru-456"), hailurah.ENOTFOUND, "")
		_, err = db.Authenticate(ctx, "budi", "sandi-baru-456")
		mustOK(t, err)
	})
}

func TestSetDisabled(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		u := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		other := mustUser(t, db, "siti", hailurah.RoleAdmin, "", "")
		s := newSession(t, db, u.ID, c.Now().Add(time.Hour))
		o := newSession(t, db, other.ID, c.Now().Add(time.Hour))

		mustOK(t, db.SetDisabled(ctx, u.ID, true))
		got, err := db.FindUserByID(ctx, u.ID)
		mustOK(t, err)
		if !got.Disabled {
			t.Fatal("user not disabled")
		}
		// Disabling logs the user out everywhere, and only that user.
		_, err = db.FindSession(ctx, s.ID, c.Now())
		wantCode(t, err, hailurah.ENOTFOUND, "")
		_, err = db.FindSession(ctx, o.ID, c.Now())
		mustOK(t, err)

		mustOK(t, db.SetDisabled(ctx, u.ID, false))
		got, err = db.FindUserByID(ctx, u.ID)
		mustOK(t, err)
		if got.Disabled {
			t.Fatal("user still disabled")
		}
		wantCode(t, db.SetDisabled(ctx, 98765, true), hailurah.ENOTFOUND, "")
	})
}

// TestUsersRoleScopeConstraint checks the schema's own CHECK, which guards
// rows that do not come through CreateUser.
func TestUsersRoleScopeConstraint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		insert := func(username, role string, kelurahan, unit any) error {
			return db.Gorm().Exec(`INSERT INTO users (username, name, password_hash, role, kelurahan_code, unit_code, created_at, updated_at)
				VALUES (?, 'x', 'x', ?, ?, ?, ?, ?)`, username, role, kelurahan, unit, time.Now().UTC(), time.Now().UTC()).Error
		}
		bad := []struct {
			role            string
			kelurahan, unit any
		}{
			{"moderator", nil, nil},
			{"moderator", "taman", "pupr"},
			{"fasilitator", nil, "pupr"},
			{"lurah", nil, nil},
			{"dinas", nil, nil},
			{"dinas", "taman", "pupr"},
			{"admin", "taman", nil},
			{"admin", nil, "pupr"},
			{"superuser", nil, nil},
		}
		for i, b := range bad {
			if err := insert("bad"+string(rune('a'+i)), b.role, b.kelurahan, b.unit); err == nil {
				t.Errorf("row role=%s kelurahan=%v unit=%v was accepted", b.role, b.kelurahan, b.unit)
			}
		}
		if err := insert("fk", "moderator", "atlantis", nil); err == nil {
			t.Error("row with a nonexistent kelurahan was accepted")
		}
		// The same statement with fitting values works, so the rejections
		// above come from the constraints.
		mustOK(t, insert("ok1", "moderator", "taman", nil))
		mustOK(t, insert("ok2", "dinas", nil, "pupr"))
		mustOK(t, insert("ok3", "admin", nil, nil))
	})
}

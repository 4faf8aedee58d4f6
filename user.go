package hailurah

import (
	"context"
	"strings"
	"time"
)

// Role is what a staff user may do. Citizens (warga) have no login.
type Role string

const (
	RoleAdmin       Role = "admin"       // the city's data officer: sees all
	RoleModerator   Role = "moderator"   // works one kelurahan's case queue
	RoleDinas       Role = "dinas"       // officer of one city-wide unit
	RoleFasilitator Role = "fasilitator" // field facilitator of one kelurahan
	RoleLurah       Role = "lurah"       // head of one kelurahan
)

// Roles lists every role, in the order the UI shows them.
var Roles = []Role{RoleAdmin, RoleModerator, RoleDinas, RoleFasilitator, RoleLurah}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the role's name in Bahasa Indonesia.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleModerator:
		return "Moderator"
	case RoleDinas:
		return "Petugas Dinas"
	case RoleFasilitator:
		return "Fasilitator"
	case RoleLurah:
		return "Lurah"
	}
	return string(r)
}

// User is a staff member. Moderators, fasilitator and the lurah belong to one
// kelurahan; dinas officers to one unit; admin to neither.
type User struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	Role      Role   `json:"role"`
	Kelurahan string `json:"kelurahan,omitempty"` // kelurahan code
	Unit      string `json:"unit,omitempty"`      // unit code
	Disabled  bool   `json:"disabled"`
	// Phone is the user's WhatsApp number in E.164 (+62…), "" when none;
	// no two active users share one (NormalizeStaffPhone).
	Phone string `json:"phone,omitempty"`
	// WhatsAppNotices is the user's switch for notices on WhatsApp (see
	// StaffNotice); a new user starts with it on.
	WhatsAppNotices bool      `json:"whatsapp_notices"`
	CreatedAt       time.Time `json:"created_at"`
}

// Validate checks that the user's role, kelurahan and unit fit together.
// It does not check that the kelurahan or unit exist.
func (u *User) Validate() error {
	switch {
	case u.Username == "":
		return FieldErrorf("username", "Nama pengguna wajib diisi.")
	case !validUsername(u.Username):
		return FieldErrorf("username", "Nama pengguna hanya boleh berisi huruf kecil, angka, titik, garis bawah dan tanda hubung (maks. 64 karakter).")
	case !u.Role.Valid():
		return FieldErrorf("role", "Peran %q tidak dikenal.", u.Role)
	}
	if u.Phone != "" {
		if p, err := NormalizeStaffPhone(u.Phone); err != nil {
			return err
		} else if p != u.Phone {
			return FieldErrorf("phone", "Nomor WhatsApp harus ditulis lengkap seperti %s.", p)
		}
	}
	switch u.Role {
	case RoleModerator, RoleFasilitator, RoleLurah:
		if u.Kelurahan == "" {
			return FieldErrorf("kelurahan", "Peran %s wajib memiliki kelurahan.", u.Role.Label())
		}
		if u.Unit != "" {
			return FieldErrorf("unit", "Peran %s tidak memiliki unit dinas.", u.Role.Label())
		}
	case RoleDinas:
		if u.Unit == "" {
			return FieldErrorf("unit", "Petugas dinas wajib memiliki unit.")
		}
		if u.Kelurahan != "" {
			return FieldErrorf("kelurahan", "Petugas dinas berlaku untuk seluruh kota, tanpa kelurahan.")
		}
	case RoleAdmin:
		if u.Kelurahan != "" || u.Unit != "" {
			return FieldErrorf("role", "Admin berlaku untuk seluruh kota, tanpa kelurahan atau unit.")
		}
	}
	return nil
}

func validUsername(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// Session is a logged-in browser. The cookie carries a random token; the
// store keeps only its SHA-256 hash as ID.
type Session struct {
	ID         string // hex SHA-256 of the cookie token
	UserID     int64
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute timeout
}

// APIToken authenticates an integration (a gateway, a kiosk, Open311) as a
// user. The store keeps only the SHA-256 hash of the secret.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	UserID     int64      `json:"user_id"`
	Prefix     string     `json:"prefix"` // first characters, to recognise it in lists
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// AuditEntry records one staff action, login, export or rule change. The
// audit log is append-only: nothing updates or deletes its rows.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`  // username, or "system"
	Action string    `json:"action"` // "login", "login_failed", "user.create", "ticket.assign"…
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"` // JSON
	IP     string    `json:"ip,omitempty"`
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Role      Role
	Kelurahan string
	Unit      string
}

// NormalizeStaffPhone reads a staff member's WhatsApp number as citizens'
// are read (NormalizePhone) and returns it in E.164; "" stays "" (no
// phone). Staff of a kelurahan have Indonesian numbers: another country's
// is EINVALID (field "phone"), as is anything NormalizePhone refuses.
func NormalizeStaffPhone(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	p, err := NormalizePhone(s)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(p, "+62") {
		return "", FieldErrorf("phone", "Nomor WhatsApp staf harus nomor Indonesia (+62…).")
	}
	return p, nil
}

// UserPatch changes some fields of a user: a nil field is left as it is.
// The admin may patch every field; a user their own Phone and
// WhatsAppNotices only (see Self).
type UserPatch struct {
	Name *string `json:"name,omitempty"`
	// Phone is read with NormalizeStaffPhone; "" removes the number.
	Phone           *string `json:"phone,omitempty"`
	WhatsAppNotices *bool   `json:"whatsapp_notices,omitempty"`
	Role            *Role   `json:"role,omitempty"`
	Kelurahan       *string `json:"kelurahan,omitempty"`
	Unit            *string `json:"unit,omitempty"`
}

// Self reports EFORBIDDEN when p changes more than a user may change of
// their own account on their profile page: their phone and the switch.
func (p UserPatch) Self() error {
	if p.Name != nil || p.Role != nil || p.Kelurahan != nil || p.Unit != nil {
		return Errorf(EFORBIDDEN, "Nama, peran, kelurahan dan unit hanya dapat diubah oleh admin.")
	}
	return nil
}

// Apply returns u with p's fields, the phone normalised; the result is
// not validated (User.Validate does that). Returns EINVALID for a phone
// NormalizeStaffPhone refuses.
func (p UserPatch) Apply(u User) (User, error) {
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
	}
	if p.Phone != nil {
		phone, err := NormalizeStaffPhone(*p.Phone)
		if err != nil {
			return u, err
		}
		u.Phone = phone
	}
	if p.WhatsAppNotices != nil {
		u.WhatsAppNotices = *p.WhatsAppNotices
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.Kelurahan != nil {
		u.Kelurahan = *p.Kelurahan
	}
	if p.Unit != nil {
		u.Unit = *p.Unit
	}
	return u, nil
}

// UserService manages staff users, their sessions and API tokens.
type UserService interface {
	// CreateUser stores u with a bcrypt hash of password and sets u.ID.
	// Returns EINVALID for a bad user, ECONFLICT if the username is taken,
	// EINVALID if the kelurahan or unit does not exist.
	CreateUser(ctx context.Context, u *User, password string) error
	// FindUserByID and FindUserByUsername return ENOTFOUND if there is none.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	// FindActiveUserByPhone returns the user who is not disabled and has
	// the phone (any form NormalizeStaffPhone reads). Returns ENOTFOUND if
	// there is none, EINVALID for a phone that is not one.
	FindActiveUserByPhone(ctx context.Context, phone string) (*User, error)
	// UpdateUser applies p to the user and returns the user after it. A
	// changed role, kelurahan or unit must fit together (User.Validate)
	// and exist. Returns ENOTFOUND for an unknown user, EINVALID (with the
	// field) for a bad field and ECONFLICT (field "phone") when another
	// active user has the phone.
	UpdateUser(ctx context.Context, username string, p UserPatch) (*User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]*User, error)
	// Authenticate returns the user whose password matches, or
	// EUNAUTHORIZED for an unknown user, a wrong password or a disabled user.
	Authenticate(ctx context.Context, username, password string) (*User, error)
	SetPassword(ctx context.Context, userID int64, password string) error
	// SetDisabled returns ECONFLICT (field "phone") when re-enabling a
	// user whose phone another active user has since taken.
	SetDisabled(ctx context.Context, userID int64, disabled bool) error

	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns ENOTFOUND for an unknown session or one expired
	// at now (the caller's clock decides).
	FindSession(ctx context.Context, id string, now time.Time) (*Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	// CreateAPIToken stores a new token for the user and returns its secret,
	// which is shown once and never stored.
	CreateAPIToken(ctx context.Context, userID int64, name string) (*APIToken, string, error)
	// FindUserByAPIToken returns EUNAUTHORIZED for an unknown or revoked token.
	FindUserByAPIToken(ctx context.Context, secret string) (*User, error)
	ListAPITokens(ctx context.Context) ([]*APIToken, error)
	RevokeAPIToken(ctx context.Context, id int64) error
}

// AuditService appends to and reads the audit log.
type AuditService interface {
	Audit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, limit int, beforeID int64) ([]*AuditEntry, error)
}

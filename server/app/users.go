package app

import (
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// UserChange is one change to a staff account: the fields of the patch
// and, for the admin, whether the account is active.
type UserChange struct {
	hailurah.UserPatch
	// Disabled switches the account off (ending its sessions) or on.
	Disabled *bool `json:"disabled,omitempty"`
}

// Empty reports whether the change changes nothing.
func (ch UserChange) Empty() bool {
	p := ch.UserPatch
	return p.Name == nil && p.Phone == nil && p.WhatsAppNotices == nil && p.Role == nil &&
		p.Kelurahan == nil && p.Unit == nil && ch.Disabled == nil
}

// UpdateUser is the one way an account is changed, by the admin (the
// JSON API and /admin) or by its user (/profil, where only the phone and
// the notice switch may change): it applies ch, ends the sessions of a
// disabled account and records user.update (user.profile for one's own)
// with the names of the fields changed — never a phone number itself.
func (s *App) UpdateUser(c *gin.Context, username string, ch UserChange) (*hailurah.User, error) {
	ctx := c.Request.Context()
	me := UserOf(c)
	self := me.Role != hailurah.RoleAdmin
	if self {
		if username != me.Username {
			return nil, hailurah.Errorf(hailurah.EFORBIDDEN, "Anda hanya dapat mengubah profil Anda sendiri.")
		}
		if err := ch.Self(); err != nil {
			return nil, err
		}
		if ch.Disabled != nil {
			return nil, hailurah.Errorf(hailurah.EFORBIDDEN, "Hanya admin yang dapat menonaktifkan akun.")
		}
	}
	if ch.Empty() {
		return nil, hailurah.Errorf(hailurah.EINVALID, "Tidak ada yang diubah: kirim paling sedikit satu isian (name, phone, whatsapp_notices, role, kelurahan, unit atau disabled).")
	}
	if username == me.Username {
		if ch.Disabled != nil && *ch.Disabled {
			return nil, hailurah.Errorf(hailurah.ECONFLICT, "Anda tidak dapat menonaktifkan akun Anda sendiri.")
		}
		if ch.Role != nil && *ch.Role != me.Role {
			return nil, hailurah.FieldErrorf("role", "Anda tidak dapat mengubah peran Anda sendiri; minta admin lain.")
		}
	}
	u, err := s.Users.FindUserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	if p := ch.UserPatch; p != (hailurah.UserPatch{}) {
		if u, err = s.Users.UpdateUser(ctx, username, p); err != nil {
			return nil, err
		}
	}
	if ch.Disabled != nil && *ch.Disabled != u.Disabled {
		if err := s.Users.SetDisabled(ctx, u.ID, *ch.Disabled); err != nil {
			return nil, err
		}
		u.Disabled = *ch.Disabled
		if u.Disabled {
			if err := s.Users.DeleteUserSessions(ctx, u.ID); err != nil {
				s.Logger.ErrorContext(ctx, "delete sessions of disabled user", "user", u.Username, "err", err)
			}
		}
	}
	action := "user.update"
	if self {
		action = "user.profile"
	}
	s.Audit(c, action, u.Username, changedFields(ch))
	return u, nil
}

// changedFields writes which fields a change names, as the audit detail:
// {"fields":["phone","whatsapp_notices"]} and the new switch positions.
func changedFields(ch UserChange) string {
	var fields []string
	detail := map[string]any{}
	p := ch.UserPatch
	for _, f := range []struct {
		name string
		set  bool
	}{{"name", p.Name != nil}, {"phone", p.Phone != nil}, {"whatsapp_notices", p.WhatsAppNotices != nil},
		{"role", p.Role != nil}, {"kelurahan", p.Kelurahan != nil}, {"unit", p.Unit != nil}, {"disabled", ch.Disabled != nil}} {
		if f.set {
			fields = append(fields, f.name)
		}
	}
	detail["fields"] = fields
	if p.WhatsAppNotices != nil {
		detail["whatsapp_notices"] = *p.WhatsAppNotices
	}
	if p.Role != nil {
		detail["role"] = *p.Role
	}
	if ch.Disabled != nil {
		detail["disabled"] = *ch.Disabled
	}
	b, _ := json.Marshal(detail)
	return string(b)
}

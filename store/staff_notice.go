package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

var _ hailurah.StaffNoticeService = (*DB)(nil)

// FindActiveUserByPhone returns the active user with the phone, in any
// form hailurah.NormalizeStaffPhone reads. Returns ENOTFOUND if there is
// none and EINVALID for a phone that is not one.
func (db *DB) FindActiveUserByPhone(ctx context.Context, phone string) (*hailurah.User, error) {
	p, err := hailurah.NormalizeStaffPhone(phone)
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, hailurah.FieldErrorf("phone", "Nomor telepon wajib diisi.")
	}
	var row userRow
	err = db.q(ctx).Where("phone = ? AND disabled = ?", p, false).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errUserNotFound()
	} else if err != nil {
		return nil, err
	}
	return row.user(), nil
}

// UpdateUser applies p to the user and returns the user after it, in one
// transaction. Returns ENOTFOUND for an unknown user, EINVALID (with the
// field) for a bad field, a kelurahan or unit that does not exist or a
// role they do not fit, and ECONFLICT (field "phone") when another active
// user has the phone.
func (db *DB) UpdateUser(ctx context.Context, username string, p hailurah.UserPatch) (*hailurah.User, error) {
	var out *hailurah.User
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row userRow
		err := tx.Where("username = ?", username).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errUserNotFound()
		} else if err != nil {
			return err
		}
		u, err := p.Apply(*row.user())
		if err != nil {
			return err
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if !validText(u.Name, maxNameLen, true) {
			return hailurah.FieldErrorf("name", "Nama wajib diisi (maks. %d karakter).", maxNameLen)
		}
		if err := checkUserScope(tx, &u); err != nil {
			return err
		}
		if err := checkPhoneFree(tx, u.Phone, u.ID, u.Disabled); err != nil {
			return err
		}
		err = tx.Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{
			"name": u.Name, "phone": u.Phone, "whatsapp_notices": u.WhatsAppNotices, "role": string(u.Role),
			"kelurahan_code": nullable(u.Kelurahan), "unit_code": nullable(u.Unit), "updated_at": db.now(),
		}).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errPhoneTaken(u.Phone)
		} else if err != nil {
			return err
		}
		out = &u
		return nil
	})
	return out, err
}

// NoticeRecipients returns the active users a resolves to who have a
// phone and their WhatsApp notices on, ordered by username. Returns
// EINVALID for a malformed audience.
func (db *DB) NoticeRecipients(ctx context.Context, a hailurah.Audience) ([]*hailurah.User, error) {
	if err := validateAudience(a); err != nil {
		return nil, err
	}
	var rows []userRow
	err := audienceQuery(db.q(ctx), a).Where("phone <> '' AND whatsapp_notices = ?", true).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*hailurah.User, len(rows))
	for i := range rows {
		out[i] = rows[i].user()
	}
	return out, nil
}

// QuietHours returns the kelurahan's quiet hours; ENOTFOUND for an
// unknown kelurahan.
func (db *DB) QuietHours(ctx context.Context, kelurahan string) (hailurah.QuietHours, error) {
	var row struct{ QuietStart, QuietEnd int }
	res := db.q(ctx).Model(&kelurahanRow{}).Select("quiet_start, quiet_end").Where("code = ?", kelurahan).Take(&row)
	if errors.Is(res.Error, gorm.ErrRecordNotFound) {
		return hailurah.QuietHours{}, errKelurahanNotFound(kelurahan)
	} else if res.Error != nil {
		return hailurah.QuietHours{}, res.Error
	}
	return hailurah.QuietHours{Start: row.QuietStart, End: row.QuietEnd}, nil
}

// SetQuietHours changes the kelurahan's quiet hours. Returns ENOTFOUND for
// an unknown kelurahan and EINVALID for bad hours.
func (db *DB) SetQuietHours(ctx context.Context, kelurahan string, q hailurah.QuietHours) error {
	if err := q.Validate(); err != nil {
		return err
	}
	res := db.q(ctx).Model(&kelurahanRow{}).Where("code = ?", kelurahan).
		Updates(map[string]any{"quiet_start": q.Start, "quiet_end": q.End, "updated_at": db.now()})
	if res.Error != nil {
		return res.Error
	} else if res.RowsAffected == 0 {
		return errKelurahanNotFound(kelurahan)
	}
	return nil
}

func errKelurahanNotFound(code string) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", code)
}

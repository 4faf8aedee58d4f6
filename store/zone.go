package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

// The store counts calendar days and months in the kelurahan's zone: the
// KPI queries below (localDay, localMonth and the Go-side period bounds)
// and the rollup triggers and kpi_* views of the migrations, which read it
// from the one row of local_zone (migration 00007). SetZone keeps the two
// the same.

// SetZone makes z the calendar of the store's days and months. Call it
// once at start-up, after the migrations, before serving. When the
// database counted in another zone (HAILURAH_TZ changed), local_zone is
// updated and the dashboard rollups are rebuilt in the same transaction,
// holding ticket writes back meanwhile; otherwise nothing is written.
//
// SQLite counts days at one fixed UTC offset, so there a zone whose offset
// changes (daylight saving; none of Indonesia's) is refused with EINVALID;
// Postgres counts in the zone by name.
func (db *DB) SetZone(ctx context.Context, z hailurah.Zone) error {
	offset, fixed := zoneOffset(z, db)
	if db.dialect == DialectSQLite && !fixed {
		return hailurah.Errorf(hailurah.EINVALID,
			"time zone %s changes its UTC offset (daylight saving), and SQLite counts days at one fixed offset: use Postgres (DATABASE_URL) or a zone without daylight saving", z.Name())
	}
	var cur struct {
		Name   string
		Offset int `gorm:"column:utc_offset_seconds"`
	}
	if err := db.q(ctx).Raw("SELECT name, utc_offset_seconds FROM local_zone WHERE id = 1").Scan(&cur).Error; err != nil {
		return fmt.Errorf("store: read local_zone (has `hailurah migrate up` run?): %w", err)
	}
	if cur.Name == z.Name() && cur.Offset == offset {
		db.zone.Store(&z)
		return nil
	}
	old := db.zone.Load()
	db.zone.Store(&z)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if db.dialect == DialectPostgres {
			// Writers wait: a trigger must not count in the old zone
			// after the rollups were rebuilt in the new one.
			if err := tx.Exec("LOCK TABLE tickets IN SHARE MODE").Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("UPDATE local_zone SET name = ?, utc_offset_seconds = ? WHERE id = 1", z.Name(), offset).Error; err != nil {
			return err
		}
		return db.rebuildCurhatRollups(tx)
	})
	if err != nil {
		db.zone.Store(old)
		return fmt.Errorf("store: change time zone to %s: %w", z.Name(), err)
	}
	db.logger.InfoContext(ctx, "time zone changed; dashboard rollups rebuilt", "from", cur.Name, "to", z.Name())
	return nil
}

// zoneOffset is z's UTC offset in seconds now, and whether it stays that
// (no transition ahead of now in the tz database).
func zoneOffset(z hailurah.Zone, db *DB) (int, bool) {
	t := z.In(db.now())
	_, offset := t.Zone()
	_, end := t.ZoneBounds()
	return offset, end.IsZero()
}

// localZone is the zone SetZone set; Asia/Jakarta before.
func (db *DB) localZone() hailurah.Zone {
	if z := db.zone.Load(); z != nil {
		return *z
	}
	return hailurah.Zone{}
}

// localDay is the expression of col's calendar day in the zone,
// "YYYY-MM-DD", as the rollup triggers write it.
func (db *DB) localDay(col string) string {
	if db.dialect == DialectPostgres {
		return fmt.Sprintf("to_char(%s AT TIME ZONE %s, 'YYYY-MM-DD')", col, db.zoneSQL())
	}
	return fmt.Sprintf("strftime('%%Y-%%m-%%d', %s, %s)", col, db.zoneSQL())
}

// localMonth is the expression of col's month in the zone, "YYYY-MM".
func (db *DB) localMonth(col string) string {
	if db.dialect == DialectPostgres {
		return fmt.Sprintf("to_char(%s AT TIME ZONE %s, 'YYYY-MM')", col, db.zoneSQL())
	}
	return fmt.Sprintf("strftime('%%Y-%%m', %s, %s)", col, db.zoneSQL())
}

// zoneSQL is the zone as the dialect shifts a time with it: its name for
// Postgres's AT TIME ZONE, its fixed offset as an SQLite modifier.
func (db *DB) zoneSQL() string {
	z := db.localZone()
	if db.dialect == DialectPostgres {
		return "'" + strings.ReplaceAll(z.Name(), "'", "''") + "'"
	}
	offset, _ := zoneOffset(z, db)
	return fmt.Sprintf("'%d seconds'", offset)
}

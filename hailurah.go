// Package hailurah holds the domain of HAI LURAH: kelurahan, units, staff
// users, tickets, grants and pilots, their statuses and transitions, the
// error contract, and the interfaces of the services around them. It imports
// nothing of this project; every other package depends on it.
package hailurah

import "context"

// Kelurahan is one urban village. Every ticket, household, grant and pilot
// belongs to exactly one; its Code is the stable slug used in URLs and APIs.
type Kelurahan struct {
	Code      string `json:"code"` // "taman"
	Name      string `json:"name"` // "Taman"
	Kecamatan string `json:"kecamatan"`
	Kota      string `json:"kota"`
	LurahName string `json:"lurah_name"`
	// WhatsAppPhoneNumberID routes messages that arrive on this kelurahan's
	// own WhatsApp number; empty when it shares the city's number.
	WhatsAppPhoneNumberID string `json:"whatsapp_phone_number_id,omitempty"`
	// GrantBudget is the kelurahan's micro-grant budget in rupiah.
	GrantBudget int64 `json:"grant_budget"`
}

// Unit is a city-wide dinas unit (PUPR, DLH, Dinsos…) that receives tasks
// from every kelurahan.
type Unit struct {
	Code string `json:"code"` // "pupr"
	Name string `json:"name"` // "Dinas Pekerjaan Umum dan Penataan Ruang"
}

// KelurahanService manages kelurahan and dinas units.
type KelurahanService interface {
	// FindKelurahan returns ENOTFOUND if no kelurahan has the code.
	FindKelurahan(ctx context.Context, code string) (*Kelurahan, error)
	ListKelurahan(ctx context.Context) ([]*Kelurahan, error)
	// UpsertKelurahan creates or updates a kelurahan by code.
	UpsertKelurahan(ctx context.Context, k *Kelurahan) error
	// FindUnit returns ENOTFOUND if no unit has the code.
	FindUnit(ctx context.Context, code string) (*Unit, error)
	ListUnits(ctx context.Context) ([]*Unit, error)
	// UpsertUnit creates or updates a unit by code.
	UpsertUnit(ctx context.Context, u *Unit) error
}

// Ping is implemented by every backing service /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

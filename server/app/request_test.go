package app

import (
	"testing"

	"github.com/hailurah/hailurah"
)

func TestKelurahanScope(t *testing.T) {
	mod := &hailurah.User{Role: hailurah.RoleModerator, Kelurahan: "taman"}
	if k, err := KelurahanScope(mod, ""); err != nil || k != "taman" {
		t.Fatalf("moderator default: %q %v", k, err)
	}
	if _, err := KelurahanScope(mod, "demangan"); hailurah.ErrorCode(err) != hailurah.EFORBIDDEN {
		t.Fatalf("moderator asking for another kelurahan: %v", err)
	}
	admin := &hailurah.User{Role: hailurah.RoleAdmin}
	if k, err := KelurahanScope(admin, "demangan"); err != nil || k != "demangan" {
		t.Fatalf("admin: %q %v", k, err)
	}
	if k, err := KelurahanScope(admin, ""); err != nil || k != "" {
		t.Fatalf("admin city-wide: %q %v", k, err)
	}
}

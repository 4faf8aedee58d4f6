package main

import (
	"strings"
	"testing"
)

// TestMapTilesConfig: HAILURAH_MAP_TILES defaults to OpenStreetMap, "off"
// turns the base map off, and anything but an http(s) template with {z},
// {x} and {y} stops the program at start, naming the variable.
func TestMapTilesConfig(t *testing.T) {
	for _, tc := range []struct{ env, want, err string }{
		{"", DefaultMapTiles, ""},
		{"off", "", ""},
		{"OFF", "", ""},
		{"https://{s}.tiles.example.go.id/{z}/{x}/{y}.png", "https://{s}.tiles.example.go.id/{z}/{x}/{y}.png", ""},
		{"http://10.0.0.5:8080/{z}/{x}/{y}.png", "http://10.0.0.5:8080/{z}/{x}/{y}.png", ""},
		{"https://tiles.example.go.id/{z}/{x}.png", "", "HAILURAH_MAP_TILES"},
		{"ftp://tiles.example.go.id/{z}/{x}/{y}.png", "", "HAILURAH_MAP_TILES"},
		{"tiles/{z}/{x}/{y}.png", "", "HAILURAH_MAP_TILES"},
	} {
		env := map[string]string{"HAILURAH_MAP_TILES": tc.env, "HAILURAH_DATA_DIR": t.TempDir()}
		cfg, err := LoadConfig(func(k string) string { return env[k] })
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one naming %s", tc.env, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.env, err)
		case tc.err == "" && cfg.MapTiles != tc.want:
			t.Errorf("%q: tiles %q, want %q", tc.env, cfg.MapTiles, tc.want)
		}
	}
}

package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store/mediastore"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestOpenAPICoversRoutes fails when a registered route is missing from
// /api/openapi.json: JSON endpoints under "paths", pages and assets in
// "x-web-pages".
func TestOpenAPICoversRoutes(t *testing.T) {
	db := storetest.Open(t)
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, Channels: db, Secret: []byte("at-least-32-characters-of-secret!!"), Dev: true,
		Intake:    runIntake(t, db, &workflows.Client{}, "at-least-32-characters-of-secret!!", time.Now, 0),
		Programme: &server.Programme{Households: db, Participation: db, Grants: db, Cases: &workflows.Client{}},
		Pilots:    &server.Pilots{Store: db, KPIs: db, Runner: &workflows.Client{}},
		Media:     &server.Media{Store: mediastore.New(db), Files: media.Dir(t.TempDir())}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
	var doc struct {
		OpenAPI  string                    `json:"openapi"`
		Paths    map[string]map[string]any `json:"paths"`
		WebPages []string                  `json:"x-web-pages"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	pages := map[string]bool{}
	for _, p := range doc.WebPages {
		pages[p] = true
	}
	routes := srv.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes registered; the ticket routes are missing", len(routes))
	}
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		if method == http.MethodHead {
			continue
		}
		oaPath := ginParam.ReplaceAllString(path, "{$1}")
		if ops, ok := doc.Paths[oaPath]; ok {
			if _, ok := ops[strings.ToLower(method)]; !ok {
				t.Errorf("%s %s: path documented without the %s operation", method, path, method)
			}
			continue
		}
		if !pages[path] {
			t.Errorf("%s %s is not in openapi.json (paths or x-web-pages)", method, path)
		}
	}
}
